//! Errors of the serde layer: JavaScript-flavoured messages and the path to
//! the value that did not fit (`args[0].tags[2]: expected string, found number`).

use crate::value::NodeRef;
use std::fmt::Display;

use crate::error::{Error, ErrorKind};
use crate::value::{FormEntry, Graph, PromiseState, StreamKind, Value};

/// A type error at the value itself (the path is filled in on the way out).
pub(crate) fn type_error(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Type { path: String::new(), message: message.into() })
}

/// `expected {what}, found {found}`.
pub(crate) fn mismatch(what: impl Display, found: impl Display) -> Error {
    type_error(format!("expected {what}, found {found}"))
}

/// Prefixes the path of a type error with one step; other errors pass.
pub(crate) fn in_index(e: Error, index: usize) -> Error {
    prefix(e, || format!("[{index}]"))
}

/// Prefixes the path of a type error with a property step (`.name` or `["a b"]`).
pub(crate) fn in_key(e: Error, key: &str) -> Error {
    prefix(e, || property(key))
}

/// `.name` for identifiers, `["…"]` otherwise (as JavaScript would write the access).
pub(crate) fn property(key: &str) -> String {
    let ident = key.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    if ident {
        format!(".{key}")
    } else {
        let mut s = String::from("[");
        let mut quoted = Vec::new();
        crate::json::write_str(&mut quoted, &key.into());
        s.push_str(&String::from_utf8_lossy(&quoted));
        s.push(']');
        s
    }
}

pub(crate) fn prefix(mut e: Error, step: impl FnOnce() -> String) -> Error {
    if let Some(ErrorKind::Type { path, .. }) = e.kind_mut() {
        path.insert_str(0, &step());
    }
    e
}

/// Names the root of the path (`args`), once the error is out.
pub(crate) fn rooted(e: Error, root: &str) -> Error {
    prefix(e, || root.to_string())
}

/// What a JavaScript developer calls the type of `v` (`number`, `Map`, `File`).
pub(crate) fn describe(g: &Graph, v: &Value) -> String {
    match v {
        Value::Undefined => "undefined".into(),
        Value::Null => "null".into(),
        Value::Bool(_) => "boolean".into(),
        Value::Number(n) => format!("number {}", crate::json::number_to_js_string(*n)),
        Value::String(_) => "string".into(),
        Value::BigInt(_) => "bigint".into(),
        Value::Date(_) => "Date".into(),
        Value::Symbol(_) => "symbol".into(),
        Value::Node(id) => match g.get(*id) {
            None => "a missing node".into(),
            Some(node) => describe_node(node).into(),
        },
    }
}

fn describe_node(node: NodeRef<'_>) -> &'static str {
    match node {
        NodeRef::Array(_) => "array",
        NodeRef::Object(_) => "object",
        NodeRef::Map(_)
        | NodeRef::Set(_)
        | NodeRef::ArrayBuffer(_)
        | NodeRef::TypedArray { .. }
        | NodeRef::Blob(_)
        | NodeRef::FormData(_) => crate::response::describe::object_name(node),
        NodeRef::ServerReference(_) => "server function",
        NodeRef::TemporaryReference(_) => "temporary reference",
        NodeRef::Promise(PromiseState::Pending) | NodeRef::Lazy(_) => "pending promise",
        NodeRef::Promise(PromiseState::Rejected(_)) => "rejected promise",
        NodeRef::Promise(PromiseState::Fulfilled(_)) => "promise",
        NodeRef::Iterator(_) => "iterator",
        NodeRef::Stream(s) => match s.kind {
            StreamKind::Readable | StreamKind::Bytes => "ReadableStream",
            StreamKind::AsyncIterable | StreamKind::AsyncIterator => "async iterable",
        },
        NodeRef::ClientReference(_) => "client reference",
        NodeRef::Error(_) => "Error",
        NodeRef::Instance(_) => "class instance",
        NodeRef::UnregisteredSymbol(_) => "symbol",
        NodeRef::Function(_) => "function",
        NodeRef::Element(_) => "React element",
    }
}

/// What a FormData entry is called.
pub(crate) fn describe_entry(e: &FormEntry) -> &'static str {
    match e {
        FormEntry::Text(_) => "string",
        FormEntry::File(_) => "File",
    }
}

impl serde::de::Error for Error {
    fn custom<T: Display>(msg: T) -> Self {
        type_error(msg.to_string())
    }

    fn invalid_type(unexp: serde::de::Unexpected<'_>, exp: &dyn serde::de::Expected) -> Self {
        mismatch(exp, unexpected(&unexp))
    }

    fn invalid_value(unexp: serde::de::Unexpected<'_>, exp: &dyn serde::de::Expected) -> Self {
        mismatch(exp, unexpected(&unexp))
    }
}

impl serde::ser::Error for Error {
    fn custom<T: Display>(msg: T) -> Self {
        type_error(msg.to_string())
    }
}

fn unexpected(u: &serde::de::Unexpected<'_>) -> String {
    use serde::de::Unexpected as U;
    match u {
        U::Bool(b) => format!("boolean {b}"),
        U::Unsigned(n) => format!("number {n}"),
        U::Signed(n) => format!("number {n}"),
        U::Float(n) => format!("number {}", crate::json::number_to_js_string(*n)),
        U::Char(c) => format!("string {c:?}"),
        U::Str(s) => format!("string {s:?}"),
        U::Bytes(_) => "binary data".into(),
        U::Unit => "null".into(),
        U::Option => "optional value".into(),
        U::NewtypeStruct => "newtype struct".into(),
        U::Seq => "array".into(),
        U::Map => "object".into(),
        U::Enum => "enum".into(),
        U::UnitVariant => "unit variant".into(),
        U::NewtypeVariant => "newtype variant".into(),
        U::TupleVariant => "tuple variant".into(),
        U::StructVariant => "struct variant".into(),
        U::Other(s) => (*s).into(),
    }
}
