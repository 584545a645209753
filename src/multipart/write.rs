//! Serializing entries exactly as undici's `FormData` body encoder does.

use std::borrow::Cow;

use crate::swar::{has_zero, ONES};

/// One entry to serialize, borrowed from the caller.
///
/// ```
/// use flight_codec::multipart::{self, EntryRef};
///
/// let entries = [
///     EntryRef::Text { name: "0", value: "[\"$B1\"]" },
///     EntryRef::File { name: "1", filename: "blob", content_type: "", data: b"\x00\x01" },
/// ];
/// let mut body = Vec::new();
/// multipart::write(&entries, "B", &mut body);
/// assert_eq!(
///     body,
///     b"--B\r\nContent-Disposition: form-data; name=\"0\"\r\n\r\n[\"$B1\"]\r\n\
///       --B\r\nContent-Disposition: form-data; name=\"1\"; filename=\"blob\"\r\n\
///       Content-Type: application/octet-stream\r\n\r\n\x00\x01\r\n--B--\r\n"
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryRef<'a> {
    /// A string entry (`formData.append(name, value)`).
    Text {
        /// The field name.
        name: &'a str,
        /// The value; its line breaks are written as CRLF.
        value: &'a str,
    },
    /// A file entry (`formData.append(name, blob, filename)`).
    File {
        /// The field name.
        name: &'a str,
        /// The filename; empty omits the `filename` parameter, as undici does.
        filename: &'a str,
        /// The `Blob` type; normalised like the `Blob` constructor, empty
        /// (or invalid) becomes `application/octet-stream`.
        content_type: &'a str,
        /// The file's bytes, written untouched.
        data: &'a [u8],
    },
}

/// Appends `s` with every line break (CRLF, CR, LF) written as `crlf`,
/// and `"` as `quote` when given.
fn push_normalized(out: &mut Vec<u8>, s: &str, crlf: &[u8], quote: Option<&[u8]>) {
    let b = s.as_bytes();
    let mut last = 0;
    loop {
        let rest = b.get(last..).unwrap_or_default();
        let found = next_break(rest, quote.is_some());
        let Some(at) = found.map(|off| last + off) else { break };
        let (skip, rep): (usize, &[u8]) = match b[at] {
            b'\r' if b.get(at + 1) == Some(&b'\n') => (2, crlf),
            b'\r' | b'\n' => (1, crlf),
            _ => (1, quote.unwrap_or(b"\"")),
        };
        out.extend_from_slice(&b[last..at]);
        out.extend_from_slice(rep);
        last = at + skip;
    }
    out.extend_from_slice(b.get(last..).unwrap_or_default());
}

/// The first CR or LF in `s` (or `"`, with `quote`). Short texts (names)
/// word by word, without `memchr`'s setup; longer ones with it.
#[inline]
fn next_break(s: &[u8], quote: bool) -> Option<usize> {
    if s.len() > 16 {
        return if quote { memchr::memchr3(b'\r', b'\n', b'"', s) } else { memchr::memchr2(b'\r', b'\n', s) };
    }
    let hit = |b: u8| b == b'\r' || b == b'\n' || (quote && b == b'"');
    let mut words = s.chunks_exact(8);
    let mut at = 0;
    for w in &mut words {
        let w = <[u8; 8]>::try_from(w).map_or(0, u64::from_le_bytes);
        let mut found = has_zero(w ^ (ONES * u64::from(b'\r'))) | has_zero(w ^ (ONES * u64::from(b'\n')));
        if quote {
            found |= has_zero(w ^ (ONES * u64::from(b'"')));
        }
        if found != 0 {
            // The lowest flagged byte is a true one.
            return Some(at + (found.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    words.remainder().iter().position(|&b| hit(b)).map(|p| at + p)
}

/// Appends a name: line breaks normalised to CRLF, then `"`, CR and LF escaped.
fn push_name(out: &mut Vec<u8>, name: &str) {
    push_normalized(out, name, b"%0D%0A", Some(b"%22"));
}

/// Appends a filename: `"`, CR and LF escaped, line breaks not normalised.
fn push_filename(out: &mut Vec<u8>, filename: &str) {
    for &c in filename.as_bytes() {
        match c {
            b'"' => out.extend_from_slice(b"%22"),
            b'\r' => out.extend_from_slice(b"%0D"),
            b'\n' => out.extend_from_slice(b"%0A"),
            _ => out.push(c),
        }
    }
}

/// The `Content-Type` undici writes for a file: the `Blob` type normalised
/// (empty if any char is outside U+0020..=U+007E, else ASCII-lowercased),
/// or `application/octet-stream` when that is empty.
fn file_type(content_type: &str) -> Cow<'_, str> {
    if content_type.is_empty() || !content_type.bytes().all(|b| (0x20..=0x7e).contains(&b)) {
        Cow::Borrowed("application/octet-stream")
    } else if content_type.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(content_type.to_ascii_lowercase())
    } else {
        Cow::Borrowed(content_type)
    }
}

/// Serializes `entries` into `out` exactly as undici does for a `FormData`
/// body (`new Response(formData)`), with `boundary` as the boundary.
///
/// `boundary` is not checked: use [`choose_boundary`] so that it occurs in
/// no entry.
///
/// ```
/// use flight_codec::multipart::{write, EntryRef};
///
/// let mut out = Vec::new();
/// write(&[EntryRef::Text { name: "a\"b", value: "x\ny" }], "B", &mut out);
/// assert_eq!(out, b"--B\r\nContent-Disposition: form-data; name=\"a%22b\"\r\n\r\nx\r\ny\r\n--B--\r\n");
/// ```
pub fn write(entries: &[EntryRef<'_>], boundary: &str, out: &mut Vec<u8>) {
    // What the body takes without escapes (one allocation for most bodies).
    let headers = boundary.len() + 100;
    let size: usize = entries
        .iter()
        .map(|e| match *e {
            EntryRef::Text { name, value } => headers + name.len() + value.len(),
            EntryRef::File { name, filename, content_type, data } => {
                headers + 40 + name.len() + filename.len() + content_type.len() + data.len()
            }
        })
        .sum();
    out.reserve(size + headers);
    for entry in entries {
        out.extend_from_slice(b"--");
        out.extend_from_slice(boundary.as_bytes());
        out.extend_from_slice(b"\r\nContent-Disposition: form-data; name=\"");
        match *entry {
            EntryRef::Text { name, value } => {
                push_name(out, name);
                out.extend_from_slice(b"\"\r\n\r\n");
                push_normalized(out, value, b"\r\n", None);
            }
            EntryRef::File { name, filename, content_type, data } => {
                push_name(out, name);
                out.push(b'"');
                if !filename.is_empty() {
                    out.extend_from_slice(b"; filename=\"");
                    push_filename(out, filename);
                    out.push(b'"');
                }
                out.extend_from_slice(b"\r\nContent-Type: ");
                out.extend_from_slice(file_type(content_type).as_bytes());
                out.extend_from_slice(b"\r\n\r\n");
                out.extend_from_slice(data);
            }
        }
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"--");
    out.extend_from_slice(boundary.as_bytes());
    out.extend_from_slice(b"--\r\n");
}

/// The `Content-Type` header value for a body written with `boundary`.
///
/// ```
/// assert_eq!(flight_codec::multipart::content_type("xyz"), "multipart/form-data; boundary=xyz");
/// ```
pub fn content_type(boundary: &str) -> String {
    format!("multipart/form-data; boundary={boundary}")
}

const SEED: u64 = 0xcbf2_9ce4_8422_2325;
const MUL: u64 = 0x9e37_79b9_7f4a_7c15;

/// One word into the hash.
#[inline]
fn mix(h: u64, word: u64) -> u64 {
    (h ^ word).wrapping_mul(MUL).rotate_left(31)
}

/// The bytes into the hash, eight at a time (the last word zero-padded:
/// callers hash lengths too).
fn hash(mut h: u64, bytes: &[u8]) -> u64 {
    let mut words = bytes.chunks_exact(8);
    for w in &mut words {
        let mut word = [0u8; 8];
        word.copy_from_slice(w);
        h = mix(h, u64::from_le_bytes(word));
    }
    let rest = words.remainder();
    if !rest.is_empty() {
        // The zero-padded little-endian word, without a variable-length copy.
        let word = rest.iter().rev().fold(0u64, |w, &b| w << 8 | u64::from(b));
        h = mix(h, word);
    }
    h
}

/// What of a field the boundary's hash reads: all of it up to 1 KiB, else
/// its first and last 512 bytes (its length is hashed too). The hash only
/// has to be deterministic; [`pick`] checks every candidate against the
/// whole data, so hashing less never risks a clash.
fn sample(field: &[u8]) -> [&[u8]; 2] {
    if field.len() <= 1024 {
        [field, &[]]
    } else {
        [&field[..512], &field[field.len() - 512..]]
    }
}

/// Picks a boundary shaped like undici's (`----formdata-flight-0` and 11
/// digits) that occurs in none of `entries`.
///
/// The digits are derived from the entries (so the choice is
/// deterministic; a large field contributes its length and its ends) and
/// re-drawn while the candidate occurs in any name,
/// value, filename, content type or data. Because the boundary has no `%`,
/// `"`, CR, LF or uppercase letter, escaping and line-break normalisation
/// cannot create an occurrence that the raw text lacks.
///
/// ```
/// use flight_codec::multipart::{choose_boundary, EntryRef};
///
/// let entries = [EntryRef::Text { name: "0", value: "x" }];
/// let b = choose_boundary(&entries);
/// assert!(b.starts_with("----formdata-flight-0") && b.len() == 32);
/// assert_eq!(b, choose_boundary(&entries));
/// ```
pub fn choose_boundary(entries: &[EntryRef<'_>]) -> String {
    let mut h = SEED;
    for entry in entries {
        let fields: [&[u8]; 4] = match *entry {
            EntryRef::Text { name, value } => [b"t", name.as_bytes(), value.as_bytes(), b""],
            EntryRef::File { name, filename, content_type, data } => {
                h = hash(h, filename.as_bytes());
                h = mix(h, filename.len() as u64);
                [b"f", name.as_bytes(), content_type.as_bytes(), data]
            }
        };
        for field in fields {
            for part in sample(field) {
                h = hash(h, part);
            }
            h = mix(h, field.len() as u64);
        }
    }
    pick(h, entries)
}

/// Draws candidates from `h` until one occurs in none of `entries`.
///
/// Terminates: each rejected candidate is a distinct substring of the
/// entries (or a repeat, which the hash chain makes vanishingly unlikely).
fn pick(mut h: u64, entries: &[EntryRef<'_>]) -> String {
    loop {
        let candidate = format!("----formdata-flight-0{:011}", h % 100_000_000_000);
        let needle = candidate.as_bytes();
        let finder = memchr::memmem::Finder::new(needle);
        // A byte search first: most fields have no `-` at all (a memmem
        // search costs over a hundred instructions however short the field).
        let contains = |haystack: &[u8]| {
            haystack.len() >= needle.len()
                && memchr::memchr(b'-', haystack).is_some()
                && finder.find(haystack).is_some()
        };
        let clash = entries.iter().any(|entry| match *entry {
            EntryRef::Text { name, value } => contains(name.as_bytes()) || contains(value.as_bytes()),
            EntryRef::File { name, filename, content_type, data } => {
                contains(name.as_bytes())
                    || contains(filename.as_bytes())
                    || contains(file_type(content_type).as_bytes())
                    || contains(data)
            }
        });
        if !clash {
            return candidate;
        }
        h = hash(h, needle);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_break_as_a_byte_search() {
        let mut rng = crate::test_rng::xorshift(0x5eed_b4ea);
        let mut below = |n: u64| rng.next().unwrap_or(0) % n;
        let alphabet = [b'a', b'-', b'\r', b'\n', b'"', 0xc3, 0xa9];
        for _ in 0..20_000 {
            let len = below(100) as usize;
            // Mostly plain text, so that breaks land in every position.
            let text: Vec<u8> =
                (0..len).map(|_| if below(10) == 0 { alphabet[below(7) as usize] } else { b'a' }).collect();
            for quote in [false, true] {
                let want = text.iter().position(|&b| b == b'\r' || b == b'\n' || (quote && b == b'"'));
                assert_eq!(next_break(&text, quote), want, "{text:?} {quote}");
            }
        }
    }

    #[test]
    fn pick_redraws_when_the_candidate_occurs() {
        let first = pick(1, &[]);
        let data = format!("x{first}y");
        let second = pick(1, &[EntryRef::Text { name: "a", value: &data }]);
        assert_ne!(first, second);
        // Every field is checked, including the normalised content type.
        let upper = first.to_ascii_uppercase();
        let third = pick(
            1,
            &[
                EntryRef::Text { name: "a", value: &data },
                EntryRef::File { name: "", filename: "", content_type: &upper, data: second.as_bytes() },
            ],
        );
        assert!(third != first && third != second);
        for field in [&first, &second] {
            let entries = [EntryRef::File { name: field, filename: "", content_type: "", data: b"" }];
            assert_ne!(pick(1, &entries), **field);
            let entries = [EntryRef::File { name: "", filename: field, content_type: "", data: b"" }];
            assert_ne!(pick(1, &entries), **field);
        }
    }
}
