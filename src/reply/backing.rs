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
    /// A file part.
    Blob(Blob),
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

impl Backing {
    /// Sorts `entries`. Entries whose names do not start with `prefix`, or
    /// whose ids are not canonical decimal, are ignored, as React ignores
    /// fields it never looks up.
    pub(crate) fn new(entries: Vec<(JsString, FormEntry)>, prefix: &str, limits: &Limits) -> Result<Self> {
        if entries.len() > limits.max_parts {
            return Err(ErrorKind::LimitExceeded { limit: LimitKind::Parts, max: limits.max_parts as u64 }.into());
        }
        let mut b = Backing::default();
        for (name, entry) in entries {
            let size = match &entry {
                FormEntry::Text(t) => t.len(),
                FormEntry::File(f) => f.bytes.len(),
            } + name.len();
            b.total_bytes = b.total_bytes.saturating_add(size);
            if b.total_bytes > limits.max_total_bytes {
                return Err(ErrorKind::LimitExceeded {
                    limit: LimitKind::TotalBytes,
                    max: limits.max_total_bytes as u64,
                }
                .into());
            }
            let Some(rest) = name.as_wtf8().strip_prefix(prefix.as_bytes()) else {
                continue;
            };
            match rest.first() {
                Some(b'_') => {
                    let rest = &rest[1..];
                    let Some(us) = rest.iter().position(|&c| c == b'_') else {
                        continue;
                    };
                    let Some(id) = parse_decimal(&rest[..us]) else {
                        continue;
                    };
                    let key = name.skip_bytes(prefix.len() + 1 + us + 1);
                    b.form.get_or_default(id).push((key, entry));
                }
                Some(b'S') => {
                    let Some(id) = parse_decimal(&rest[1..]) else {
                        continue;
                    };
                    match entry {
                        FormEntry::Text(t) => b.streams.get_or_default(id).push(text_bytes(&t)?),
                        FormEntry::File(_) => {
                            return Err(ErrorKind::PartType { id, expected: "a text stream row" }.into())
                        }
                    }
                }
                _ => {
                    let Some(id) = parse_decimal(rest) else {
                        continue;
                    };
                    let part = match entry {
                        FormEntry::Text(t) => PartEntry::Text(text_bytes(&t)?),
                        FormEntry::File(f) => PartEntry::Blob(f),
                    };
                    if b.parts.insert(id, part).is_some() {
                        return Err(Error::new(ErrorKind::DuplicatePart { name: name.to_string_lossy().into_owned() }));
                    }
                }
            }
        }
        Ok(b)
    }
}
