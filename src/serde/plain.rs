//! A value graph in other serde formats (JSON, CBOR, …): written as the
//! nearest plain data, read back from any self-describing format.

use std::cell::RefCell;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{self, Serialize, SerializeMap, SerializeSeq, Serializer};

use super::types::{ArrayBuffer, FormData, JsMap, ServerRef, TemporaryReference, TypedArray};
use crate::value::{Graph, JsString, Node, NodeId, NodeRef, PromiseState, Value};

/// Deepest nesting written (a plain format has no references, so every
/// level is a recursion).
const MAX_DEPTH: usize = 128;

/// Writes `g`'s root as plain data. Shared nodes are written at each place;
/// cycles and nesting deeper than 128 levels are errors.
pub(crate) fn serialize<S: Serializer>(g: &Graph, s: S) -> Result<S::Ok, S::Error> {
    let active = RefCell::new(Vec::new());
    View { g, v: g.root(), active: &active }.serialize(s)
}

struct View<'g> {
    g: &'g Graph,
    v: &'g Value,
    active: &'g RefCell<Vec<NodeId>>,
}

impl<'g> View<'g> {
    fn at(&self, v: &'g Value) -> View<'g> {
        View { g: self.g, v, active: self.active }
    }
}

impl Serialize for View<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let id = match self.v {
            Value::Undefined | Value::Null => return s.serialize_unit(),
            Value::Bool(b) => return s.serialize_bool(*b),
            Value::Number(n) => return s.serialize_f64(*n),
            Value::String(t) => return t.serialize(s),
            Value::Symbol(t) => return t.serialize(s),
            Value::BigInt(b) => return b.serialize(s),
            Value::Date(d) => return d.serialize(s),
            Value::Node(id) => *id,
        };
        {
            let mut active = self.active.borrow_mut();
            if active.contains(&id) {
                return Err(ser::Error::custom("a cyclic value cannot be written as plain data"));
            }
            if active.len() >= MAX_DEPTH {
                return Err(ser::Error::custom("value nested deeper than 128 levels"));
            }
            active.push(id);
        }
        let out = self.node(id, s);
        self.active.borrow_mut().pop();
        out
    }
}

impl View<'_> {
    fn node<S: Serializer>(&self, id: NodeId, s: S) -> Result<S::Ok, S::Error> {
        let seq = |s: S, items: &[Value]| {
            let mut q = s.serialize_seq(Some(items.len()))?;
            for v in items {
                q.serialize_element(&self.at(v))?;
            }
            q.end()
        };
        match self.g.view(id) {
            NodeRef::Array(items) | NodeRef::Set(items) | NodeRef::Iterator(items) => seq(s, items),
            NodeRef::Stream(st) => seq(s, &st.items),
            NodeRef::Object(pairs) => {
                let mut m = s.serialize_map(Some(pairs.len()))?;
                for (k, v) in pairs {
                    m.serialize_entry(k, &self.at(v))?;
                }
                m.end()
            }
            NodeRef::Map(entries) => {
                JsMap(entries.iter().map(|(k, v)| (self.at(k), self.at(v))).collect::<Vec<_>>()).serialize(s)
            }
            NodeRef::Promise(PromiseState::Fulfilled(v)) => self.at(v).serialize(s),
            NodeRef::Lazy(state) => match state {
                PromiseState::Fulfilled(v) => self.at(v).serialize(s),
                _ => Err(ser::Error::custom("a pending or rejected promise cannot be written as plain data")),
            },
            NodeRef::ArrayBuffer(b) => ArrayBuffer(bytes::Bytes::clone(b)).serialize(s),
            NodeRef::TypedArray { kind, bytes } => TypedArray { kind, bytes: bytes::Bytes::clone(bytes) }.serialize(s),
            NodeRef::Blob(b) => b.serialize(s),
            NodeRef::FormData(e) => FormData(e.to_vec()).serialize(s),
            NodeRef::ServerReference(r) => ServerRef::of(self.g, r).serialize(s),
            NodeRef::TemporaryReference(t) => TemporaryReference(t.clone()).serialize(s),
            _ => Err(ser::Error::custom(format!(
                "{} cannot be written as plain data",
                super::path::describe(self.g, &Value::Node(id))
            ))),
        }
    }
}

/// Reads a graph from any self-describing format: unit is `null`, integers
/// and floats are numbers, maps are plain objects (string keys).
pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Graph, D::Error> {
    let mut g = Graph::new();
    let root = Build(&mut g).deserialize(d)?;
    g.set_root(root);
    Ok(g)
}

struct Build<'a>(&'a mut Graph);

impl<'de> DeserializeSeed<'de> for Build<'_> {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Build<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v as f64))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v as f64))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Number(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(JsString::from(v)))
    }
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Value, E> {
        let kind = crate::value::TypedArrayKind::Uint8Array;
        Ok(self.0.add_value(Node::TypedArray { kind, bytes: Box::new(v.to_vec().into()) }))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(v) = a.next_element_seed(Build(&mut *self.0))? {
            items.push(v);
        }
        Ok(self.0.add_value(Node::Array(items)))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Value, A::Error> {
        let mut pairs = Vec::new();
        while let Some(k) = a.next_key::<String>()? {
            let v = a.next_value_seed(Build(&mut *self.0))?;
            pairs.push((JsString::from(k.as_str()), v));
        }
        Ok(self.0.add_value(Node::object(pairs)))
    }
}
