//! Path references (`$0:a:1`) kept lazily: a reference is a row id or a
//! member of another reference, made into text only when it is written
//! out. Keeping one per object written costs O(1) whatever the depth (a
//! string per object would cost O(depth) each: quadratic in depth).

use std::rc::Rc;

use crate::value::JsString;

/// A reference to something written: a row (`$1`, `$@1`), or a member of
/// another reference (`parent:key`), made into text only when it is
/// written out — so keeping one per object costs O(1), whatever the depth.
#[derive(Debug)]
pub(crate) enum RefPath {
    Whole(Box<str>),
    Member(Rc<RefPath>, PathKey),
}

/// A path segment.
#[derive(Debug)]
pub(crate) enum PathKey {
    Index(usize),
    Name(JsString),
    Static(&'static str),
}

/// A shared reference.
pub(crate) type Ref = Rc<RefPath>;

/// A reference to a whole row (`$1`, `$@1`).
pub(crate) fn whole(s: String) -> Ref {
    Rc::new(RefPath::Whole(s.into_boxed_str()))
}

impl RefPath {
    /// The reference as React writes it (`$0:a:1`).
    pub(crate) fn render(&self) -> String {
        let mut keys = Vec::new();
        let mut at = self;
        let head = loop {
            match at {
                RefPath::Whole(s) => break s,
                RefPath::Member(parent, key) => {
                    keys.push(key);
                    at = parent;
                }
            }
        };
        let mut out = String::from(&**head);
        for k in keys.iter().rev() {
            out.push(':');
            match k {
                PathKey::Index(i) => out.push_str(&i.to_string()),
                PathKey::Name(n) => out.push_str(&n.to_string_lossy()),
                PathKey::Static(s) => out.push_str(s),
            }
        }
        out
    }

    pub(crate) fn is_whole(&self, s: &str) -> bool {
        matches!(self, RefPath::Whole(w) if **w == *s)
    }
}

/// Dropping a long chain of members does not recurse.
impl Drop for RefPath {
    fn drop(&mut self) {
        let RefPath::Member(parent, _) = self else { return };
        let mut next = std::mem::replace(parent, Rc::new(RefPath::Whole(Box::from(""))));
        while let Ok(mut inner) = Rc::try_unwrap(next) {
            match &mut inner {
                RefPath::Member(p, _) => next = std::mem::replace(p, Rc::new(RefPath::Whole(Box::from("")))),
                RefPath::Whole(_) => return,
            }
        }
    }
}
