//! Progressive-enhancement form posts: `decodeAction`, `decodeFormState`, and
//! the fields React DOM renders for `<form action={serverFunction}>`.

use bytes::Bytes;

use super::backing::Backing;
use super::decode::Decoder;
use super::{encode, DecodeOptions, EncodeOptions};
use crate::error::{Error, ErrorKind, Result};
use crate::multipart;
use crate::value::{FormEntry, Graph, JsString, Node, NodeId, NodeRef, PromiseState, Value};

/// A decoded form action: which server function to call, its bound
/// arguments, and the FormData to pass it (without the `$ACTION_` fields).
///
/// ```
/// use flight_codec::value::{FormEntry, JsString};
/// let fields = vec![
///     (JsString::from("$ACTION_ID_mod#echo"), FormEntry::Text("".into())),
///     (JsString::from("title"), FormEntry::Text("hello".into())),
/// ];
/// let action = flight_codec::reply::decode_action(fields, &Default::default())?.unwrap();
/// assert_eq!(action.id, "mod#echo");
/// assert!(action.bound.is_none());
/// assert_eq!(action.to_notation(), r#"{"id":"mod#echo","bound":null,"formData":{"formData":[["title","hello"]]}}"#);
/// # Ok::<(), flight_codec::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Action {
    /// The graph holding the bound arguments and the FormData.
    pub graph: Graph,
    /// The server function id.
    pub id: JsString,
    /// Bound arguments (`None` for `$ACTION_ID_` forms and unbound references).
    pub bound: Option<Vec<Value>>,
    /// The FormData node passed to the action.
    pub form_data: NodeId,
}

impl Action {
    /// `{"id":…,"bound":[…] or null,"formData":…}` with values in notation.
    ///
    /// ```
    /// use flight_codec::value::{FormEntry, JsString};
    /// let fields = vec![
    ///     (JsString::from("$ACTION_REF_1"), FormEntry::Text("".into())),
    ///     (JsString::from("$ACTION_1:0"), FormEntry::Text(r#"{"id":"m#f","bound":"$@1"}"#.into())),
    ///     (JsString::from("$ACTION_1:1"), FormEntry::Text("[1]".into())),
    /// ];
    /// let a = flight_codec::reply::decode_action(fields, &Default::default())?.unwrap();
    /// assert_eq!(a.to_notation(), r#"{"id":"m#f","bound":[1],"formData":{"formData":[]}}"#);
    /// # Ok::<(), flight_codec::Error>(())
    /// ```
    pub fn to_notation(&self) -> String {
        // One naming for the bound arguments and the FormData together.
        let mut roots: Vec<Value> = self.bound.clone().unwrap_or_default();
        roots.push(Value::Node(self.form_data));
        let mut texts = crate::notation::to_strings(&self.graph, &roots);
        let form = texts.pop().unwrap_or_default();
        let bound = match self.bound {
            Some(_) => format!("[{}]", texts.join(",")),
            None => "null".to_string(),
        };
        let mut out = b"{\"id\":".to_vec();
        crate::json::write_str(&mut out, &self.id);
        out.extend_from_slice(format!(",\"bound\":{bound},\"formData\":{form}}}").as_bytes());
        String::from_utf8(out).unwrap_or_default()
    }
}

/// The `$ACTION_KEY` state of a `useActionState` form post:
/// `decodeFormState` returns `[result, key_path, reference_id, bound_count - 1]`.
///
/// ```
/// let s = flight_codec::reply::FormState { key_path: "k1".into(), reference_id: "m#f".into(), bound_count: 1 };
/// assert_eq!(s.bound_count, 1);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct FormState {
    /// The `$ACTION_KEY` value.
    pub key_path: JsString,
    /// The server function id.
    pub reference_id: JsString,
    /// The number of bound arguments (React reports this minus one).
    pub bound_count: usize,
}

fn action_key(entries: &[(JsString, FormEntry)], id_too: bool) -> Option<JsString> {
    let mut key = None;
    for (name, _) in entries {
        if name.starts_with("$ACTION_REF_") || (id_too && name.starts_with("$ACTION_ID_")) {
            key = Some(name.clone());
        }
    }
    key
}

/// Decodes the bound-action metadata `{id, bound}` under `$ACTION_<P>:`.
fn bound_meta(
    entries: Vec<(JsString, FormEntry)>,
    key: &JsString,
    opts: &DecodeOptions,
) -> Result<(Graph, JsString, Option<Vec<Value>>)> {
    let p = &key.to_string_lossy()["$ACTION_REF_".len()..];
    let prefix = format!("$ACTION_{p}:");
    let backing = Backing::new(entries, &prefix, &opts.limits)?;
    let dec = Decoder::new(backing, opts).run_parts()?;
    let (id, bound) = dec.server_ref_meta(0).map_err(|e| e.at_part(0))?;
    Ok((dec.into_graph(), id, bound))
}

/// `decodeAction`: finds the action a progressive-enhancement form post calls.
///
/// Returns `None` when the post has no `$ACTION_REF_`/`$ACTION_ID_` field.
/// The last such field wins, as in React; every `$ACTION_` field is removed
/// from the FormData handed to the action.
///
/// # Errors
/// Any reply decoding error in the `$ACTION_<P>:` parts, and
/// [`ErrorKind::InvalidServerReference`] for malformed metadata.
///
/// ```
/// use flight_codec::value::{Graph, JsString, Node, ServerReference};
/// let mut g = Graph::new();
/// let r = g.add(Node::ServerReference(Box::new(ServerReference { id: "m#f".into(), bound: Some(vec![1.0.into()]) })));
/// let mut fields: Vec<_> = flight_codec::reply::encode_form_action(&g, r, "1")?.into_iter().map(|(n, e)| (JsString::from(n), e)).collect();
/// fields.push((JsString::from("title"), flight_codec::value::FormEntry::Text("hi".into())));
/// let action = flight_codec::reply::decode_action(fields, &Default::default())?.unwrap();
/// assert_eq!(action.id, "m#f");
/// assert_eq!(action.bound.unwrap().len(), 1);
/// # Ok::<(), flight_codec::Error>(())
/// ```
pub fn decode_action(entries: Vec<(JsString, FormEntry)>, opts: &DecodeOptions) -> Result<Option<Action>> {
    let Some(key) = action_key(&entries, true) else {
        return Ok(None);
    };
    let form: Vec<(JsString, FormEntry)> =
        entries.iter().filter(|(n, _)| !n.starts_with("$ACTION_")).cloned().collect();
    let (mut graph, id, bound) = if key.starts_with("$ACTION_REF_") {
        bound_meta(entries, &key, opts)?
    } else {
        (Graph::new(), key.skip_bytes("$ACTION_ID_".len()), None)
    };
    let form_data = graph.add(Node::FormData(form));
    Ok(Some(Action { graph, id, bound, form_data }))
}

/// `decodeAction` on a raw body with its content type.
///
/// # Errors
/// [`ErrorKind::Multipart`] for a malformed body or a non-multipart content
/// type, [`ErrorKind::LimitExceeded`] as for [`decode_multipart`](super::decode_multipart),
/// and everything [`decode_action`] returns.
///
/// ```
/// let body = bytes::Bytes::from_static(b"--b\r\nContent-Disposition: form-data; name=\"$ACTION_ID_m#f\"\r\n\r\n\r\n--b--\r\n");
/// let action = flight_codec::reply::decode_action_body("multipart/form-data; boundary=b", body, &Default::default())?;
/// assert_eq!(action.unwrap().id, "m#f");
/// # Ok::<(), flight_codec::Error>(())
/// ```
pub fn decode_action_body(content_type: &str, body: Bytes, opts: &DecodeOptions) -> Result<Option<Action>> {
    let boundary = multipart::boundary_from_content_type(content_type).map_err(Error::from_multipart)?;
    decode_action(super::multipart_entries(&body, &boundary, opts)?, opts)
}

/// `decodeFormState`: the state key of a `useActionState` form post, or
/// `None` when the post has no `$ACTION_KEY`, no `$ACTION_REF_` field, or an
/// unbound reference (as React returns `null`).
///
/// # Errors
/// As [`decode_action`].
///
/// ```
/// use flight_codec::value::{Graph, JsString, Node, ServerReference};
/// let mut g = Graph::new();
/// let r = g.add(Node::ServerReference(Box::new(ServerReference { id: "m#f".into(), bound: Some(vec![1.0.into()]) })));
/// let mut fields: Vec<_> = flight_codec::reply::encode_form_action(&g, r, "1")?.into_iter().map(|(n, e)| (JsString::from(n), e)).collect();
/// fields.push((JsString::from("$ACTION_KEY"), flight_codec::value::FormEntry::Text("k1".into())));
/// let state = flight_codec::reply::decode_form_state(fields, &Default::default())?.unwrap();
/// assert_eq!((state.key_path, state.reference_id, state.bound_count), ("k1".into(), "m#f".into(), 1));
/// # Ok::<(), flight_codec::Error>(())
/// ```
pub fn decode_form_state(entries: Vec<(JsString, FormEntry)>, opts: &DecodeOptions) -> Result<Option<FormState>> {
    let key_path = entries.iter().find(|(n, _)| *n == "$ACTION_KEY").and_then(|(_, e)| match e {
        FormEntry::Text(t) => Some(t.clone()),
        FormEntry::File(_) => None,
    });
    let Some(key_path) = key_path else {
        return Ok(None);
    };
    let Some(key) = action_key(&entries, false) else {
        return Ok(None);
    };
    let (_, reference_id, bound) = bound_meta(entries, &key, opts)?;
    Ok(bound.map(|b| FormState { key_path, reference_id, bound_count: b.len() }))
}

/// The fields React DOM renders (and the browser posts) for
/// `<form action={reference}>`: `$ACTION_ID_<id>` for an unbound reference,
/// or `$ACTION_REF_<P>` plus the reply encoding of `{id, bound}` under
/// `$ACTION_<P>:` for a bound one. `identifier_prefix` is `<P>`: React's
/// `identifierPrefix` followed by the form's counter.
///
/// # Errors
/// [`ErrorKind::Unsupported`] if `reference` is not a server reference or a
/// bound argument cannot be encoded.
///
/// ```
/// use flight_codec::value::{Graph, Node, ServerReference};
/// let mut g = Graph::new();
/// let reference = ServerReference { id: "mod#echo".into(), bound: Some(vec!["x".into(), 2.0.into()]) };
/// let r = g.add(Node::ServerReference(Box::new(reference)));
/// let fields = flight_codec::reply::encode_form_action(&g, r, "1")?;
/// let names: Vec<&str> = fields.iter().map(|(n, _)| n.as_str()).collect();
/// assert_eq!(names, ["$ACTION_REF_1", "$ACTION_1:0", "$ACTION_1:1"]);
/// # Ok::<(), flight_codec::Error>(())
/// ```
pub fn encode_form_action(g: &Graph, reference: NodeId, identifier_prefix: &str) -> Result<Vec<(String, FormEntry)>> {
    let NodeRef::ServerReference(r) = g.view(reference) else {
        return Err(Error::new(ErrorKind::Unsupported { message: "not a server reference".into() }));
    };
    let (id, bound) = (&r.id, &r.bound);
    let empty = || FormEntry::Text(JsString::new());
    let Some(args) = bound else {
        return Ok(vec![(format!("$ACTION_ID_{}", id.to_string_lossy()), empty())]);
    };
    // encodeFormData({id, bound}): a plain object whose `bound` is a settled promise.
    let mut meta = g.clone();
    let arr = meta.add_value(Node::Array(args.clone()));
    let promise = meta.add_value(Node::Promise(PromiseState::Fulfilled(arr)));
    let root = meta.add_value(Node::Object(vec![
        (JsString::from_static("id"), Value::String(id.clone())),
        (JsString::from_static("bound"), promise),
    ]));
    meta.set_root(root);
    let body = encode(&meta, &EncodeOptions::default())?;
    let entries = match body {
        super::Body::Form(e) => e,
        super::Body::Text(t) => vec![("0".to_string(), FormEntry::Text(t.into()))],
    };
    let mut out = vec![(format!("$ACTION_REF_{identifier_prefix}"), empty())];
    out.extend(entries.into_iter().map(|(k, v)| (format!("$ACTION_{identifier_prefix}:{k}"), v)));
    Ok(out)
}
