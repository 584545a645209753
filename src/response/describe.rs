//! React's `describeObjectForErrorMessage`: the excerpt of the parent object
//! that the server's error messages end with (`\n  {fn: function helper}\n
//!        ^^^^^^^^^^^^^^^`).
//!
//! Descriptions nest (an object inside the parent is described in full);
//! React recurses without a limit, so a cyclic parent overflows its stack.
//! Here nesting stops at [`MAX_DEPTH`] with `...`, and the work per message
//! is capped, so a description costs bounded time on any graph.

use crate::json::number_to_js_string;
use crate::value::{Graph, NodeRef, Value};

/// Nesting depth at which a nested object is shown as `...`.
const MAX_DEPTH: usize = 32;
/// A member's description is shown when it is shorter than this (UTF-16
/// units), else it is `...`.
const SHOWN: usize = 10;
/// The most members described per message, over all nesting levels.
const MAX_MEMBERS: usize = 1_000;

/// A member of a container being described.
pub(super) enum Member<'a> {
    /// A value of the graph.
    Value(&'a Value),
    /// A string made up by the encoder (a FormData name, a blob's type).
    Str(&'a str),
    /// An array made up by the encoder (a Map entry `[key, value]`).
    List(Vec<Member<'a>>),
    /// A `Uint8Array` (a blob's bytes).
    Bytes,
    /// `Promise.resolve(bound)`.
    Promise,
    /// React's element marker symbol.
    ElementMarker,
}

/// What holds the failing value: its members and whether it is an object.
pub(super) struct Parent<'a> {
    /// `{…}` (with these keys) or `[…]` (keys are indices).
    pub object: bool,
    /// Keys and members in order.
    pub members: Vec<(String, Member<'a>)>,
}

struct Describer<'g> {
    g: &'g Graph,
    budget: usize,
}

/// The text React appends to an error about `parent[key]`:
/// `"\n  " + excerpt` and, when the key was found, a caret line under it.
pub(super) fn describe(g: &Graph, parent: &Parent<'_>, key: &str) -> String {
    let mut d = Describer { g, budget: MAX_MEMBERS };
    let (text, at) = d.container(parent.object, &parent.members, Some(key), 0, usize::MAX);
    match at {
        Some((start, len)) if len > 0 => {
            format!("\n  {text}\n  {}{}", " ".repeat(start), "^".repeat(len))
        }
        _ => format!("\n  {text}"),
    }
}

/// `"name"` as React prints a key: bare when `JSON.stringify` adds nothing
/// but the quotes.
fn key_text(name: &str) -> String {
    let mut out = Vec::new();
    crate::json::write_str_slice(&mut out, name);
    let quoted = String::from_utf8(out).unwrap_or_default();
    if quoted.len() == name.len() + 2 && &quoted[1..quoted.len() - 1] == name {
        name.to_string()
    } else {
        quoted
    }
}

fn utf16_len(s: &str) -> usize {
    crate::value::string::utf16_units(s.as_bytes())
}

impl Describer<'_> {
    /// `describeObjectForErrorMessage` of a container; returns the text and,
    /// when `expanded` names a member, where its description starts and how
    /// long it is (in UTF-16 units, as JavaScript counts).
    fn container(
        &mut self,
        object: bool,
        members: &[(String, Member<'_>)],
        expanded: Option<&str>,
        depth: usize,
        cap: usize,
    ) -> (String, Option<(usize, usize)>) {
        let mut s = String::from(if object { "{" } else { "[" });
        // `s`'s length in UTF-16 units, kept as it grows (measuring it again
        // for each member made long containers quadratic).
        let mut units = 1;
        let push = |s: &mut String, units: &mut usize, text: &str| {
            s.push_str(text);
            *units += utf16_len(text);
        };
        let mut at = None;
        for (i, (name, m)) in members.iter().enumerate() {
            if i > 0 {
                push(&mut s, &mut units, ", ");
            }
            if self.budget == 0 {
                // Out of budget: the rest is one `...` (React would go on).
                push(&mut s, &mut units, "...");
                break;
            }
            if object {
                push(&mut s, &mut units, &key_text(name));
                push(&mut s, &mut units, ": ");
            }
            // A member is shown only if it is under 10 units (or is the
            // expanded one), so its description stops once it reaches 10.
            let is_expanded = expanded == Some(name.as_str());
            let text = self.member(m, depth, if is_expanded { usize::MAX } else { SHOWN });
            // Text of 4 × SHOWN bytes or more is never under SHOWN units.
            let text_units = if is_expanded || text.len() < 4 * SHOWN { utf16_len(&text) } else { usize::MAX };
            if is_expanded {
                at = Some((units, text_units));
                push(&mut s, &mut units, &text);
            } else if text_units < SHOWN && units + text_units < 40 {
                push(&mut s, &mut units, &text);
            } else {
                push(&mut s, &mut units, "...");
            }
            if units >= cap {
                // Too long to be shown: the caller writes `...` for it.
                return (s, at);
            }
        }
        s.push(if object { '}' } else { ']' });
        (s, at)
    }

    fn member(&mut self, m: &Member<'_>, depth: usize, cap: usize) -> String {
        if self.budget == 0 || depth >= MAX_DEPTH {
            return "...".to_string();
        }
        self.budget -= 1;
        match m {
            Member::Value(v) => self.value(v, depth, cap),
            Member::Str(s) => string(s),
            Member::List(items) => {
                let members: Vec<(String, Member<'_>)> =
                    items.iter().enumerate().map(|(i, m)| (i.to_string(), m.shallow())).collect();
                self.container(false, &members, None, depth + 1, cap).0
            }
            Member::Bytes => "Uint8Array".to_string(),
            Member::Promise => "Promise".to_string(),
            Member::ElementMarker => "Symbol(react.transitional.element)".to_string(),
        }
    }

    fn value(&mut self, v: &Value, depth: usize, cap: usize) -> String {
        match v {
            Value::Undefined => "undefined".to_string(),
            Value::Null => "Null".to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => number_to_js_string(*n),
            Value::String(s) => string(&s.to_string_lossy()),
            Value::BigInt(b) => b.as_str().to_string(),
            Value::Date(_) => "Date".to_string(),
            Value::Symbol(name) => format!("Symbol({})", name.to_string_lossy()),
            Value::Node(id) => self.node(self.g.view(*id), depth, cap),
        }
    }

    fn node(&mut self, n: NodeRef<'_>, depth: usize, cap: usize) -> String {
        let g = self.g;
        match n {
            // Only the members the budget can reach (and one more, which
            // shows as `...`), so a shared large container costs the budget,
            // not its length, each time it is described.
            NodeRef::Array(items) => {
                let members: Vec<(String, Member<'_>)> = items
                    .iter()
                    .take(self.budget.min(cap) + 1)
                    .enumerate()
                    .map(|(i, v)| (i.to_string(), Member::Value(v)))
                    .collect();
                self.container(false, &members, None, depth + 1, cap).0
            }
            NodeRef::Object(pairs) => {
                let members: Vec<(String, Member<'_>)> = pairs
                    .iter()
                    .take(self.budget.min(cap) + 1)
                    .map(|(k, v)| (k.to_string_lossy().into_owned(), Member::Value(v)))
                    .collect();
                self.container(true, &members, None, depth + 1, cap).0
            }
            // A class instance or null-prototype object: the model keeps no
            // fields, so it shows as an empty object.
            NodeRef::Instance(_) => "{}".to_string(),
            NodeRef::Element(e) => format!("<{}/>", element_type(g, &e.element_type)),
            NodeRef::ClientReference(_) => "client".to_string(),
            NodeRef::Function(name) => {
                if name.is_empty() {
                    "function".to_string()
                } else {
                    format!("function {}", name.to_string_lossy())
                }
            }
            NodeRef::UnregisteredSymbol(name) => format!("Symbol({})", name.to_string_lossy()),
            NodeRef::ServerReference(r) => {
                let id = r.id.to_string_lossy();
                let name = id.rsplit('#').next().unwrap_or_default();
                if name.is_empty() {
                    "function".to_string()
                } else {
                    format!("function {name}")
                }
            }
            NodeRef::TemporaryReference(_) | NodeRef::Lazy(_) => "function".to_string(),
            other => object_name(other).to_string(),
        }
    }
}

impl Member<'_> {
    fn shallow(&self) -> Member<'_> {
        match self {
            Member::Value(v) => Member::Value(v),
            Member::Str(s) => Member::Str(s),
            Member::List(items) => Member::List(items.iter().map(Member::shallow).collect()),
            Member::Bytes => Member::Bytes,
            Member::Promise => Member::Promise,
            Member::ElementMarker => Member::ElementMarker,
        }
    }
}

/// `describeValueForErrorMessage` of a string: quoted, cut at 10 units.
fn string(s: &str) -> String {
    let units: Vec<u16> = s.encode_utf16().collect();
    let cut = if units.len() <= 10 { s.to_string() } else { String::from_utf16_lossy(&units[..10]) + "..." };
    let mut out = Vec::new();
    crate::json::write_str_slice(&mut out, &cut);
    String::from_utf8(out).unwrap_or_default()
}

/// `Object.prototype.toString` names of the built-ins.
pub(crate) fn object_name(n: NodeRef<'_>) -> &'static str {
    match n {
        NodeRef::Map(_) => "Map",
        NodeRef::Set(_) => "Set",
        NodeRef::ArrayBuffer(_) => "ArrayBuffer",
        NodeRef::TypedArray { kind, .. } => kind.name(),
        NodeRef::Blob(b) if b.name.is_some() => "File",
        NodeRef::Blob(_) => "Blob",
        NodeRef::FormData(_) => "FormData",
        NodeRef::Promise(_) => "Promise",
        NodeRef::Iterator(_) => "Generator",
        NodeRef::Stream(s) => match s.kind {
            crate::value::StreamKind::Readable | crate::value::StreamKind::Bytes => "ReadableStream",
            crate::value::StreamKind::AsyncIterable => "Object",
            crate::value::StreamKind::AsyncIterator => "AsyncGenerator",
        },
        NodeRef::Error(_) => "Error",
        _ => "Object",
    }
}

/// `describeElementType`.
fn element_type(g: &Graph, t: &Value) -> String {
    match t {
        Value::String(s) => s.to_string_lossy().into_owned(),
        Value::Symbol(s) if **s == *"react.suspense" => "Suspense".to_string(),
        Value::Symbol(s) if **s == *"react.suspense_list" => "SuspenseList".to_string(),
        Value::Symbol(s) if **s == *"react.view_transition" => "ViewTransition".to_string(),
        Value::Node(id) => match g.view(*id) {
            NodeRef::Lazy(crate::value::PromiseState::Fulfilled(v)) => element_type(g, v),
            _ => String::new(),
        },
        _ => String::new(),
    }
}
