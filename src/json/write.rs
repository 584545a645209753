//! Writing strings and numbers exactly as `JSON.stringify` does.

use crate::swar::{has_zero, HIGHS, ONES};
use crate::value::JsString;

/// Appends `JSON.stringify(s)`: the string in double quotes.
///
/// `"` and `\` are escaped with a backslash, as are backspace, form feed,
/// line feed, carriage return and tab (`\b \f \n \r \t`); the other code
/// units below U+0020 become `\u00XX`, and lone surrogates `\udXXX`, in
/// lowercase hex (the well-formed `JSON.stringify` of ES2019). Everything
/// else, including U+2028, U+2029 and U+007F, is written as raw UTF-8.
///
/// ```
/// use flight_codec::json::write_str;
/// use flight_codec::value::JsString;
///
/// let mut out = Vec::new();
/// write_str(&mut out, &JsString::from_utf16(&[0x22, 0x0a, 0x01, 0xe9, 0xd800]));
/// assert_eq!(String::from_utf8(out).unwrap(), r#""\"\n\u0001é\ud800""#);
/// ```
pub fn write_str(out: &mut Vec<u8>, s: &JsString) {
    write_wtf8(out, s.as_wtf8());
}

/// Appends `JSON.stringify(s)` for a Rust string; see [`write_str`].
///
/// ```
/// let mut out = Vec::new();
/// flight_codec::json::write_str_slice(&mut out, "a\"b\u{2028}");
/// assert_eq!(String::from_utf8(out).unwrap(), "\"a\\\"b\u{2028}\"");
/// ```
pub fn write_str_slice(out: &mut Vec<u8>, s: &str) {
    write_wtf8(out, s.as_bytes());
}

const HEX: &[u8; 16] = b"0123456789abcdef";

pub(crate) fn write_wtf8(out: &mut Vec<u8>, bytes: &[u8]) {
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    write_body(out, bytes);
    out.push(b'"');
}

/// Appends `JSON.stringify`'s escaping of `bytes` (WTF-8), without the
/// quotes. Returns `true` when the text is all ASCII (so that its length in
/// UTF-16 units is its length in bytes).
#[inline(always)]
pub(super) fn write_body(out: &mut Vec<u8>, bytes: &[u8]) -> bool {
    if bytes.len() <= 16 {
        if let Some(ascii) = write_short(out, bytes) {
            return ascii;
        }
    } else if bytes.len() <= 32 {
        if let Some(ascii) = write_medium(out, bytes) {
            return ascii;
        }
    }
    write_long(out, bytes)
}

/// [`write_body`] past its short case (kept out of line: the short case is
/// inlined where strings are written): [`BLOCK`] bytes at a time, each
/// block checked at once and copied with one fixed-size store when nothing
/// in it needs escaping.
#[inline(never)]
fn write_long(out: &mut Vec<u8>, bytes: &[u8]) -> bool {
    let mut seen = [0u8; BLOCK];
    let mut scratch = [0u8; SCRATCH];
    let mut i = 0;
    // Each block is written from a window of two (runs are copied a
    // block's length at a time).
    while let Some(window) = bytes.get(i..i + 2 * BLOCK).and_then(|w| <&[u8; 2 * BLOCK]>::try_from(w).ok()) {
        i += write_block(out, window, BLOCK, &mut seen, &mut scratch);
    }
    // The last bytes, padded with `a`s (which need no escaping).
    let rest = bytes.get(i..).unwrap_or_default();
    let mut padded = [b'a'; 4 * BLOCK];
    if let Some(to) = padded.get_mut(..rest.len()) {
        to.copy_from_slice(rest);
    }
    let mut j = 0;
    while let Some(window) = padded.get(j..j + 2 * BLOCK).and_then(|w| <&[u8; 2 * BLOCK]>::try_from(w).ok()) {
        if j >= rest.len() {
            break;
        }
        j += write_block(out, window, (rest.len() - j).min(BLOCK), &mut seen, &mut scratch);
    }
    let (lo, hi) = halves(&seen);
    (lo | hi) & (u128::from(HIGHS) * ((1 << 64) + 1)) == 0
}

/// Bytes [`write_long`] checks at a time (the compiler checks them as two
/// 16-byte vectors).
pub(super) const BLOCK: usize = 32;

/// Room for a block escaped (at most six bytes for each of its bytes), and
/// a block's length more (runs are copied a block at a time).
const SCRATCH: usize = 7 * BLOCK;

/// Writes the block at the start of `window` (its first `len` bytes; the
/// others need no escaping), escaped; returns how many bytes of the window
/// it wrote (the block's, and the rest of a surrogate that it ends with).
/// The block's bytes are or-ed into `seen`; a block with bytes to escape is
/// built in `scratch` and appended at once.
#[inline(always)]
fn write_block(
    out: &mut Vec<u8>,
    window: &[u8; 2 * BLOCK],
    len: usize,
    seen: &mut [u8; BLOCK],
    scratch: &mut [u8; SCRATCH],
) -> usize {
    let (block, _) = window.split_first_chunk::<BLOCK>().unwrap_or((&[0; BLOCK], &[]));
    let mut stops = [0u8; BLOCK];
    for ((stop, s), &b) in stops.iter_mut().zip(seen.iter_mut()).zip(block) {
        *stop = u8::from(stops_at(b));
        *s |= b;
    }
    let (lo, hi) = halves(&stops);
    if lo | hi == 0 {
        let start = out.len();
        out.extend_from_slice(block);
        out.truncate(start + len);
        return len;
    }
    // Bit `k` for byte `k` of the block.
    let mut mask =
        bits(lo as u64) | bits((lo >> 64) as u64) << 8 | bits(hi as u64) << 16 | bits((hi >> 64) as u64) << 24;
    // `block[run..]` is not written yet; `scratch[..at]` is.
    let (mut run, mut at) = (0, 0);
    while mask != 0 {
        let k = mask.trailing_zeros() as usize;
        mask &= mask - 1;
        copy_run(scratch, at, window, run);
        at += k - run;
        let b = block[k];
        run = k + 1;
        let word = if b != 0xed {
            ESCAPES[usize::from(b)]
        } else {
            // 0xED: a surrogate when the next byte is 0xA0 or above.
            match (window.get(k + 1), window.get(k + 2)) {
                (Some(&b1), Some(&b2)) if b1 >= 0xa0 => {
                    // (Its other bytes are not stops.)
                    run = k + 3;
                    surrogate_escape(0xd000 | (u16::from(b1 & 0x3f) << 6) | u16::from(b2 & 0x3f))
                }
                _ => 0xed | 1 << 56,
            }
        };
        if let Some(to) = scratch.get_mut(at..at + 8) {
            to.copy_from_slice(&word.to_le_bytes());
        }
        at += (word >> 56) as usize;
    }
    if run < len {
        copy_run(scratch, at, window, run);
        at += len - run;
    }
    // Most blocks stay short: one fixed-size store.
    match scratch.first_chunk::<{ 2 * BLOCK }>() {
        Some(head) if at <= 2 * BLOCK => {
            let start = out.len();
            out.extend_from_slice(head);
            out.truncate(start + at);
        }
        _ => out.extend_from_slice(scratch.get(..at).unwrap_or_default()),
    }
    run.max(len)
}

/// Copies a block's length of `window` from `from` (at most [`BLOCK`]) to
/// `scratch[at..]`.
#[inline(always)]
fn copy_run(scratch: &mut [u8; SCRATCH], at: usize, window: &[u8; 2 * BLOCK], from: usize) {
    if let (Some(run), Some(to)) = (window.get(from..from + BLOCK), scratch.get_mut(at..at + BLOCK)) {
        to.copy_from_slice(run);
    }
}

/// `\\udXXX` for a lone surrogate, as an [`ESCAPES`] word.
#[inline(always)]
fn surrogate_escape(unit: u16) -> u64 {
    let mut word = *b"\\u0000\0\x06";
    for (d, shift) in word[2..6].iter_mut().zip([12, 8, 4, 0]) {
        *d = HEX[usize::from((unit >> shift) & 0xf)];
    }
    u64::from_le_bytes(word)
}

/// Eight flags (bytes of 0 or 1) as eight bits, byte `k` as bit `k`: each
/// byte's product with the multiplier lands in the top byte once, without
/// carries.
#[inline(always)]
fn bits(flags: u64) -> u32 {
    (flags.wrapping_mul(0x0102_0408_1020_4080) >> 56) as u32
}

/// The two 16-byte halves of a block as little-endian words.
#[inline(always)]
fn halves(block: &[u8; BLOCK]) -> (u128, u128) {
    let (lo, hi) = block.split_at(16);
    let word = |half: &[u8]| <[u8; 16]>::try_from(half).map_or(0, u128::from_le_bytes);
    (word(lo), word(hi))
}

/// How `JSON.stringify` escapes each byte below 0x60 that needs it (`"`,
/// `\`, the control characters), as a little-endian word: the text in the
/// low bytes, its length in the top byte. (0 for every other byte.)
const ESCAPES: [u64; 256] = {
    let mut t = [0u64; 256];
    let mut b = 0;
    while b < 256 {
        let text: [u8; 6] = match b as u8 {
            b'"' => *b"\\\"\0\0\0\0",
            b'\\' => *b"\\\\\0\0\0\0",
            0x08 => *b"\\b\0\0\0\0",
            0x0c => *b"\\f\0\0\0\0",
            b'\n' => *b"\\n\0\0\0\0",
            b'\r' => *b"\\r\0\0\0\0",
            b'\t' => *b"\\t\0\0\0\0",
            0x00..=0x1f => [b'\\', b'u', b'0', b'0', HEX[b >> 4], HEX[b & 0xf]],
            _ => [0; 6],
        };
        let mut len = 0;
        let mut word = 0u64;
        while len < 6 && text[len] != 0 {
            word |= (text[len] as u64) << (8 * len);
            len += 1;
        }
        t[b] = word | (len as u64) << 56;
        b += 1;
    }
    t
};
/// Up to 16 bytes that need no escaping, checked as two overlapping words
/// and copied as two fixed-size pieces (no byte loop, no `memcpy` call):
/// `Some(ascii)` when written, `None` (nothing written) when a byte may
/// need escaping.
#[inline(always)]
fn write_short(out: &mut Vec<u8>, bytes: &[u8]) -> Option<bool> {
    let n = bytes.len();
    let start = out.len();
    if n >= 8 {
        let (Ok(head), Ok(tail)) = (<[u8; 8]>::try_from(&bytes[..8]), <[u8; 8]>::try_from(&bytes[n - 8..])) else {
            return None;
        };
        let (w0, w1) = (u64::from_le_bytes(head), u64::from_le_bytes(tail));
        if special(w0) | special(w1) != 0 {
            return None;
        }
        // bytes[..n - 8] then bytes[n - 8..]: the head's overlap is cut.
        out.extend_from_slice(&head);
        out.truncate(start + n - 8);
        out.extend_from_slice(&tail);
        Some((w0 | w1) & HIGHS == 0)
    } else if n >= 4 {
        let (Ok(head), Ok(tail)) = (<[u8; 4]>::try_from(&bytes[..4]), <[u8; 4]>::try_from(&bytes[n - 4..])) else {
            return None;
        };
        let w = u64::from(u32::from_le_bytes(head)) | u64::from(u32::from_le_bytes(tail)) << 32;
        if special(w) != 0 {
            return None;
        }
        out.extend_from_slice(&head);
        out.truncate(start + n - 4);
        out.extend_from_slice(&tail);
        Some(w & HIGHS == 0)
    } else {
        let mut seen = 0u8;
        for &b in bytes {
            if STOP[usize::from(b)] {
                out.truncate(start);
                return None;
            }
            seen |= b;
            out.push(b);
        }
        Some(seen < 0x80)
    }
}

/// Up to 16 bytes that need no escaping, packed into one word (byte `i`
/// at bits `8 * i`), and whether they are all ASCII; `None` when there are
/// more, or when a byte may need escaping. Two overlapping loads, no byte
/// loop: the callers append the word with its quotes in one store.
#[inline(always)]
pub(super) fn pack_plain(bytes: &[u8]) -> Option<(u128, bool)> {
    let n = bytes.len();
    if n >= 8 {
        let (Some(head), Some(tail)) = (bytes.get(..8), bytes.get(n.checked_sub(8)?..)) else { return None };
        let (Ok(head), Ok(tail)) = (<[u8; 8]>::try_from(head), <[u8; 8]>::try_from(tail)) else { return None };
        let (w0, w1) = (u64::from_le_bytes(head), u64::from_le_bytes(tail));
        if n > 16 || special(w0) | special(w1) != 0 {
            return None;
        }
        // The overlap holds the same bytes in both words.
        Some((u128::from(w0) | u128::from(w1) << (8 * (n - 8)), (w0 | w1) & HIGHS == 0))
    } else if n >= 4 {
        let (Ok(head), Ok(tail)) = (<[u8; 4]>::try_from(&bytes[..4]), <[u8; 4]>::try_from(&bytes[n - 4..])) else {
            return None;
        };
        let (w0, w1) = (u64::from(u32::from_le_bytes(head)), u64::from(u32::from_le_bytes(tail)));
        let both = w0 | w1 << 32;
        if special(both) != 0 {
            return None;
        }
        Some((u128::from(w0 | w1 << (8 * (n - 4))), both & HIGHS == 0))
    } else {
        let mut w = 0u32;
        let mut stop = false;
        for (i, &b) in bytes.iter().enumerate() {
            stop |= STOP[usize::from(b)];
            w |= u32::from(b) << (8 * i);
        }
        if stop {
            return None;
        }
        Some((u128::from(w), w & 0x8080_8080 == 0))
    }
}

/// Appends the first `len` bytes (at most 16) of `word`, little-endian: one
/// 16-byte store, then the length cut back.
#[inline(always)]
pub(super) fn put_word(out: &mut Vec<u8>, word: u128, len: usize) {
    let start = out.len();
    out.extend_from_slice(&word.to_le_bytes());
    out.truncate(start + len);
}

/// [`write_short`] for 17 to 32 bytes: two overlapping 16-byte pieces,
/// checked as one block and copied.
#[inline(always)]
fn write_medium(out: &mut Vec<u8>, bytes: &[u8]) -> Option<bool> {
    let n = bytes.len();
    let (Some(head), Some(tail)) = (bytes.first_chunk::<16>(), bytes.last_chunk::<16>()) else { return None };
    let mut block = [0u8; BLOCK];
    block[..16].copy_from_slice(head);
    block[16..].copy_from_slice(tail);
    let ascii = plain_block(&block)?;
    let start = out.len();
    out.extend_from_slice(head);
    out.truncate(start + n - 16);
    out.extend_from_slice(tail);
    Some(ascii)
}

/// Whether a byte needs escaping (or, 0xED, may: it starts a surrogate
/// in WTF-8).
#[inline(always)]
fn stops_at(b: u8) -> bool {
    // (`b ^ 2` maps the control characters onto themselves and `"` to
    // 0x20: one comparison for them all.)
    ((b ^ 2) <= 0x20) | (b == b'\\') | (b == 0xed)
}

/// `Some(ascii)` when no byte of `block` needs escaping (see
/// [`stops_at`]), `None` otherwise: one loop, which the compiler checks as
/// two 16-byte vectors.
#[inline(always)]
pub(super) fn plain_block(block: &[u8; BLOCK]) -> Option<bool> {
    let (mut stop, mut seen) = (0u8, 0u8);
    for &b in block {
        stop |= u8::from(stops_at(b));
        seen |= b;
    }
    (stop == 0).then_some(seen < 0x80)
}

/// Non-zero when a byte of `w` may need escaping (`"`, `\`, a control
/// character, 0xED); it may also be non-zero for some bytes after one that
/// does (a borrow), never zero when one does.
#[inline(always)]
fn special(w: u64) -> u64 {
    has_zero(w ^ (ONES * u64::from(b'"')))
        | has_zero(w ^ (ONES * u64::from(b'\\')))
        | has_zero(w ^ (ONES * 0xed))
        | (w.wrapping_sub(ONES * 0x20) & !w & HIGHS)
}

/// The bytes that may need escaping: `"`, `\`, control characters, and
/// 0xED (which starts a surrogate in WTF-8).
const STOP: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = b < 0x20 || b == b'"' as usize || b == b'\\' as usize || b == 0xed;
        b += 1;
    }
    t
};

/// 2^53: every integer of smaller magnitude prints as its plain digits.
const EXACT_INT: f64 = 9_007_199_254_740_992.0;

/// Below this magnitude an integer, or a decimal of up to three fraction
/// digits, is written by [`write_fixed`] (past it, by [`write_number_other`]).
const FIXED_MAX: f64 = 1e12;

/// Appends `JSON.stringify(n)`: the shortest decimal that round-trips, in
/// JavaScript's notation (`-0` is `0`, exponents from `1e21` and below
/// `1e-6`: `1e+21`, `1e-7`). Infinities and NaN are written as `null`, as
/// `JSON.stringify` does.
///
/// ```
/// use flight_codec::json::write_number;
/// let mut out = Vec::new();
/// for n in [0.1, -0.0, 1e21, 1e-7, 123.0, f64::NAN] {
///     write_number(&mut out, n);
///     out.push(b' ');
/// }
/// assert_eq!(out, b"0.1 0 1e+21 1e-7 123 null ");
/// ```
pub fn write_number(out: &mut Vec<u8>, n: f64) {
    let a = n.abs();
    // NaN and the infinities fail this test. (`-0 < 0` is false: `-0` is `0`.)
    if a < FIXED_MAX {
        // An integer when its nearest integer converts back unchanged (no
        // library call, unlike `fract`). (Through i64: the u64 conversions
        // take several instructions on x86-64.)
        let int = nearest(a);
        if int as f64 == a {
            if int < 10_000 {
                return write_small_int(out, n < 0.0, int as usize);
            }
            return write_fixed(out, n < 0.0, int as u64, 0);
        }
        // A decimal of one to three fraction digits (a price, an eighth) in
        // `[1e-3, 1e12)` is what the shortest round trip gives for it: with
        // `m` the integer nearest `|n| * 1000`, `m / 1000` (both exact, so one
        // correctly rounded division) equal to `|n|` means the text `m / 1000`
        // reads back as `n`. Below 1e12 one ulp is under 2^-12, far less than
        // 10^-3, so no other text with at most three fraction digits reads
        // back as `n`: the shortest text is `m / 1000` without its trailing
        // zeros (and `n` is not an integer, so `m % 1000` is not 0). In this
        // range JavaScript writes fixed notation.
        if a >= 1e-3 {
            // A tie rounded either way is checked like any other candidate.
            let m = nearest(a * 1000.0);
            if m as f64 / 1000.0 == a {
                let m = m as u64;
                return write_fixed(out, n < 0.0, m / 1000, (m % 1000) as u32);
            }
        }
    }
    write_number_other(out, n);
}

/// The integer nearest `a`, for `0 <= a < 2^52`: added to 2^52, whose
/// unit in the last place is 1, `a` is rounded to an integer that the
/// mantissa then holds. (Two instructions; `as` also checks for NaN and
/// saturates, about ten.)
#[inline(always)]
fn nearest(a: f64) -> i64 {
    const TWO_52: f64 = 4_503_599_627_370_496.0;
    ((a + TWO_52).to_bits() & ((1 << 52) - 1)) as i64
}

/// [`write_number`] past the integers and short decimals below 1e12: the
/// infinities and NaN, larger integers, everything else through `ryu-js`.
#[inline(never)]
fn write_number_other(out: &mut Vec<u8>, n: f64) {
    if !n.is_finite() {
        out.extend_from_slice(b"null");
        return;
    }
    let a = n.abs();
    if a <= EXACT_INT && (a as i64) as f64 == a {
        write_decimal_long(out, n < 0.0, a as i64 as u64, 0);
    } else {
        out.extend_from_slice(ryu_js::Buffer::new().format_finite(n).as_bytes());
    }
}

/// Two-digit pairs `00`..`99`.
const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// [`PAIRS`] as little-endian words: the text of `n` is `PAIR_WORDS[n]`.
pub(super) const PAIR_WORDS: [u16; 100] = {
    let mut t = [0u16; 100];
    let mut i = 0;
    while i < 100 {
        t[i] = u16::from_le_bytes([PAIRS[2 * i], PAIRS[2 * i + 1]]);
        i += 1;
    }
    t
};

/// The text of a fraction of thousandths `f` (1 to 999), trailing zeros
/// cut, as a little-endian word: `.5` for 500, `.125` for 125, `.05` for 50.
const FRACTIONS: [u32; 1000] = {
    let mut t = [0u32; 1000];
    let mut f = 1;
    while f < 1000 {
        let digits = [b'.', b'0' + (f / 100) as u8, b'0' + (f / 10 % 10) as u8, b'0' + (f % 10) as u8];
        let mut len = 4;
        while digits[len - 1] == b'0' {
            len -= 1;
        }
        let mut word = 0u32;
        while len > 0 {
            len -= 1;
            word = word << 8 | digits[len] as u32;
        }
        t[f] = word;
        f += 1;
    }
    t
};

/// The text of `frac` thousandths (none for 0) as a little-endian word, and
/// its length.
#[inline(always)]
fn fraction(frac: u32) -> (u32, u32) {
    match FRACTIONS.get(frac as usize) {
        Some(&word) if word != 0 => (word, (39 - word.leading_zeros()) / 8),
        _ => (0, 0),
    }
}

/// An integer below 10,000 (`-` when `negative`): its text built in one
/// word from the digit pairs, appended with one store.
#[inline(always)]
fn write_small_int(out: &mut Vec<u8>, negative: bool, v: usize) {
    let (digits, len) = if v < 10 {
        (u64::from(b'0') + v as u64, 1)
    } else if v < 100 {
        (u64::from(PAIR_WORDS[v % 100]), 2)
    } else if v < 1000 {
        ((u64::from(b'0') + (v / 100 % 10) as u64) | (u64::from(PAIR_WORDS[v % 100]) << 8), 3)
    } else {
        (u64::from(PAIR_WORDS[v / 100 % 100]) | u64::from(PAIR_WORDS[v % 100]) << 16, 4)
    };
    let sign = usize::from(negative);
    let text = digits << (8 * sign) | (sign as u64 * u64::from(b'-'));
    let start = out.len();
    out.extend_from_slice(&text.to_le_bytes());
    out.truncate(start + len + sign);
}

/// `[-]int[.frac]`: `frac` in thousandths, none when 0; `int` below 10^12.
///
/// Up to 16 characters are built in a register, last character first (the
/// fraction from a table, the integer two digits at a time), and appended as
/// one 16-byte word: appending bytes just stored one at a time with a wide
/// copy stalls on store forwarding, and pushing them one by one costs a
/// capacity check each.
#[inline]
fn write_fixed(out: &mut Vec<u8>, negative: bool, int: u64, frac: u32) {
    if int >= 100_000_000_000 {
        return write_decimal_long(out, negative, int, frac);
    }
    let (word, mut len) = fraction(frac);
    let mut acc = u128::from(word);
    let mut v = int;
    while v >= 100 {
        acc = acc << 16 | u128::from(PAIR_WORDS[(v % 100) as usize]);
        v /= 100;
        len += 2;
    }
    if v >= 10 {
        acc = acc << 16 | u128::from(PAIR_WORDS[v as usize]);
        len += 2;
    } else {
        acc = acc << 8 | u128::from(b'0' + v as u8);
        len += 1;
    }
    if negative {
        acc = acc << 8 | u128::from(b'-');
        len += 1;
    }
    put_word(out, acc, len as usize);
}

/// [`write_fixed`] for integer parts of 12 digits or more (and integers up
/// to 2^53, without a fraction).
#[cold]
fn write_decimal_long(out: &mut Vec<u8>, negative: bool, int: u64, frac: u32) {
    let mut buf = [0u8; 24];
    let mut at = buf.len();
    let mut v = int;
    loop {
        at -= 1;
        buf[at] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    if negative {
        at -= 1;
        buf[at] = b'-';
    }
    out.extend_from_slice(&buf[at..]);
    let (word, len) = fraction(frac);
    out.extend_from_slice(&word.to_le_bytes()[..len as usize]);
}

/// JavaScript's `String(n)`: like [`write_number`], but NaN and the
/// infinities are `"NaN"`, `"Infinity"` and `"-Infinity"`.
///
/// ```
/// use flight_codec::json::number_to_js_string;
/// assert_eq!(number_to_js_string(-0.0), "0");
/// assert_eq!(number_to_js_string(f64::NEG_INFINITY), "-Infinity");
/// assert_eq!(number_to_js_string(2.5e-8), "2.5e-8");
/// ```
pub fn number_to_js_string(n: f64) -> String {
    if n.is_nan() {
        "NaN".to_owned()
    } else if n.is_infinite() {
        if n > 0.0 { "Infinity" } else { "-Infinity" }.to_owned()
    } else {
        let mut out = Vec::with_capacity(24);
        write_number(&mut out, n);
        String::from_utf8(out).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(units: &[u16]) -> String {
        let mut out = Vec::new();
        write_str(&mut out, &JsString::from_utf16(units));
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn escapes() {
        assert_eq!(s(&[]), "\"\"");
        let all: Vec<u16> = (0..0x20).collect();
        assert_eq!(
            s(&all),
            "\"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f\
             \\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f\""
        );
        assert_eq!(s(&[0xdfff, 0xd800, 0xdbff]), "\"\\udfff\\ud800\\udbff\"");
        assert_eq!(s(&[0xd83d, 0xde00, 0xd7ff, 0xe000]), "\"😀\u{d7ff}\u{e000}\"");
        // U+D7FF..U+D000 share the 0xED lead byte with surrogates.
        assert_eq!(s(&[0xd000, 0xed, 0x7f]), "\"\u{d000}í\u{7f}\"");
    }

    #[test]
    fn escapes_in_every_lane() {
        for len in 0..20 {
            let mut units = vec![0x61u16; len];
            units.push(0xdc00);
            units.extend([0x62; 9]);
            let expect = format!("\"{}\\udc00bbbbbbbbb\"", "a".repeat(len));
            assert_eq!(s(&units), expect);
        }
    }

    /// `JSON.stringify` of UTF-16 units, unit by unit.
    fn stringify_units(units: &[u16]) -> String {
        let mut out = String::from("\"");
        for (i, &u) in units.iter().enumerate() {
            let high = (0xd800..0xdc00).contains(&u);
            let low = (0xdc00..0xe000).contains(&u);
            let paired_high = high && units.get(i + 1).is_some_and(|n| (0xdc00..0xe000).contains(n));
            let paired_low = low && i > 0 && (0xd800..0xdc00).contains(&units[i - 1]);
            match u {
                0x22 => out.push_str("\\\""),
                0x5c => out.push_str("\\\\"),
                0x08 => out.push_str("\\b"),
                0x0c => out.push_str("\\f"),
                0x0a => out.push_str("\\n"),
                0x0d => out.push_str("\\r"),
                0x09 => out.push_str("\\t"),
                0..0x20 => out.push_str(&format!("\\u{u:04x}")),
                _ if paired_high => {
                    let c = 0x10000 + ((u32::from(u) - 0xd800) << 10) + (u32::from(units[i + 1]) - 0xdc00);
                    out.push(char::from_u32(c).unwrap());
                }
                _ if paired_low => {}
                _ if high || low => out.push_str(&format!("\\u{u:04x}")),
                _ => out.push(char::from_u32(u32::from(u)).unwrap()),
            }
        }
        out.push('"');
        out
    }

    #[test]
    fn long_strings_as_stringify_escapes_them() {
        let mut rng = crate::test_rng::xorshift(0x5eed_0e5c);
        let mut below = |n: u64| rng.next().unwrap_or(0) % n;
        // Plain text, every byte that needs escaping, 0xED leads of
        // surrogates and of other characters, and multi-byte characters.
        let alphabet: [&[u16]; 18] = [
            &[0x61],
            &[0x20],
            &[0x24],
            &[0x22],
            &[0x5c],
            &[0x0a],
            &[0x01],
            &[0x1f],
            &[0x08],
            &[0x7f],
            &[0xe9],
            &[0x6f22],
            &[0xd83d, 0xde00],
            &[0xd800],
            &[0xdfff],
            &[0xd7ff],
            &[0xd000],
            &[0x2028],
        ];
        for round in 0..20_000 {
            // Mostly plain text (long runs between stops) in some rounds.
            let plain = below(4) == 0;
            let len = below(if round % 10 == 0 { 400 } else { 80 }) as usize;
            let mut units = Vec::new();
            for _ in 0..len {
                let pick = if plain && below(8) != 0 { 0 } else { below(alphabet.len() as u64) as usize };
                units.extend_from_slice(alphabet[pick]);
            }
            let s = JsString::from_utf16(&units);
            let mut out = vec![b'"'];
            let ascii = write_body(&mut out, s.as_wtf8());
            out.push(b'"');
            assert_eq!(String::from_utf8(out).unwrap(), stringify_units(&units), "{units:x?}");
            assert_eq!(ascii, s.as_wtf8().is_ascii(), "{units:x?}");
        }
    }

    #[test]
    fn integers() {
        let cases = [
            (0.0, "0"),
            (-0.0, "0"),
            (1.0, "1"),
            (-1.0, "-1"),
            (10.0, "10"),
            (EXACT_INT, "9007199254740992"),
            (-EXACT_INT, "-9007199254740992"),
            (1e15, "1000000000000000"),
        ];
        for (n, text) in cases {
            let mut out = Vec::new();
            write_number(&mut out, n);
            assert_eq!(out, text.as_bytes());
        }
    }

    #[test]
    fn integers_as_rust_formats_them() {
        let mut out = Vec::new();
        for i in (-20_000i64..=20_000).chain([99_999_999_999, 100_000_000_000, -123_456_789_012, 1 << 53]) {
            out.clear();
            write_number(&mut out, i as f64);
            assert_eq!(String::from_utf8(out.clone()).unwrap(), i.to_string());
        }
    }

    #[test]
    fn short_decimals_are_the_shortest_round_trip() {
        let ryu = |n: f64| ryu_js::Buffer::new().format_finite(n).to_owned();
        let mut x = 0x9e37_79b9u32;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x
        };
        for _ in 0..200_000 {
            let r = next();
            let scale = [10.0, 100.0, 1000.0, 8.0, 3.0][(r % 5) as usize];
            let mag = [1.0, 1e3, 1e6, 1e9, 1e11, 1e12][(r / 5 % 6) as usize];
            let n = (f64::from(next()) / f64::from(u32::MAX) * mag * scale).round() / scale;
            for n in [n, -n, n + 1e-9, n * 1.000_000_1] {
                if n.fract() == 0.0 {
                    continue;
                }
                let mut out = Vec::new();
                write_number(&mut out, n);
                assert_eq!(String::from_utf8(out).unwrap(), ryu(n), "{n:e}");
            }
        }
        for n in [0.001, 0.0015, 0.1, 0.05, 1.5, 999_999_999_999.9, 0.125, 1e12 + 0.5, 0.3, 1.005, 2.675] {
            let mut out = Vec::new();
            write_number(&mut out, n);
            assert_eq!(String::from_utf8(out).unwrap(), ryu(n), "{n:e}");
        }
    }

    #[test]
    fn every_fraction_of_thousandths() {
        let ryu = |n: f64| ryu_js::Buffer::new().format_finite(n).to_owned();
        for int in [0.0, 7.0, 42.0, 99_999_999_999.0, 100_000_000_000.0, 999_999_999_998.0] {
            for f in 0..1000 {
                for n in [int + f64::from(f) / 1000.0, -(int + f64::from(f) / 1000.0)] {
                    let mut out = Vec::new();
                    write_number(&mut out, n);
                    let expect = if n == 0.0 { "0".to_string() } else { ryu(n) };
                    assert_eq!(String::from_utf8(out).unwrap(), expect, "{n:e}");
                }
            }
        }
    }

    #[test]
    fn short_strings_in_every_position() {
        fn naive(text: &str) -> String {
            let mut out = String::from("\"");
            for c in text.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
                    c => out.push(c),
                }
            }
            out.push('"');
            out
        }
        for len in 0..=17 {
            for at in 0..len.max(1) {
                for odd in ['"', '\\', '\n', '\u{1}', 'é', '😀', '\u{d7ff}', 'x'] {
                    let text: String =
                        (0..len).map(|i| if i == at { odd } else { char::from(b'a' + i as u8) }).collect();
                    let mut out = Vec::new();
                    let ascii = write_body(&mut out, text.as_bytes());
                    out.insert(0, b'"');
                    out.push(b'"');
                    assert_eq!(String::from_utf8(out).unwrap(), naive(&text), "{text:?}");
                    assert_eq!(ascii, text.is_ascii(), "{text:?}");
                }
            }
        }
    }
}
