//! A serde `Deserializer` over a decoded value graph.
//!
//! It reads any `T: Deserialize` out of a [`Graph`]: numbers into integer
//! types when they fit, plain objects and `Map`s into structs and maps,
//! arrays, `Set`s, iterators, streams and typed arrays into sequences,
//! fulfilled promises as their value. Shared nodes are read once per place
//! they appear (a Rust value has no sharing), so the work is bounded by a
//! budget; cycles and nesting deeper than the depth limit are errors.

use std::cell::{Cell, RefCell};

use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};

use super::path::{describe, describe_entry, in_index, in_key, mismatch, prefix, type_error};
use super::stash::{self, Kind, Stash};
use super::types::ServerRef;
use crate::error::{Error, ErrorKind, Result};
use crate::limits::LimitKind;
use crate::value::{FormEntry, Graph, JsString, NodeId, NodeRef, PromiseState, TypedArrayKind, Value};

/// Shared state of one deserialization.
pub(crate) struct Ctx<'g> {
    g: &'g Graph,
    budget: Cell<u64>,
    max_budget: u64,
    max_depth: usize,
    active: RefCell<Vec<NodeId>>,
}

impl<'g> Ctx<'g> {
    /// `budget`: most units (values, string and binary bytes) read in all;
    /// `max_depth`: deepest nesting of containers.
    pub(crate) fn new(g: &'g Graph, budget: u64, max_depth: usize) -> Self {
        Ctx { g, budget: Cell::new(budget), max_budget: budget, max_depth, active: RefCell::new(Vec::new()) }
    }

    pub(crate) fn de<'c>(&'c self, v: &'g Value) -> De<'c, 'g> {
        De { cx: self, v }
    }

    fn charge(&self, units: u64) -> Result<()> {
        match self.budget.get().checked_sub(units) {
            Some(left) => {
                self.budget.set(left);
                Ok(())
            }
            None => Err(Error::new(ErrorKind::LimitExceeded { limit: LimitKind::LogicalSize, max: self.max_budget })),
        }
    }

    /// Runs `f` inside node `id`: refuses cycles and nesting past the limit.
    fn inside<R>(&self, id: NodeId, f: impl FnOnce() -> Result<R>) -> Result<R> {
        {
            let mut active = self.active.borrow_mut();
            if active.contains(&id) {
                return Err(type_error("a cyclic value cannot be read into a Rust type"));
            }
            if active.len() >= self.max_depth {
                return Err(Error::new(ErrorKind::LimitExceeded {
                    limit: LimitKind::Depth,
                    max: self.max_depth as u64,
                }));
            }
            active.push(id);
        }
        let out = f();
        self.active.borrow_mut().pop();
        out
    }
}

/// The deserializer for one value of the graph.
pub(crate) struct De<'c, 'g> {
    cx: &'c Ctx<'g>,
    v: &'g Value,
}

/// The most promises followed to reach a value (React's own chain limit).
const MAX_CHAIN: usize = 1000;

impl<'c, 'g> De<'c, 'g> {
    /// The value with fulfilled promises and lazies looked through.
    fn resolved(&self) -> Result<&'g Value> {
        let mut v = self.v;
        for _ in 0..MAX_CHAIN {
            match v {
                Value::Node(id) => match self.cx.g.get(*id) {
                    Some(NodeRef::Promise(PromiseState::Fulfilled(x))) => v = x,
                    Some(NodeRef::Lazy(state)) => match state {
                        PromiseState::Fulfilled(x) => v = x,
                        _ => return Ok(v),
                    },
                    Some(_) => return Ok(v),
                    None => return Err(Error::new(ErrorKind::Internal { what: "node id out of range" })),
                },
                _ => return Ok(v),
            }
        }
        Err(Error::new(ErrorKind::CyclicPromise))
    }

    fn node(&self, v: &'g Value) -> Option<(NodeId, NodeRef<'g>)> {
        match v {
            Value::Node(id) => self.cx.g.get(*id).map(|n| (*id, n)),
            _ => None,
        }
    }

    fn found(&self, v: &Value) -> String {
        describe(self.cx.g, v)
    }

    fn integer<V: Visitor<'g>>(self, visitor: V, name: &str, min: i128, max: i128) -> Result<V::Value> {
        let v = self.resolved()?;
        self.cx.charge(1)?;
        match v {
            Value::Node(_) => Err(mismatch(name, self.found(v))),
            _ => scalar_integer(v, visitor, name, min, max),
        }
    }

    fn seq<V: Visitor<'g>>(self, visitor: V, what: &str) -> Result<V::Value> {
        let v = self.resolved()?;
        self.cx.charge(1)?;
        let Some((id, node)) = self.node(v) else { return Err(mismatch(what, self.found(v))) };
        let cx = self.cx;
        cx.inside(id, || match node {
            NodeRef::Array(items) | NodeRef::Set(items) | NodeRef::Iterator(items) => {
                visitor.visit_seq(Items::new(cx, items))
            }
            NodeRef::Stream(s) => visitor.visit_seq(Items::new(cx, &s.items)),
            NodeRef::TypedArray { kind, bytes } => {
                cx.charge(bytes.len() as u64)?;
                visitor.visit_seq(Elements { kind, bytes, at: 0 })
            }
            _ => Err(mismatch(what, describe(cx.g, v))),
        })
    }

    fn map<V: Visitor<'g>>(self, visitor: V, what: &str) -> Result<V::Value> {
        let v = self.resolved()?;
        self.cx.charge(1)?;
        let Some((id, node)) = self.node(v) else { return Err(mismatch(what, self.found(v))) };
        let cx = self.cx;
        cx.inside(id, || match node {
            NodeRef::Object(pairs) => visitor.visit_map(Members { cx, pairs: pairs.iter(), value: None }),
            NodeRef::Map(entries) => visitor.visit_map(Entries { cx, entries: entries.iter(), value: None, index: 0 }),
            NodeRef::FormData(entries) => visitor.visit_map(FormEntries { cx, entries: entries.iter(), value: None }),
            _ => Err(mismatch(what, describe(cx.g, v))),
        })
    }

    fn string<V: Visitor<'g>>(self, visitor: V) -> Result<V::Value> {
        let v = self.resolved()?;
        match v {
            Value::String(s) => {
                self.cx.charge(1 + s.len() as u64)?;
                visitor.visit_borrowed_str(utf8(s)?)
            }
            // A date reads as its ISO string, so `chrono::DateTime` fields work.
            Value::Date(d) if d.is_valid() => {
                self.cx.charge(1)?;
                visitor.visit_string(d.to_iso_string().unwrap_or_default())
            }
            _ => Err(mismatch("string", self.found(v))),
        }
    }

    fn special<V: Visitor<'g>>(self, kind: Kind, visitor: V) -> Result<V::Value> {
        let raw = self.v;
        let v = self.resolved()?;
        self.cx.charge(1)?;
        let node = self.node(v).map(|(_, n)| n);
        let stash = match (kind, v, node) {
            (Kind::Undefined, Value::Undefined, _) => Stash::Undefined,
            (Kind::Date, Value::Date(d), _) => Stash::Date(*d),
            (Kind::BigInt, Value::BigInt(b), _) => Stash::BigInt(b.clone()),
            (Kind::Str, Value::String(s), _) => {
                self.cx.charge(s.len() as u64)?;
                Stash::Str(s.clone())
            }
            (Kind::Binary, _, Some(NodeRef::ArrayBuffer(b))) => Stash::Binary(None, bytes::Bytes::clone(b)),
            (Kind::Binary, _, Some(NodeRef::TypedArray { kind, bytes })) => {
                Stash::Binary(Some(kind), bytes::Bytes::clone(bytes))
            }
            (Kind::Blob, _, Some(NodeRef::Blob(b))) => Stash::Blob(b.clone()),
            (Kind::FormData, _, Some(NodeRef::FormData(entries))) => Stash::FormData(entries.to_vec()),
            (Kind::ServerRef, _, Some(NodeRef::ServerReference(r))) => {
                let ServerRef { id, bound } = ServerRef::of(self.cx.g, r);
                Stash::ServerRef(id, bound)
            }
            (Kind::TempRef, _, Some(NodeRef::TemporaryReference(id))) => Stash::TempRef(id.clone()),
            (Kind::Graph, _, _) => Stash::Graph(self.cx.g.subgraph(raw)),
            (Kind::Map, _, Some(NodeRef::Map(_))) => return self.map(visitor, "Map"),
            (Kind::Set, _, Some(NodeRef::Set(_))) => return self.seq(visitor, "Set"),
            _ => return Err(mismatch(expected_name(kind), self.found(v))),
        };
        stash::put(stash);
        visitor.visit_unit()
    }
}

/// `deserialize_any` for a value that is not a node (strings as `visit_str`).
pub(crate) fn scalar_any<'de, V: Visitor<'de>>(v: &Value, visitor: V) -> Result<V::Value> {
    match v {
        Value::Undefined | Value::Null => visitor.visit_unit(),
        Value::Bool(b) => visitor.visit_bool(*b),
        Value::Number(n) => {
            let integral = n.fract() == 0.0 && n.abs() < 9.223_372_036_854_776e18;
            match (*n, integral) {
                (n, true) if n > 0.0 || (n == 0.0 && n.is_sign_positive()) => visitor.visit_u64(n as u64),
                (n, true) if n < 0.0 => visitor.visit_i64(n as i64),
                (n, _) => visitor.visit_f64(n),
            }
        }
        Value::BigInt(b) => {
            if let Ok(n) = b.as_str().parse::<i64>() {
                visitor.visit_i64(n)
            } else if let Ok(n) = b.as_str().parse::<u64>() {
                visitor.visit_u64(n)
            } else if let Ok(n) = b.as_str().parse::<i128>() {
                visitor.visit_i128(n)
            } else {
                visitor.visit_str(b.as_str())
            }
        }
        Value::String(s) => visitor.visit_str(utf8(s)?),
        Value::Symbol(s) => visitor.visit_str(utf8(s)?),
        Value::Date(d) => match d.to_iso_string() {
            Some(iso) => visitor.visit_string(iso),
            None => Err(mismatch("a valid Date", "Invalid Date")),
        },
        Value::Node(_) => Err(Error::new(ErrorKind::Internal { what: "scalar_any on a node" })),
    }
}

/// An integer type's read of a value that is not a node: a number that is
/// an integer in range, or a bigint in range.
pub(crate) fn scalar_integer<'de, V: Visitor<'de>>(
    v: &Value,
    visitor: V,
    name: &str,
    min: i128,
    max: i128,
) -> Result<V::Value> {
    let n: Option<i128> = match v {
        Value::Number(n) if n.fract() == 0.0 && *n >= min as f64 && *n < max as f64 + 1.0 => Some(*n as i128),
        Value::BigInt(b) => b.as_str().parse::<i128>().ok(),
        _ => None,
    };
    match n {
        Some(n) if n >= min && n <= max => {
            if let Ok(i) = i64::try_from(n) {
                if i < 0 {
                    visitor.visit_i64(i)
                } else {
                    visitor.visit_u64(i as u64)
                }
            } else if n < 0 {
                visitor.visit_i128(n)
            } else {
                visitor.visit_u128(n as u128)
            }
        }
        _ => Err(mismatch(name, describe(&Graph::new(), v))),
    }
}

/// What a wrapper kind is called in messages.
pub(crate) fn expected_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Undefined => "undefined",
        Kind::Date => "Date",
        Kind::BigInt => "bigint",
        Kind::Str => "string",
        Kind::Binary => "ArrayBuffer or typed array",
        Kind::Blob => "Blob or File",
        Kind::FormData => "FormData",
        Kind::ServerRef => "server function",
        Kind::TempRef => "temporary reference",
        Kind::Graph => "value",
        Kind::Map => "Map",
        Kind::Set => "Set",
        Kind::Pending => "a value settled later",
    }
}

/// The text of a string without lone surrogates.
fn utf8(s: &JsString) -> Result<&str> {
    s.as_str().ok_or_else(|| type_error("string holds a lone surrogate (read it as a JsString)"))
}

macro_rules! integer {
    ($($method:ident $t:ty),*) => {$(
        fn $method<V: Visitor<'g>>(self, visitor: V) -> Result<V::Value> {
            self.integer(visitor, stringify!($t), <$t>::MIN as i128, <$t>::MAX as i128)
        }
    )*};
}

impl<'g> de::Deserializer<'g> for De<'_, 'g> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'g>>(self, visitor: V) -> Result<V::Value> {
        let v = self.resolved()?;
        match v {
            Value::String(_) | Value::Date(_) => self.string(visitor),
            Value::Symbol(s) => {
                self.cx.charge(1 + s.len() as u64)?;
                visitor.visit_borrowed_str(utf8(s)?)
            }
            Value::BigInt(b) => {
                self.cx.charge(1 + b.digits() as u64)?;
                scalar_any(v, visitor)
            }
            Value::Undefined | Value::Null | Value::Bool(_) | Value::Number(_) => {
                self.cx.charge(1)?;
                scalar_any(v, visitor)
            }
            Value::Node(_) => match self.node(v).map(|(_, n)| n) {
                Some(
                    NodeRef::Array(_)
                    | NodeRef::Set(_)
                    | NodeRef::Iterator(_)
                    | NodeRef::Stream(_)
                    | NodeRef::TypedArray { .. },
                ) => self.seq(visitor, "array"),
                Some(NodeRef::Object(_) | NodeRef::Map(_) | NodeRef::FormData(_)) => self.map(visitor, "object"),
                Some(NodeRef::ArrayBuffer(b)) => {
                    self.cx.charge(1 + b.len() as u64)?;
                    visitor.visit_borrowed_bytes(b)
                }
                Some(NodeRef::Blob(b)) => {
                    self.cx.charge(1 + b.bytes.len() as u64)?;
                    visitor.visit_borrowed_bytes(&b.bytes)
                }
                _ => Err(mismatch("a value serde can read", self.found(v))),
            },
        }
    }

    fn deserialize_bool<V: Visitor<'g>>(self, visitor: V) -> Result<V::Value> {
        let v = self.resolved()?;
        self.cx.charge(1)?;
        match v {
            Value::Bool(b) => visitor.visit_bool(*b),
            _ => Err(mismatch("boolean", self.found(v))),
        }
    }

    integer!(deserialize_i8 i8, deserialize_i16 i16, deserialize_i32 i32, deserialize_i64 i64,
        deserialize_u8 u8, deserialize_u16 u16, deserialize_u32 u32, deserialize_u64 u64);

    fn deserialize_i128<V: Visitor<'g>>(self, visitor: V) -> Result<V::Value> {
        self.integer(visitor, "i128", i128::MIN, i128::MAX)
    }

    fn deserialize_u128<V: Visitor<'g>>(self, visitor: V) -> Result<V::Value> {
        let v = self.resolved()?;
        match v {
            Value::BigInt(b) if !b.as_str().starts_with('-') => match b.as_str().parse::<u128>() {
                Ok(n) => visitor.visit_u128(n),
                Err(_) => Err(mismatch("u128", self.found(v))),
            },
            _ => self.integer(visitor, "u128", 0, i128::MAX),
        }
    }

    fn deserialize_f32<V: Visitor<'g>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_f64<V: Visitor<'g>>(self, visitor: V) -> Result<V::Value> {
        let v = self.resolved()?;
        self.cx.charge(1)?;
        match v {
            Value::Number(n) => visitor.visit_f64(*n),
            _ => Err(mismatch("number", self.found(v))),
        }
    }

    fn deserialize_char<V: Visitor<'g>>(self, visitor: V) -> Result<V::Value> {
        self.string(visitor)
    }

    fn deserialize_str<V: Visitor<'g>>(self, visitor: V) -> Result<V::Value> {
        self.string(visitor)
    }

    fn deserialize_string<V: Visitor<'g>>(self, visitor: V) -> Result<V::Value> {
        self.string(visitor)
    }

    fn deserialize_bytes<V: Visitor<'g>>(self, visitor: V) -> Result<V::Value> {
        let v = self.resolved()?;
        let bytes = match self.node(v).map(|(_, n)| n) {
            Some(NodeRef::ArrayBuffer(b) | NodeRef::TypedArray { bytes: b, .. }) => b,
            Some(NodeRef::Blob(b)) => &b.bytes,
            _ => return Err(mismatch("binary data", self.found(v))),
        };
        self.cx.charge(1 + bytes.len() as u64)?;
        visitor.visit_borrowed_bytes(bytes)
    }

    fn deserialize_byte_buf<V: Visitor<'g>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_option<V: Visitor<'g>>(self, visitor: V) -> Result<V::Value> {
        match self.resolved()? {
            Value::Undefined | Value::Null => {
                self.cx.charge(1)?;
                visitor.visit_none()
            }
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_unit<V: Visitor<'g>>(self, visitor: V) -> Result<V::Value> {
        let v = self.resolved()?;
        self.cx.charge(1)?;
        match v {
            Value::Undefined | Value::Null => visitor.visit_unit(),
            _ => Err(mismatch("null or undefined", self.found(v))),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'g>>(self, _name: &'static str, visitor: V) -> Result<V::Value> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'g>>(self, name: &'static str, visitor: V) -> Result<V::Value> {
        match Kind::of(name) {
            Some(kind) => self.special(kind, visitor),
            None => visitor.visit_newtype_struct(self),
        }
    }

    fn deserialize_seq<V: Visitor<'g>>(self, visitor: V) -> Result<V::Value> {
        self.seq(visitor, "array")
    }

    fn deserialize_tuple<V: Visitor<'g>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        self.seq(visitor, "array")
    }

    fn deserialize_tuple_struct<V: Visitor<'g>>(self, _: &'static str, _len: usize, visitor: V) -> Result<V::Value> {
        self.seq(visitor, "array")
    }

    fn deserialize_map<V: Visitor<'g>>(self, visitor: V) -> Result<V::Value> {
        self.map(visitor, "object")
    }

    fn deserialize_struct<V: Visitor<'g>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        self.map(visitor, "object")
    }

    fn deserialize_enum<V: Visitor<'g>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        let v = self.resolved()?;
        self.cx.charge(1)?;
        match (v, self.node(v).map(|(_, n)| n)) {
            (Value::String(s), _) => visitor.visit_enum(utf8(s)?.into_deserializer()),
            (_, Some(NodeRef::Object(pairs))) if pairs.len() == 1 => match pairs.at(0) {
                Some((key, value)) => {
                    let key = utf8(key)?;
                    visitor.visit_enum(Variant { cx: self.cx, key, value }).map_err(|e| in_key(e, key))
                }
                None => Err(mismatch("string or object with one key", self.found(v))),
            },
            _ => Err(mismatch("string or object with one key", self.found(v))),
        }
    }

    fn deserialize_identifier<V: Visitor<'g>>(self, visitor: V) -> Result<V::Value> {
        self.string(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'g>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_unit()
    }
}

/// Array-like items.
struct Items<'c, 'g> {
    cx: &'c Ctx<'g>,
    items: std::slice::Iter<'g, Value>,
    index: usize,
}

impl<'c, 'g> Items<'c, 'g> {
    fn new(cx: &'c Ctx<'g>, items: &'g [Value]) -> Self {
        Items { cx, items: items.iter(), index: 0 }
    }
}

impl<'g> de::SeqAccess<'g> for Items<'_, 'g> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'g>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        let Some(v) = self.items.next() else { return Ok(None) };
        let i = self.index;
        self.index += 1;
        seed.deserialize(self.cx.de(v)).map(Some).map_err(|e| in_index(e, i))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

/// A typed array's elements, as numbers (bigints for the 64-bit kinds).
struct Elements<'g> {
    kind: TypedArrayKind,
    bytes: &'g [u8],
    at: usize,
}

impl<'g> de::SeqAccess<'g> for Elements<'g> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'g>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        use TypedArrayKind as K;
        let size = self.kind.element_size();
        let Some(b) = self.bytes.get(self.at..self.at + size) else { return Ok(None) };
        self.at += size;
        let a = |n: usize| -> [u8; 8] {
            let mut x = [0u8; 8];
            x[..n].copy_from_slice(&b[..n]);
            x
        };
        match self.kind {
            K::Int8Array => seed.deserialize((b[0] as i8).into_deserializer()),
            K::Uint8Array | K::Uint8ClampedArray | K::DataView => seed.deserialize(b[0].into_deserializer()),
            K::Int16Array => seed.deserialize(i16::from_le_bytes([b[0], b[1]]).into_deserializer()),
            K::Uint16Array => seed.deserialize(u16::from_le_bytes([b[0], b[1]]).into_deserializer()),
            K::Int32Array => seed.deserialize(i32::from_le_bytes([b[0], b[1], b[2], b[3]]).into_deserializer()),
            K::Uint32Array => seed.deserialize(u32::from_le_bytes([b[0], b[1], b[2], b[3]]).into_deserializer()),
            K::Float32Array => seed.deserialize(f32::from_le_bytes([b[0], b[1], b[2], b[3]]).into_deserializer()),
            K::Float64Array => seed.deserialize(f64::from_le_bytes(a(8)).into_deserializer()),
            K::BigInt64Array => seed.deserialize(i64::from_le_bytes(a(8)).into_deserializer()),
            K::BigUint64Array => seed.deserialize(u64::from_le_bytes(a(8)).into_deserializer()),
        }
        .map(Some)
        .map_err(|e: Error| in_index(e, self.at / size - 1))
    }

    fn size_hint(&self) -> Option<usize> {
        Some((self.bytes.len() - self.at) / self.kind.element_size())
    }
}

/// A plain object's members.
struct Members<'c, 'g> {
    cx: &'c Ctx<'g>,
    pairs: crate::value::members::Iter<'g>,
    value: Option<(&'g str, &'g Value)>,
}

impl<'g> de::MapAccess<'g> for Members<'_, 'g> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'g>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        let Some((k, v)) = self.pairs.next() else { return Ok(None) };
        self.cx.charge(1 + k.len() as u64)?;
        let key = utf8(k)?;
        self.value = Some((key, v));
        seed.deserialize(Key(key)).map(Some).map_err(|e| in_key(e, key))
    }

    fn next_value_seed<V: DeserializeSeed<'g>>(&mut self, seed: V) -> Result<V::Value> {
        let (key, v) = self.value.take().ok_or_else(|| Error::new(ErrorKind::Internal { what: "value before key" }))?;
        seed.deserialize(self.cx.de(v)).map_err(|e| in_key(e, key))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.pairs.len())
    }
}

/// A `Map`'s entries (keys of any type).
struct Entries<'c, 'g> {
    cx: &'c Ctx<'g>,
    entries: std::slice::Iter<'g, (Value, Value)>,
    value: Option<&'g Value>,
    index: usize,
}

impl<'g> de::MapAccess<'g> for Entries<'_, 'g> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'g>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        let Some((k, v)) = self.entries.next() else { return Ok(None) };
        self.value = Some(v);
        self.index += 1;
        let i = self.index - 1;
        seed.deserialize(self.cx.de(k)).map(Some).map_err(|e| prefix_entry(e, i, "key"))
    }

    fn next_value_seed<V: DeserializeSeed<'g>>(&mut self, seed: V) -> Result<V::Value> {
        let v = self.value.take().ok_or_else(|| Error::new(ErrorKind::Internal { what: "value before key" }))?;
        let i = self.index - 1;
        seed.deserialize(self.cx.de(v)).map_err(|e| prefix_entry(e, i, "value"))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// A Map entry in a path: `<entry 3 key>` / `<entry 3 value>`.
fn prefix_entry(e: Error, index: usize, part: &str) -> Error {
    prefix(e, || format!("<entry {index} {part}>"))
}

/// A FormData's entries, by name.
struct FormEntries<'c, 'g> {
    cx: &'c Ctx<'g>,
    entries: std::slice::Iter<'g, (JsString, FormEntry)>,
    value: Option<(&'g str, &'g FormEntry)>,
}

impl<'g> de::MapAccess<'g> for FormEntries<'_, 'g> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'g>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        let Some((k, e)) = self.entries.next() else { return Ok(None) };
        self.cx.charge(1 + k.len() as u64)?;
        let key = utf8(k)?;
        self.value = Some((key, e));
        seed.deserialize(Key(key)).map(Some).map_err(|e| in_key(e, key))
    }

    fn next_value_seed<V: DeserializeSeed<'g>>(&mut self, seed: V) -> Result<V::Value> {
        let (key, e) = self.value.take().ok_or_else(|| Error::new(ErrorKind::Internal { what: "value before key" }))?;
        seed.deserialize(Entry(e)).map_err(|err| in_key(err, key))
    }
}

/// One FormData entry: a string, or a `File` (read as a `Blob` or as bytes).
struct Entry<'de>(&'de FormEntry);

impl<'de> de::Deserializer<'de> for Entry<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.0 {
            FormEntry::Text(t) => visitor.visit_borrowed_str(utf8(t)?),
            FormEntry::File(f) => visitor.visit_borrowed_bytes(&f.bytes),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, name: &'static str, visitor: V) -> Result<V::Value> {
        match (Kind::of(name), self.0) {
            (Some(Kind::Blob), FormEntry::File(f)) => stash::put(Stash::Blob(f.clone())),
            (Some(Kind::Str), FormEntry::Text(t)) => stash::put(Stash::Str(t.clone())),
            (Some(kind), e) => return Err(mismatch(expected_name(kind), describe_entry(e))),
            (None, _) => return visitor.visit_newtype_struct(self),
        }
        visitor.visit_unit()
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_some(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

/// An object key: a string, or an integer for integer-keyed maps (`{"1": …}`
/// into a `HashMap<u32, _>`), as JavaScript property keys are strings.
pub(crate) struct Key<'k>(pub(crate) &'k str);

macro_rules! key_integer {
    ($($method:ident $t:ty),*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
            match self.0.parse::<$t>() {
                Ok(n) => n.into_deserializer().$method(visitor),
                Err(_) => Err(mismatch(stringify!($t), format!("key {:?}", self.0))),
            }
        }
    )*};
}

impl<'de> de::Deserializer<'de> for Key<'_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_str(self.0)
    }

    key_integer!(deserialize_i8 i8, deserialize_i16 i16, deserialize_i32 i32, deserialize_i64 i64,
        deserialize_u8 u8, deserialize_u16 u16, deserialize_u32 u32, deserialize_u64 u64);

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, name: &'static str, visitor: V) -> Result<V::Value> {
        match Kind::of(name) {
            Some(Kind::Str) => {
                stash::put(Stash::Str(self.0.into()));
                visitor.visit_unit()
            }
            Some(kind) => Err(mismatch(expected_name(kind), "object key")),
            None => visitor.visit_newtype_struct(self),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        visitor.visit_enum(self.0.into_deserializer())
    }

    serde::forward_to_deserialize_any! {
        bool i128 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct seq tuple
        tuple_struct map struct identifier ignored_any
    }
}

/// `{"Variant": content}`.
struct Variant<'c, 'g> {
    cx: &'c Ctx<'g>,
    key: &'g str,
    value: &'g Value,
}

impl<'c, 'g> de::EnumAccess<'g> for Variant<'c, 'g> {
    type Error = Error;
    type Variant = De<'c, 'g>;

    fn variant_seed<T: DeserializeSeed<'g>>(self, seed: T) -> Result<(T::Value, Self::Variant)> {
        let tag = seed.deserialize(Key(self.key))?;
        Ok((tag, self.cx.de(self.value)))
    }
}

impl<'g> de::VariantAccess<'g> for De<'_, 'g> {
    type Error = Error;

    fn unit_variant(self) -> Result<()> {
        de::Deserialize::deserialize(self)
    }

    fn newtype_variant_seed<T: DeserializeSeed<'g>>(self, seed: T) -> Result<T::Value> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'g>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        self.seq(visitor, "array")
    }

    fn struct_variant<V: Visitor<'g>>(self, _fields: &'static [&'static str], visitor: V) -> Result<V::Value> {
        self.map(visitor, "object")
    }
}
