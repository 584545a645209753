//! How the JavaScript-only kinds cross serde's data model.
//!
//! serde has no words for a `Date`, a bigint or a `Blob`. Each wrapper type
//! passes through serde as a newtype struct with a reserved name
//! ([`Kind::name`]). This crate's serializers and deserializers recognise the
//! name and hand the value over whole, through a per-thread slot, instead of
//! through serde's primitive calls: no copy of binary data, no loss of lone
//! surrogates. Any other serde format sees an ordinary newtype struct and
//! gets a plain representation (an ISO string for a date, digits for a
//! bigint, bytes for binary data).

use std::cell::{Cell, RefCell};

use bytes::Bytes;

use crate::value::{BigInt, Blob, Date, FormEntry, Graph, JsString, TypedArrayKind};

/// The reserved newtype names, one per wrapper.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Undefined,
    Date,
    BigInt,
    Str,
    Binary,
    Blob,
    FormData,
    ServerRef,
    TempRef,
    Graph,
    Map,
    Set,
    Pending,
}

impl Kind {
    pub(crate) const ALL: [Kind; 13] = [
        Kind::Undefined,
        Kind::Date,
        Kind::BigInt,
        Kind::Str,
        Kind::Binary,
        Kind::Blob,
        Kind::FormData,
        Kind::ServerRef,
        Kind::TempRef,
        Kind::Graph,
        Kind::Map,
        Kind::Set,
        Kind::Pending,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Undefined => "$flight_codec::Undefined",
            Kind::Date => "$flight_codec::Date",
            Kind::BigInt => "$flight_codec::BigInt",
            Kind::Str => "$flight_codec::JsString",
            Kind::Binary => "$flight_codec::Binary",
            Kind::Blob => "$flight_codec::Blob",
            Kind::FormData => "$flight_codec::FormData",
            Kind::ServerRef => "$flight_codec::ServerRef",
            Kind::TempRef => "$flight_codec::TemporaryReference",
            Kind::Graph => "$flight_codec::Graph",
            Kind::Map => "$flight_codec::Map",
            Kind::Set => "$flight_codec::Set",
            Kind::Pending => "$flight_codec::Pending",
        }
    }

    pub(crate) fn of(name: &str) -> Option<Kind> {
        if !name.starts_with("$flight_codec::") {
            return None;
        }
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// A value handed over whole.
pub(crate) enum Stash {
    Undefined,
    Date(Date),
    BigInt(BigInt),
    Str(JsString),
    /// An `ArrayBuffer` (`kind: None`) or a typed array.
    Binary(Option<TypedArrayKind>, Bytes),
    Blob(Blob),
    FormData(Vec<(JsString, FormEntry)>),
    /// A server reference: id and bound arguments (an array value).
    ServerRef(JsString, Option<Graph>),
    TempRef(JsString),
    Graph(Graph),
    /// A promise or stream that a future or a stream settles later.
    #[cfg(feature = "async")]
    Pending(super::pending::Source),
}

thread_local! {
    static SLOT: RefCell<Option<Stash>> = const { RefCell::new(None) };
    static CAPTURING: Cell<bool> = const { Cell::new(false) };
}

/// Leaves `s` for the wrapper (deserializing) or the serializer.
pub(crate) fn put(s: Stash) {
    SLOT.with(|slot| *slot.borrow_mut() = Some(s));
}

/// Takes what was left, if anything.
pub(crate) fn take() -> Option<Stash> {
    SLOT.with(|slot| slot.borrow_mut().take())
}

/// `true` while this crate's serializer waits for a wrapper to hand itself over.
pub(crate) fn capturing() -> bool {
    CAPTURING.with(Cell::get)
}

/// Runs `f` with capturing on, and returns what it left.
pub(crate) fn capture<T>(f: impl FnOnce() -> T) -> (T, Option<Stash>) {
    let before = CAPTURING.with(|c| c.replace(true));
    take();
    let out = f();
    CAPTURING.with(|c| c.set(before));
    (out, take())
}
