//! A seeded xorshift64 sequence for the unit tests' generated inputs
//! (deterministic: a failure names its input and repeats).

/// The xorshift64 sequence (shifts 13, 7, 17) from `seed`, which must not be 0.
pub(crate) fn xorshift(mut x: u64) -> impl Iterator<Item = u64> {
    std::iter::from_fn(move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        Some(x)
    })
}
