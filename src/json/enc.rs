//! What both encoders write for strings (React's `escapeStringValue`) and
//! object keys, on top of the JSON writers, telling the callers the text's
//! length in UTF-16 units without a second pass.

use super::write::{pack_plain, plain_block, put_word, write_body, BLOCK, PAIR_WORDS};
use crate::swar::{has_zero, ONES};
use crate::value::{Date, Graph, JsString};

/// A starting capacity for the output of a whole graph: 64 bytes a node (a
/// record of P2 is 159 bytes in 3 nodes), at most 1 MiB. Growing a large
/// output from small reallocates (and copies) it many times.
pub(crate) fn first_capacity(g: &Graph) -> usize {
    g.len().saturating_mul(64).min(1 << 20)
}

/// A string as both encoders write it (`escapeStringValue`, then
/// `JSON.stringify`): one more `$` when it starts with `$`. Returns `true`
/// when the text is all ASCII.
#[inline(always)]
pub(crate) fn write_escaped(out: &mut Vec<u8>, s: &JsString) -> bool {
    let bytes = s.as_wtf8();
    let n = bytes.len();
    // Short strings with nothing to escape: quotes and text in one store.
    if n <= 13 {
        if let Some((w, ascii)) = pack_plain(bytes) {
            if bytes.first() == Some(&b'$') {
                put_word(out, 0x2422 | w << 16 | 0x22 << (8 * (n + 2)), n + 3);
            } else {
                put_word(out, 0x22 | w << 8 | 0x22 << (8 * (n + 1)), n + 2);
            }
            return ascii;
        }
    }
    write_escaped_long(out, bytes)
}

/// [`write_escaped`] past its short case.
#[inline(never)]
fn write_escaped_long(out: &mut Vec<u8>, bytes: &[u8]) -> bool {
    let n = bytes.len();
    if n <= 16 {
        // 14 to 16 bytes with nothing to escape: the quotes do not fit in
        // the word with them, and are pushed around it.
        if let Some((w, ascii)) = pack_plain(bytes) {
            out.reserve(n + 3);
            out.push(b'"');
            if bytes.first() == Some(&b'$') {
                out.push(b'$');
            }
            put_word(out, w, n);
            out.push(b'"');
            return ascii;
        }
    } else if n <= 30 && bytes[0] != b'$' {
        // 17 to 30 bytes with nothing to escape, not starting with `$`: the
        // opening quote and the first 15 bytes in one 16-byte store, the
        // last 15 bytes and the closing quote in another (overlapping it).
        if let Some(ascii) = plain_quoted(out, bytes) {
            return ascii;
        }
    }
    out.reserve(bytes.len() + 3);
    out.push(b'"');
    if bytes.first() == Some(&b'$') {
        out.push(b'$');
    }
    let ascii = write_body(out, bytes);
    out.push(b'"');
    ascii
}

/// `"` + `bytes` + `"` for 15 to 30 bytes (`Some(ascii)`), when none of
/// them needs escaping (`None`, nothing written, otherwise): two
/// overlapping 16-byte words, each checked and stored once.
#[inline(always)]
fn plain_quoted(out: &mut Vec<u8>, bytes: &[u8]) -> Option<bool> {
    let n = bytes.len();
    let (Some(head), Some(tail)) = (bytes.first_chunk::<15>(), bytes.last_chunk::<15>()) else { return None };
    // (The two `a`s stand for the quotes.)
    let mut block = [b'a'; BLOCK];
    block[1..16].copy_from_slice(head);
    block[16..31].copy_from_slice(tail);
    let ascii = plain_block(&block)?;
    let mut h = [b'"'; 16];
    h[1..].copy_from_slice(head);
    let mut t = [b'"'; 16];
    t[..15].copy_from_slice(tail);
    let start = out.len();
    out.extend_from_slice(&h);
    out.truncate(start + n + 2 - 16);
    out.extend_from_slice(&t);
    Some(ascii)
}

/// An object member's key as `JSON.stringify` writes it, and the colon.
/// Returns the key's length in UTF-16 units.
#[inline(always)]
pub(crate) fn write_key(out: &mut Vec<u8>, key: &JsString) -> usize {
    let bytes = key.as_wtf8();
    let n = bytes.len();
    // Short keys with nothing to escape (most keys): `"key":` in one store.
    if n <= 13 {
        if let Some((w, ascii)) = pack_plain(bytes) {
            put_word(out, 0x22 | w << 8 | 0x3a22 << (8 * (n + 1)), n + 3);
            return if ascii { n } else { crate::value::string::utf16_units(bytes) };
        }
    }
    write_key_long(out, bytes)
}

/// [`write_key`] past its short case.
#[inline(never)]
fn write_key_long(out: &mut Vec<u8>, bytes: &[u8]) -> usize {
    if let Some((w, ascii)) = pack_plain(bytes) {
        out.reserve(bytes.len() + 3);
        out.push(b'"');
        put_word(out, w, bytes.len());
        out.extend_from_slice(b"\":");
        return if ascii { bytes.len() } else { crate::value::string::utf16_units(bytes) };
    }
    out.reserve(bytes.len() + 3);
    out.push(b'"');
    let ascii = write_body(out, bytes);
    out.extend_from_slice(b"\":");
    if ascii {
        bytes.len()
    } else {
        crate::value::string::utf16_units(bytes)
    }
}

/// Whether a key holds a `:` (a member under such a key gets no path:
/// React splits paths at colons). Keys of up to 16 bytes are tested as two
/// overlapping words, without a call.
#[inline(always)]
pub(crate) fn has_colon(bytes: &[u8]) -> bool {
    let colon = |w: u64| has_zero(w ^ (ONES * u64::from(b':'))) != 0;
    let n = bytes.len();
    if (8..=16).contains(&n) {
        let (Ok(head), Ok(tail)) = (<[u8; 8]>::try_from(&bytes[..8]), <[u8; 8]>::try_from(&bytes[n - 8..])) else {
            return bytes.contains(&b':');
        };
        colon(u64::from_le_bytes(head)) | colon(u64::from_le_bytes(tail))
    } else if (4..8).contains(&n) {
        let (Ok(head), Ok(tail)) = (<[u8; 4]>::try_from(&bytes[..4]), <[u8; 4]>::try_from(&bytes[n - 4..])) else {
            return bytes.contains(&b':');
        };
        colon(u64::from(u32::from_le_bytes(head)) | u64::from(u32::from_le_bytes(tail)) << 32)
    } else if n < 4 {
        // Bytes 0, n / 2 and n - 1 are all of them.
        n > 0 && (bytes[0] == b':' || bytes[n / 2] == b':' || bytes[n - 1] == b':')
    } else {
        bytes.contains(&b':')
    }
}

/// `date.toISOString()` as [`Date::write_iso`] writes it (`false`, nothing
/// written, for an invalid date), with the years 0000 to 9999 done here in
/// unsigned arithmetic and two-digit pairs.
#[inline]
pub(crate) fn write_iso(out: &mut Vec<u8>, date: Date) -> bool {
    /// 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z.
    const FIRST: f64 = -62_167_219_200_000.0;
    const LAST: f64 = 253_402_300_799_999.0;
    let ms = date.millis();
    if !(FIRST..=LAST).contains(&ms) {
        return date.write_iso(out);
    }
    // A time value is an integer (TimeClip): this is exact.
    let since = (ms - FIRST) as u64;
    let (days, rem) = (since / 86_400_000, (since % 86_400_000) as u32);
    // 0000-03-01 is day 60 (0000 is a leap year); before it, the general
    // conversion (days since 1970-01-01: FIRST is 719,528 days before it).
    let (y, m, d) = match days.checked_sub(60).and_then(|n| u32::try_from(n).ok()) {
        Some(n) => civil_from_march_days(n),
        None => {
            let (y, m, d) = crate::value::date::civil_from_days(days as i64 - 719_528);
            (y as u32, m as u32, d as u32)
        }
    };
    let (h, mi, sec, milli) = (rem / 3_600_000, rem / 60_000 % 60, rem / 1000 % 60, rem % 1000);
    // Three words of eight characters, from the two-digit pairs.
    let pair = |v: u32| u64::from(PAIR_WORDS.get(v as usize).copied().unwrap_or(0));
    let (dash, colon) = (u64::from(b'-'), u64::from(b':'));
    let w0 = pair(y / 100) | pair(y % 100) << 16 | dash << 32 | pair(m) << 40 | dash << 56;
    let w1 = pair(d) | u64::from(b'T') << 16 | pair(h) << 24 | colon << 40 | pair(mi) << 48;
    let w2 = colon
        | pair(sec) << 8
        | u64::from(b'.') << 24
        | u64::from(b'0' + (milli / 100) as u8) << 32
        | pair(milli % 100) << 40
        | u64::from(b'Z') << 56;
    let mut buf = [0u8; 24];
    for (to, w) in buf.chunks_exact_mut(8).zip([w0, w1, w2]) {
        to.copy_from_slice(&w.to_le_bytes());
    }
    out.extend_from_slice(&buf);
    true
}

/// Days since 0000-03-01 (up to 10,000 years of them) as (year, month,
/// day): Neri and Schneider's Euclidean affine functions, in unsigned
/// arithmetic with divisions by constants only. The computational year starts
/// in March, so that February (and its leap day) ends it.
#[inline]
fn civil_from_march_days(n: u32) -> (u32, u32, u32) {
    // Century, and the day in it.
    let n1 = 4 * n + 3;
    let century = n1 / 146_097;
    let day_of_century = n1 % 146_097 / 4;
    // Year of the century, and the day in it (from a 2^32 fixed-point product).
    let p = 2_939_745u64 * u64::from(4 * day_of_century + 3);
    let year_of_century = (p >> 32) as u32;
    let day_of_year = (p as u32) / 2_939_745 / 4;
    // Month (from March) and day, from one more affine function.
    let md = 2_141 * day_of_year + 197_913;
    let (month, day) = (md >> 16, (md & 0xffff) / 2_141 + 1);
    // January and February belong to the next civil year.
    let next = day_of_year >= 306;
    (100 * century + year_of_century + u32::from(next), if next { month - 12 } else { month }, day)
}

/// A number as both encoders write it (`serializeNumber`, as
/// `model::write_js_number`): finite numbers as `JSON.stringify` does, `-0`,
/// `NaN` and the infinities as tags. The tag is picked without a branch on
/// which one it is (a value stream that mixes them would mispredict each).
#[inline]
pub(crate) fn write_js_number(out: &mut Vec<u8>, n: f64) {
    /// The tags, padded to one 16-byte word each, and their lengths.
    const TAGS: [([u8; 16], usize); 4] = {
        const fn tag(text: &[u8]) -> ([u8; 16], usize) {
            let mut word = [0u8; 16];
            let mut i = 0;
            while i < text.len() {
                word[i] = text[i];
                i += 1;
            }
            (word, text.len())
        }
        [tag(b"\"$NaN\""), tag(b"\"$-0\""), tag(b"\"$Infinity\""), tag(b"\"$-Infinity\"")]
    };
    if n.is_finite() && n != 0.0 {
        return super::write_number(out, n);
    }
    if n.to_bits() == 0 {
        // 0 (one comparison: a test per kind would mispredict on mixed values).
        return crate::model::write_js_number(out, n);
    }
    // The tag from the bits, by table: NaN 0, -0 1, Infinity 2, -Infinity
    // 3. (Tests on the kind, even arithmetic on `bool`s, can be compiled
    // to branches.)
    const KIND: [usize; 8] = [1, 1, 2, 3, 0, 0, 0, 0];
    let bits = n.to_bits();
    let magnitude = bits & !(1 << 63);
    let infinity = f64::INFINITY.to_bits();
    let index =
        (usize::from(magnitude > infinity) << 2) | (usize::from(magnitude == infinity) << 1) | (bits >> 63) as usize;
    let (word, len) = &TAGS[KIND[index]];
    let start = out.len();
    out.extend_from_slice(word);
    out.truncate(start + len);
}

/// `"<tag><id in lowercase hex>"` (a tag never needs escaping): built in
/// one word and appended with one store for tags of up to two bytes.
#[inline]
pub(crate) fn write_ref(out: &mut Vec<u8>, tag: &str, id: u32) {
    let t = tag.as_bytes();
    let head = match *t {
        [a] => u128::from(a),
        [a, b] => u128::from(a) | u128::from(b) << 8,
        _ => {
            out.push(b'"');
            out.extend_from_slice(t);
            write_hex(out, id);
            out.push(b'"');
            return;
        }
    };
    let (hex, n) = hex_word(id);
    let word = 0x22 | head << 8 | u128::from(hex) << (8 * (1 + t.len())) | 0x22 << (8 * (1 + t.len() + n));
    put_word(out, word, 2 + t.len() + n);
}

/// `id` in lowercase hex.
#[inline]
pub(crate) fn write_hex(out: &mut Vec<u8>, id: u32) {
    let (hex, n) = hex_word(id);
    put_word(out, u128::from(hex), n);
}

/// `<id in lowercase hex>:`, a row's start.
#[inline]
pub(crate) fn write_row_id(out: &mut Vec<u8>, id: u32) {
    let (hex, n) = hex_word(id);
    put_word(out, u128::from(hex) | 0x3a << (8 * n), n + 1);
}

/// The lowercase hex digits of `id` in one word (the first digit in its
/// lowest byte, zeros above the last), and how many there are: every nibble spread to a byte of
/// its own, then all of them made digits at once.
#[inline(always)]
fn hex_word(id: u32) -> (u64, usize) {
    let digits = (32 - (id | 1).leading_zeros() as usize).div_ceil(4);
    let mut x = u64::from(id);
    x = (x | x << 16) & 0x0000_ffff_0000_ffff;
    x = (x | x << 8) & 0x00ff_00ff_00ff_00ff;
    x = (x | x << 4) & (ONES * 0x0f);
    // Nibble k (from the lowest) is byte k: the highest digit first.
    x = x.swap_bytes() >> (8 * (8 - digits));
    // Bytes of 10 and more get `a` - `0` - 10 more.
    let letters = ((x + ONES * 0x76) & (ONES * 0x80)) >> 7;
    // (Cut to the digits: the bytes above them were made `0`s too.)
    ((x + ONES * u64::from(b'0') + letters * 39) & u64::MAX >> (8 * (8 - digits)), digits)
}

/// `0000` to `9999`, four digits each: the text of a number below 10,000
/// is a slice of it (a `str` already, so not checked again).
static FOUR_DIGITS: &str = {
    static BYTES: [u8; 40_000] = four_digit_bytes();
    match std::str::from_utf8(&BYTES) {
        Ok(s) => s,
        Err(_) => panic!("digits are ASCII"),
    }
};

/// The bytes of [`FOUR_DIGITS`].
const fn four_digit_bytes() -> [u8; 40_000] {
    let mut t = [0u8; 40_000];
    let mut n = 0;
    while n < 10_000 {
        t[4 * n] = b'0' + (n / 1000) as u8;
        t[4 * n + 1] = b'0' + (n / 100 % 10) as u8;
        t[4 * n + 2] = b'0' + (n / 10 % 10) as u8;
        t[4 * n + 3] = b'0' + (n % 10) as u8;
        n += 1;
    }
    t
}

/// `n` in decimal, as a new string (a part's name), without `fmt`.
pub(crate) fn decimal(n: u32) -> String {
    if n < 10_000 {
        let at = 4 * n as usize;
        let skip = usize::from(n < 1000) + usize::from(n < 100) + usize::from(n < 10);
        if let Some(text) = FOUR_DIGITS.get(at + skip..at + 4) {
            return text.to_owned();
        }
    }
    let mut buf = [0u8; 10];
    let mut v = n;
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    // ASCII digits pushed as chars: no UTF-8 check of the text.
    let mut text = String::with_capacity(buf.len() - i);
    text.extend(buf[i..].iter().map(|&b| char::from(b)));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_strings_and_keys() {
        let mut out = Vec::new();
        assert!(write_escaped(&mut out, &"$a\"".into()));
        assert!(!write_escaped(&mut out, &"é$".into()));
        assert!(write_escaped(&mut out, &"".into()));
        assert_eq!(write_key(&mut out, &"é\n".into()), 2);
        write_ref(&mut out, "$@", 0x1f);
        for id in [0, 1, 9, 10, 15, 16, 0xabc, 0x1234_5678, 0x9abc_def0, u32::MAX] {
            let mut hex = Vec::new();
            write_hex(&mut hex, id);
            write_row_id(&mut hex, id);
            write_ref(&mut hex, "$", id);
            write_ref(&mut hex, "$Tx", id);
            assert_eq!(String::from_utf8(hex).unwrap(), format!("{id:x}{id:x}:\"${id:x}\"\"$Tx{id:x}\""));
        }
        assert_eq!(String::from_utf8(out).unwrap(), r#""$$a\"""é$""""é\n":"$@1f""#);
        assert_eq!([decimal(0), decimal(10), decimal(u32::MAX)], ["0", "10", "4294967295"]);
        for n in (0..20_000).chain([99_999, 100_000, 1 << 31]) {
            assert_eq!(decimal(n), n.to_string());
        }
    }

    #[test]
    fn keys_and_strings_as_serde_json_escapes_them() {
        let mut rng = crate::test_rng::xorshift(0x5eed_0c01);
        let mut below = |n: u64| rng.next().unwrap_or(0) % n;
        let alphabet: [&str; 10] = ["a", "$", ":", "\"", "\\", "\n", "\u{1}", "é", "\u{7f}", "\u{1f600}"];
        for _ in 0..20_000 {
            let len = below(40) as usize;
            let text: String = (0..len).map(|_| alphabet[below(10) as usize]).collect();
            let s = JsString::from(text.as_str());
            let (mut ours, mut long) = (Vec::new(), Vec::new());
            assert_eq!(write_key(&mut ours, &s), write_key_long(&mut long, s.as_wtf8()), "{text:?}");
            assert_eq!(write_escaped(&mut ours, &s), write_escaped_long(&mut long, s.as_wtf8()), "{text:?}");
            assert_eq!(ours, long, "{text:?}");
            // An independent writer: JSON.stringify's escaping (serde_json's is the same for
            // well-formed text), a `$` doubled at the start.
            let dollar = if text.starts_with('$') { "$" } else { "" };
            let want = format!(
                "{}:{}",
                serde_json::to_string(&text).unwrap(),
                serde_json::to_string(&format!("{dollar}{text}")).unwrap()
            );
            assert_eq!(String::from_utf8(ours).unwrap(), want, "{text:?}");
            assert_eq!(has_colon(s.as_wtf8()), text.contains(':'), "{text:?}");
        }
    }

    #[test]
    fn numbers_as_the_model_writes_them() {
        let specials = [f64::NAN, -f64::NAN, 0.0, -0.0, f64::INFINITY, f64::NEG_INFINITY, 1.5, -2.0, 1e300, -1e-300];
        // Around the small integers' fast path: integers, and not quite.
        let near = (-20_000..=70_000).flat_map(|i| [f64::from(i), f64::from(i) + 0.5, f64::from(i) - 1e-9]);
        for n in specials.into_iter().chain(near) {
            let (mut ours, mut theirs) = (Vec::new(), Vec::new());
            write_js_number(&mut ours, n);
            crate::model::write_js_number(&mut theirs, n);
            assert_eq!(ours, theirs, "{n}");
        }
    }

    #[test]
    fn march_days_as_civil_from_days() {
        // Every day from 0000-03-01 to 9999-12-31.
        for n in 0..3_652_365u32 {
            let (y, m, d) = crate::value::date::civil_from_days(i64::from(n) + 60 - 719_528);
            assert_eq!(civil_from_march_days(n), (y as u32, m as u32, d as u32), "{n}");
        }
    }

    #[test]
    fn iso_dates_as_date_writes_them() {
        let check = |ms: f64| {
            let (mut ours, mut theirs) = (Vec::new(), Vec::new());
            let d = Date::from_millis(ms);
            assert_eq!(write_iso(&mut ours, d), d.write_iso(&mut theirs));
            assert_eq!(ours, theirs, "{ms}");
        };
        let edges = [-62_167_219_200_000.0, 253_402_300_799_999.0, 0.0, -1.0, 951_782_400_000.0, 8.64e15, -8.64e15];
        for ms in edges {
            for delta in [-86_400_001.0, -1.0, 0.0, 1.0, 86_400_000.0] {
                check(ms + delta);
            }
        }
        check(f64::NAN);
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            check((x % 330_000_000_000_000) as f64 - 70_000_000_000_000.0);
        }
    }
}
