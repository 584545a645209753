//! Word-at-a-time byte tests ("SIMD within a register"), shared by the
//! JSON reader and writers, the date reader and the multipart parser:
//! eight bytes in a `u64`, the first byte in memory the lowest.

/// `0x01` in every byte: `ONES * b` is `b` in every byte.
pub(crate) const ONES: u64 = 0x0101_0101_0101_0101;
/// The top bit of every byte.
pub(crate) const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Non-zero if a byte of `w` is zero: the lowest such byte has its top bit
/// set (a borrow may also flag bytes above it, never one below).
#[inline(always)]
pub(crate) fn has_zero(w: u64) -> u64 {
    w.wrapping_sub(ONES) & !w & HIGHS
}

/// For `t`, eight bytes less `0x30` each (`wrapping_sub` of the whole
/// word): the top bit set in each byte that was not an ASCII digit (a
/// digit's byte is now 0..=9, whose top bit stays clear with 0x76 added;
/// any other byte has it set in one or the other). Borrows and carries only
/// come out of non-digits, into the bytes after them: up to the first
/// non-digit the flags are exact.
#[inline(always)]
pub(crate) fn non_digits(t: u64) -> u64 {
    (t | t.wrapping_add(ONES * 0x76)) & HIGHS
}

/// Eight bytes of `src` from `i` as a little-endian word; past the end of
/// `src` the bytes are 0 (which is not a digit or any byte of a number or
/// of a `$` word).
#[inline(always)]
pub(crate) fn load8(src: &[u8], i: usize) -> u64 {
    match src.get(i..i + 8) {
        Some(chunk) => <[u8; 8]>::try_from(chunk).map_or(0, u64::from_le_bytes),
        // Near the end: the last eight bytes, shifted down so that the
        // bytes past the end are the zeros shifted in.
        None => match src.len().checked_sub(8).and_then(|last| Some((last, src.get(last..)?))) {
            Some((last, tail)) if i < src.len() => {
                let w = <[u8; 8]>::try_from(tail).map_or(0, u64::from_le_bytes);
                w >> ((8 * (i - last)) & 63)
            }
            Some(_) => 0,
            None => {
                let mut b = [0u8; 8];
                for (d, s) in b.iter_mut().zip(src.get(i..).unwrap_or_default()) {
                    *d = *s;
                }
                u64::from_le_bytes(b)
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn load8_pads_with_zeros() {
        for len in 0..20usize {
            let src: Vec<u8> = (0..len).map(|k| 0x31 + k as u8).collect();
            for i in 0..len + 10 {
                let mut want = [0u8; 8];
                for (k, w) in want.iter_mut().enumerate() {
                    *w = src.get(i + k).copied().unwrap_or(0);
                }
                assert_eq!(load8(&src, i), u64::from_le_bytes(want), "len {len} at {i}");
            }
        }
    }
}
