//! The typed backing store: FormData entries sorted once, in O(n), into
//! model parts, blob parts, stream rows and FormData-value entries.

use bytes::Bytes;

use crate::error::{Error, ErrorKind, Result};
use crate::limits::{LimitKind, Limits};
use crate::model::parse_decimal;
use crate::value::{Blob, FormEntry, JsString};

/// A model or blob part.
pub(crate) enum PartEntry {
    /// A text part, checked to be valid UTF-8.
    Text(Bytes),
    /// A file part (boxed: the table of parts holds mostly text).
    Blob(Box<Blob>),
}

/// FormData entries sorted by role.
#[derive(Default)]
pub(crate) struct Backing {
    /// `<prefix><decimal id>` parts.
    pub parts: crate::id_map::IdMap<PartEntry>,
    /// `<prefix>S<decimal id>` stream rows, in order.
    pub streams: crate::id_map::IdMap<Vec<Bytes>>,
    /// `<prefix>_<decimal id>_<key>` entries, grouped by id, in order.
    pub form: crate::id_map::IdMap<Vec<(JsString, FormEntry)>>,
    /// Bytes of all entries.
    pub total_bytes: usize,
}

fn text_bytes(s: &JsString) -> Result<Bytes> {
    // A JsString is well-formed WTF-8: it is UTF-8 unless it holds a lone
    // surrogate (`ED A0..BF ..`), which a scan for `ED` finds without
    // validating the whole text again.
    let b = s.as_wtf8();
    let mut at = 0;
    while let Some(p) = memchr::memchr(0xED, &b[at..]) {
        if b.get(at + p + 1).is_some_and(|&c| c >= 0xA0) {
            return Err(ErrorKind::InvalidUtf8.into());
        }
        at += p + 1;
    }
    Ok(s.clone().into_bytes())
}

/// One entry as the backing store takes it: a FormData entry, or the text
/// of a multipart part already checked to be UTF-8 (kept as its bytes: a
/// model part or stream row never needs it as a string).
pub(crate) enum Entry {
    /// A FormData entry.
    Form(FormEntry),
    /// A text part's bytes, valid UTF-8.
    Utf8(Bytes),
}

impl Backing {
    /// Sorts `entries`. Entries whose names do not start with `prefix`, or
    /// whose ids are not canonical decimal, are ignored, as React ignores
    /// fields it never looks up.
    pub(crate) fn new(entries: Vec<(JsString, FormEntry)>, prefix: &str, limits: &Limits) -> Result<Self> {
        Self::sort(entries.len(), entries.into_iter().map(|(name, e)| (name, Entry::Form(e))), prefix, limits)
    }

    /// [`Backing::new`] of `count` entries.
    pub(crate) fn sort(
        count: usize,
        entries: impl Iterator<Item = (JsString, Entry)>,
        prefix: &str,
        limits: &Limits,
    ) -> Result<Self> {
        if count > limits.max_parts {
            return Err(ErrorKind::LimitExceeded { limit: LimitKind::Parts, max: limits.max_parts as u64 }.into());
        }
        let mut b = Backing::default();
        // Part names are mostly `0..count` (React numbers them from 0): a
        // table of that many slots (entries present, not a declared number)
        // holds them without growing.
        b.parts.reserve_dense(count);
        for (name, entry) in entries {
            b.add(name, entry, prefix, limits)?;
        }
        Ok(b)
    }

    fn add(&mut self, name: JsString, entry: Entry, prefix: &str, limits: &Limits) -> Result<()> {
        let size = match &entry {
            Entry::Form(FormEntry::Text(t)) => t.len(),
            Entry::Form(FormEntry::File(f)) => f.bytes.len(),
            Entry::Utf8(t) => t.len(),
        } + name.len();
        self.total_bytes = self.total_bytes.saturating_add(size);
        if self.total_bytes > limits.max_total_bytes {
            return Err(
                ErrorKind::LimitExceeded { limit: LimitKind::TotalBytes, max: limits.max_total_bytes as u64 }.into()
            );
        }
        let Some(rest) = name.as_wtf8().strip_prefix(prefix.as_bytes()) else {
            return Ok(());
        };
        match rest.first() {
            Some(b'_') => {
                let rest = &rest[1..];
                let Some(us) = rest.iter().position(|&c| c == b'_') else {
                    return Ok(());
                };
                let Some(id) = parse_decimal(&rest[..us]) else {
                    return Ok(());
                };
                let key = name.skip_bytes(prefix.len() + 1 + us + 1);
                let entry = match entry {
                    Entry::Form(e) => e,
                    Entry::Utf8(t) => FormEntry::Text(JsString::from_wtf8_unchecked(t)),
                };
                self.form.get_or_default(id).push((key, entry));
            }
            Some(b'S') => {
                let Some(id) = parse_decimal(&rest[1..]) else {
                    return Ok(());
                };
                let row = match entry {
                    Entry::Form(FormEntry::Text(t)) => text_bytes(&t)?,
                    Entry::Utf8(t) => t,
                    Entry::Form(FormEntry::File(_)) => {
                        return Err(ErrorKind::PartType { id, expected: "a text stream row" }.into())
                    }
                };
                self.streams.get_or_default(id).push(row);
            }
            _ => {
                let Some(id) = parse_decimal(rest) else {
                    return Ok(());
                };
                let part = match entry {
                    Entry::Form(FormEntry::Text(t)) => PartEntry::Text(text_bytes(&t)?),
                    Entry::Utf8(t) => PartEntry::Text(t),
                    Entry::Form(FormEntry::File(f)) => PartEntry::Blob(Box::new(f)),
                };
                if self.parts.insert(id, part).is_some() {
                    return Err(Error::new(ErrorKind::DuplicatePart { name: name.to_string_lossy().into_owned() }));
                }
            }
        }
        Ok(())
    }
}
