//! A readable tree of a decoded value, for people debugging captured bodies.

use std::collections::HashSet;
use std::fmt::Write as _;

use crate::value::{FormEntry, Graph, NodeRef, PromiseState, StreamEnd, Value};

/// The deepest level indented as such: deeper lines are indented as deep
/// as this and show their level as a number (`[5000] `), so that the text
/// of a deep value stays linear in its size.
const MAX_INDENT: usize = 64;

/// The indentation of a line at `depth`.
fn indent(depth: usize) -> String {
    if depth <= MAX_INDENT {
        "  ".repeat(depth)
    } else {
        format!("{}[{depth}] ", "  ".repeat(MAX_INDENT))
    }
}

/// Renders `g` as an indented tree, one value per line. A node reached a
/// second time (shared, or a cycle) is shown as `→ #<id>`. Lines deeper
/// than 64 levels show their level as a number instead of more indentation
/// (a 20,000-deep value would otherwise be 400 MB of spaces).
///
/// ```
/// let g = flight_codec::reply::decode_str(r#"{"a":[1,"$n2"]}"#, &Default::default())?;
/// let text = flight_codec::inspect::tree(&g);
/// assert!(text.contains("bigint 2"));
/// # Ok::<(), flight_codec::Error>(())
/// ```
pub fn tree(g: &Graph) -> String {
    let mut out = String::new();
    let mut seen = HashSet::new();
    let mut stack: Vec<(usize, String, Value)> = vec![(0, "root".into(), g.root().clone())];
    while let Some((depth, label, v)) = stack.pop() {
        let pad = indent(depth);
        let mut kids: Vec<(String, Value)> = Vec::new();
        let desc = match &v {
            Value::Undefined => "undefined".to_string(),
            Value::Null => "null".to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => format!("number {}", crate::json::number_to_js_string(*n)),
            Value::String(s) => format!("string {s:?}"),
            Value::BigInt(b) => format!("bigint {b}"),
            Value::Date(d) => format!("date {d}"),
            Value::Symbol(s) => format!("symbol {s:?}"),
            Value::Node(id) if !seen.insert(*id) => format!("→ #{}", id.index()),
            Value::Node(id) => {
                let n = g.view(*id);
                let tag = format!("#{}", id.index());
                match n {
                    NodeRef::Array(items) => {
                        kids = items.iter().enumerate().map(|(i, v)| (i.to_string(), v.clone())).collect();
                        format!("array {tag} ({} items)", items.len())
                    }
                    NodeRef::Object(pairs) => {
                        kids = pairs.iter().map(|(k, v)| (format!("{k:?}"), v.clone())).collect();
                        format!("object {tag} ({} keys)", pairs.len())
                    }
                    NodeRef::Map(entries) => {
                        for (i, (k, v)) in entries.iter().enumerate() {
                            kids.push((format!("key {i}"), k.clone()));
                            kids.push((format!("value {i}"), v.clone()));
                        }
                        format!("Map {tag} ({} entries)", entries.len())
                    }
                    NodeRef::Set(items) | NodeRef::Iterator(items) => {
                        kids = items.iter().enumerate().map(|(i, v)| (i.to_string(), v.clone())).collect();
                        format!(
                            "{} {tag} ({} items)",
                            if matches!(n, NodeRef::Set(_)) { "Set" } else { "Iterator" },
                            items.len()
                        )
                    }
                    NodeRef::ArrayBuffer(b) => format!("ArrayBuffer {tag} ({} bytes)", b.len()),
                    NodeRef::TypedArray { kind, bytes } => {
                        format!("{} {tag} ({} bytes)", kind.name(), bytes.len())
                    }
                    NodeRef::Blob(b) => match &b.name {
                        Some(name) => {
                            format!("File {tag} {name:?} type {:?} ({} bytes)", b.content_type, b.bytes.len())
                        }
                        None => format!("Blob {tag} type {:?} ({} bytes)", b.content_type, b.bytes.len()),
                    },
                    NodeRef::FormData(entries) => {
                        let mut s = format!("FormData {tag} ({} entries)", entries.len());
                        for (k, e) in entries {
                            match e {
                                FormEntry::Text(t) => write!(s, "\n{pad}  {k:?}: {t:?}").unwrap_or(()),
                                FormEntry::File(f) => write!(
                                    s,
                                    "\n{pad}  {k:?}: file {:?} ({} bytes)",
                                    f.name.clone().unwrap_or_default(),
                                    f.bytes.len()
                                )
                                .unwrap_or(()),
                            }
                        }
                        s
                    }
                    NodeRef::ServerReference(r) => {
                        let (fid, bound) = (&r.id, &r.bound);
                        kids = bound
                            .iter()
                            .flatten()
                            .enumerate()
                            .map(|(i, v)| (format!("bound {i}"), v.clone()))
                            .collect();
                        format!("server reference {tag} {fid:?}{}", if bound.is_some() { "" } else { " (unbound)" })
                    }
                    NodeRef::TemporaryReference(p) => format!("temporary reference {tag} {p:?}"),
                    NodeRef::Promise(state) => promise("promise", &tag, state, &mut kids),
                    NodeRef::Lazy(state) => promise("lazy", &tag, state, &mut kids),
                    NodeRef::Stream(s) => {
                        kids = s.items.iter().enumerate().map(|(i, v)| (i.to_string(), v.clone())).collect();
                        if let StreamEnd::Closed(r) | StreamEnd::Errored(r) = &s.end {
                            kids.push(("end".into(), r.clone()));
                        }
                        format!("{:?} stream {tag} ({} items)", s.kind, s.items.len())
                    }
                    NodeRef::Error(e) => format!("Error {tag} {:?}", e.message),
                    NodeRef::Instance(name) => format!("instance {tag} {name:?}"),
                    NodeRef::UnregisteredSymbol(d) => format!("Symbol({d:?}) {tag}"),
                    NodeRef::Function(name) => format!("function {tag} {name:?}"),
                    NodeRef::ClientReference(r) => format!("client reference {tag} {:?} {:?}", r.id, r.name),
                    NodeRef::Element(e) => {
                        kids = vec![
                            ("type".into(), e.element_type.clone()),
                            ("key".into(), e.key.clone()),
                            ("props".into(), e.props.clone()),
                        ];
                        format!("element {tag}")
                    }
                }
            }
        };
        let _ = writeln!(out, "{pad}{label}: {desc}");
        for (l, v) in kids.into_iter().rev() {
            stack.push((depth + 1, l, v));
        }
    }
    out
}

/// A promise's or lazy's line; its settled value becomes a child.
fn promise(what: &str, tag: &str, state: &PromiseState, kids: &mut Vec<(String, Value)>) -> String {
    match state {
        PromiseState::Pending => format!("{what} {tag} pending"),
        PromiseState::Fulfilled(v) => {
            kids.push(("fulfilled".into(), v.clone()));
            format!("{what} {tag}")
        }
        PromiseState::Rejected(v) => {
            kids.push(("rejected".into(), v.clone()));
            format!("{what} {tag}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Node;

    #[test]
    fn deep_values_are_indented_up_to_64_levels_then_numbered() {
        let mut g = Graph::new();
        let mut v = Value::Number(1.0);
        for _ in 0..20_000 {
            v = g.add_value(Node::Array(vec![v]));
        }
        g.set_root(v);
        let text = tree(&g);
        let lines = text.lines().count();
        assert_eq!(lines, 20_001);
        // Linear: no line is indented by more than 64 levels.
        assert!(text.len() < lines * 200, "{} bytes for {lines} lines", text.len());
        assert!(text.lines().nth(64).is_some_and(|l| l.starts_with(&"  ".repeat(64)) && !l.contains('[')));
        assert!(
            text.lines().nth(65).is_some_and(|l| l.trim_start().starts_with("[65] 0: array")),
            "{:?}",
            text.lines().nth(65)
        );
        assert!(
            text.lines().last().is_some_and(|l| l.trim_start() == "[20000] 0: number 1"),
            "{:?}",
            text.lines().last()
        );
    }
}
