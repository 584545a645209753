//! Decoder limits: on by default, each with a typed error.
//!
//! See `spec/limits.md` for the threat each limit blocks and where it is
//! checked.

/// Limits enforced while decoding. Every limit is on by default.
///
/// The defaults accept every body React 19.3.1 accepts for legitimate data
/// (including values nested 1,000 levels deep and a 10 MB array of long
/// strings) and mirror React's own limits where React has one.
///
/// ```
/// use flight_codec::Limits;
/// let mut limits = Limits::default();
/// limits.max_depth = 64;
/// assert_eq!(limits.max_bigint_digits, 300);
/// assert_eq!(limits.max_array_size, 1_000_000);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Deepest nesting of arrays and objects inside one JSON part (default 2048).
    pub max_depth: usize,
    /// Most FormData entries / multipart parts in one body (default 100,000).
    pub max_parts: usize,
    /// Most bytes in one body (default 64 MiB): the names and values of all
    /// entries together, or, for a multipart body, the raw body.
    pub max_total_bytes: usize,
    /// Largest logical size of the decoded value: the size it would have if
    /// every shared reference were expanded into a copy, counting string and
    /// binary bytes, bigint digits and one unit per array slot, object key,
    /// map entry and set item; a cycle counts once (default 128 Mi units).
    pub max_logical_size: u64,
    /// Most characters after `$n` in a bigint, sign included (React: 300).
    pub max_bigint_digits: usize,
    /// Most bound arguments of a server reference (React: 1000).
    pub max_bound_args: usize,
    /// Longest chain of promises resolving to promises (React: 1000).
    pub max_promise_chain: usize,
    /// Most `:` segments in a path reference (default 4096).
    pub max_path_segments: usize,
    /// React's `arraySizeLimit` (default 1,000,000), for replies: the most
    /// array slots in one array tree (arrays written directly inside
    /// arrays within one part or stream row; an object, or the start of
    /// another part, begins a new tree), each array counting its length
    /// plus one. Every element is one slot, whatever it holds: unlike
    /// React, a string, bigint or typed array is not counted by its length,
    /// and a reference is not counted by the size of what it points to
    /// ([`max_logical_size`](Self::max_logical_size) bounds that). As in
    /// React, a tree is over the limit only if some array in it has more
    /// than one element, so no body React accepts is over this limit (an array
    /// over it behind a promise fails the whole decode, as every error does).
    ///
    /// ```
    /// use flight_codec::reply::{self, DecodeOptions};
    /// let mut opts = DecodeOptions::default();
    /// opts.limits.max_array_size = 10;
    /// // 9 elements: 9 + 1 slots; strings count one slot however long.
    /// let long = format!("\"{}\"", "x".repeat(1000));
    /// assert!(reply::decode_str(&format!("[{}]", [long.as_str(); 9].join(",")), &opts).is_ok());
    /// // [[1,2,3],[4,5,6]]: 3 + 4 + 4 slots in one tree.
    /// assert!(reply::decode_str("[[1,2,3],[4,5,6]]", &opts).unwrap_err().is_limit());
    /// // An object between arrays starts a new tree.
    /// assert!(reply::decode_str(r#"[{"a":[1,2,3,4,5,6]},{"a":[1,2,3,4,5,6]}]"#, &opts).is_ok());
    /// ```
    pub max_array_size: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 2048,
            max_parts: 100_000,
            max_total_bytes: 64 << 20,
            max_logical_size: 128 << 20,
            max_bigint_digits: 300,
            max_bound_args: 1000,
            max_promise_chain: 1000,
            max_path_segments: 4096,
            max_array_size: 1_000_000,
        }
    }
}

impl Limits {
    /// Every limit at its maximum. Use only for trusted input.
    ///
    /// ```
    /// assert_eq!(flight_codec::Limits::unbounded().max_depth, usize::MAX);
    /// ```
    pub fn unbounded() -> Self {
        Limits {
            max_depth: usize::MAX,
            max_parts: usize::MAX,
            max_total_bytes: usize::MAX,
            max_logical_size: u64::MAX,
            max_bigint_digits: usize::MAX,
            max_bound_args: usize::MAX,
            max_promise_chain: usize::MAX,
            max_path_segments: usize::MAX,
            max_array_size: usize::MAX,
        }
    }
}

/// Names a limit in [`ErrorKind::LimitExceeded`](crate::ErrorKind::LimitExceeded).
///
/// ```
/// assert_eq!(flight_codec::LimitKind::Depth.name(), "max_depth");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LimitKind {
    /// [`Limits::max_depth`].
    Depth,
    /// [`Limits::max_parts`].
    Parts,
    /// [`Limits::max_total_bytes`].
    TotalBytes,
    /// [`Limits::max_logical_size`].
    LogicalSize,
    /// [`Limits::max_bigint_digits`].
    BigIntDigits,
    /// [`Limits::max_bound_args`].
    BoundArgs,
    /// [`Limits::max_promise_chain`].
    PromiseChain,
    /// [`Limits::max_path_segments`].
    PathSegments,
    /// [`Limits::max_array_size`].
    ArraySize,
}

impl LimitKind {
    /// The field name in [`Limits`].
    ///
    /// ```
    /// assert_eq!(flight_codec::LimitKind::BigIntDigits.name(), "max_bigint_digits");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            LimitKind::Depth => "max_depth",
            LimitKind::Parts => "max_parts",
            LimitKind::TotalBytes => "max_total_bytes",
            LimitKind::LogicalSize => "max_logical_size",
            LimitKind::BigIntDigits => "max_bigint_digits",
            LimitKind::BoundArgs => "max_bound_args",
            LimitKind::PromiseChain => "max_promise_chain",
            LimitKind::PathSegments => "max_path_segments",
            LimitKind::ArraySize => "max_array_size",
        }
    }
}
