//! A framework-neutral action host (features `serde` and `async`): a
//! registry of typed async Rust functions under their action ids, called
//! the way React's client and React DOM's forms call server functions.
//!
//! * A **fetch call** (React's `callServer`): the action id travels beside
//!   the body (Next.js uses the `Next-Action` header), the body is
//!   `encodeReply`'s output; the arguments (bound ones first, as React's
//!   client concatenates them) are read into the function's parameters.
//! * A **form post** (progressive enhancement, no JavaScript): a
//!   `multipart/form-data` body with `$ACTION_ID_…` / `$ACTION_REF_…` fields
//!   ([`decode_action`](crate::reply::decode_action)); the function gets the
//!   bound arguments, then the form's remaining fields, which read into any
//!   struct (`{email: String}`) or a [`FormData`](crate::serde::FormData).
//!   `useActionState` posts also give a [`FormState`].
//!
//! The result is written as a streamed response
//! ([`to_response_body`]): the root row as
//! soon as the function returns, each [`JsPromise`](crate::serde::JsPromise)
//! and [`JsStream`](crate::serde::JsStream) in it as it settles. An error
//! the function returns becomes a rejected root, written as React's
//! production server writes errors: a digest, never the message.
//!
//! ```
//! use flight_codec::host::{ActionError, Registry, Request};
//! # use std::task::{Context, Poll, Waker};
//! # use futures_core::Stream;
//!
//! async fn greet(name: String, times: u8) -> Result<String, ActionError> {
//!     Ok(format!("hi {name}").repeat(times.into()))
//! }
//!
//! let mut actions = Registry::new();
//! actions.register("app#greet", greet);
//! let call = actions.handle(Request::fetch("app#greet", "text/plain;charset=UTF-8", r#"["Ada",2]"#));
//! # let mut cx = Context::from_waker(Waker::noop());
//! # let mut call = std::pin::pin!(call);
//! # let Poll::Ready(Ok(reply)) = call.as_mut().poll(&mut cx) else { panic!() };
//! # let mut body = reply.body;
//! # let mut out = Vec::new();
//! # while let Poll::Ready(Some(c)) = std::pin::Pin::new(&mut body).poll_next(&mut cx) { out.extend_from_slice(&c); }
//! // … polled by any executor, the body streams `0:"hi Adahi Ada"\n`.
//! # assert_eq!(out, b"0:\"hi Adahi Ada\"\n");
//! # use std::future::Future;
//! ```

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::{Error, ErrorKind, Result};
use crate::reply::{self, Action, DecodeOptions, FormState};
use crate::response::{self, ResponseBody, Thrown};
use crate::serde::{from_reply, to_response_body};
use crate::value::{Graph, JsError, Node, NodeRef, PromiseState, Value};

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// An error an action returns. The client sees an `Error` whose message
/// React's production client writes ("An error occurred in the Server
/// Components render…") and whose `digest` is this digest (or a hash of
/// the message): the message itself never leaves the server.
///
/// ```
/// let e = flight_codec::host::ActionError::new("database is down").with_digest("E42");
/// assert_eq!(e.to_string(), "database is down");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActionError {
    /// What went wrong (kept on the server: log it).
    pub message: String,
    /// The digest the client sees; `None` for a hash of the message.
    pub digest: Option<String>,
}

impl ActionError {
    /// An error with this message.
    ///
    /// ```
    /// assert_eq!(flight_codec::host::ActionError::new("no").message, "no");
    /// ```
    pub fn new(message: impl Into<String>) -> Self {
        ActionError { message: message.into(), digest: None }
    }

    /// The same error with the digest the client will see.
    ///
    /// ```
    /// let e = flight_codec::host::ActionError::new("no").with_digest("D1");
    /// assert_eq!(e.digest.as_deref(), Some("D1"));
    /// ```
    pub fn with_digest(mut self, digest: impl Into<String>) -> Self {
        self.digest = Some(digest.into());
        self
    }
}

impl fmt::Display for ActionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ActionError {}

impl From<&str> for ActionError {
    fn from(m: &str) -> Self {
        ActionError::new(m)
    }
}

impl From<String> for ActionError {
    fn from(m: String) -> Self {
        ActionError::new(m)
    }
}

impl From<ActionError> for JsError {
    fn from(e: ActionError) -> Self {
        JsError { message: e.message.as_str().into(), digest: e.digest.map(|d| d.as_str().into()) }
    }
}

/// The digest of an error: its own, or a hash of its message (FNV-1a, hex),
/// so that the same failure has the same digest in logs and on the client.
///
/// ```
/// use flight_codec::host::digest_of;
/// assert_eq!(digest_of("boom", None), digest_of("boom", None));
/// assert_eq!(digest_of("boom", Some("D")), "D");
/// ```
pub fn digest_of(message: &str, digest: Option<&str>) -> String {
    if let Some(d) = digest {
        return d.to_string();
    }
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in message.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// A request for the host: a fetch call or a form post.
///
/// ```
/// let r = flight_codec::host::Request::fetch("app#f", "text/plain;charset=UTF-8", "[]");
/// assert_eq!(r.action_id.as_deref(), Some("app#f"));
/// ```
#[derive(Clone, Debug)]
pub struct Request {
    /// The action id sent beside the body (a fetch call), or `None` for a
    /// form post, whose fields name the action.
    pub action_id: Option<String>,
    /// The body's content type.
    pub content_type: String,
    /// The body.
    pub body: Bytes,
}

impl Request {
    /// A fetch call: `callServer(id, args)` posting `encodeReply(args)`.
    ///
    /// ```
    /// let r = flight_codec::host::Request::fetch("app#f", "text/plain", "[1]");
    /// assert_eq!(&r.body[..], b"[1]");
    /// ```
    pub fn fetch(action_id: impl Into<String>, content_type: impl Into<String>, body: impl Into<Bytes>) -> Self {
        Request { action_id: Some(action_id.into()), content_type: content_type.into(), body: body.into() }
    }

    /// A progressive-enhancement form post (`multipart/form-data`).
    ///
    /// ```
    /// let r = flight_codec::host::Request::form_post("multipart/form-data; boundary=b", "--b--\r\n");
    /// assert!(r.action_id.is_none());
    /// ```
    pub fn form_post(content_type: impl Into<String>, body: impl Into<Bytes>) -> Self {
        Request { action_id: None, content_type: content_type.into(), body: body.into() }
    }
}

/// What the host answers: the response body (content type
/// [`CONTENT_TYPE`]), and for a `useActionState` form post its form state.
///
/// ```
/// use flight_codec::host::{ActionError, Registry, Request};
/// let mut r = Registry::new();
/// r.register("app#one", || async { Ok::<_, ActionError>(1) });
/// let fut = r.handle(Request::fetch("app#one", "text/plain", "[]"));
/// # let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
/// let std::task::Poll::Ready(Ok(reply)) = std::pin::pin!(fut).poll(&mut cx) else { panic!() };
/// assert_eq!(reply.action_id, "app#one");
/// assert!(reply.form_state.is_none());
/// # use std::future::Future;
/// ```
pub struct Reply {
    /// The action that ran.
    pub action_id: String,
    /// The streamed response.
    pub body: ResponseBody,
    /// The `useActionState` key of a form post, for rendering the page.
    pub form_state: Option<FormState>,
}

/// The content type of a response body (React's `text/x-component`).
///
/// ```
/// assert_eq!(flight_codec::host::CONTENT_TYPE, "text/x-component");
/// ```
pub const CONTENT_TYPE: &str = "text/x-component";

/// The arguments of one call, before they are read into the parameters.
enum Args {
    Reply {
        content_type: String,
        body: Bytes,
    },
    /// A form action's arguments, and the size of the body they came from
    /// (the typed read's budget).
    Graph {
        graph: Graph,
        body_len: usize,
    },
}

type Invoke = dyn Fn(Args, &Options) -> BoxFuture<Result<ResponseBody>> + Send + Sync;

/// Options of a [`Registry`].
///
/// ```
/// let mut r = flight_codec::host::Registry::new();
/// r.options.decode.limits.max_depth = 64;
/// assert!(r.options.decode.temporary_references);
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Options {
    /// How bodies are decoded (limits). Temporary references are on: a
    /// value the client keeps (`$T`) can be handed back.
    pub decode: DecodeOptions,
}

impl Default for Options {
    fn default() -> Self {
        Options { decode: DecodeOptions { temporary_references: true, ..Default::default() } }
    }
}

/// A registry of server functions by action id.
///
/// ```
/// use flight_codec::host::{ActionError, Registry};
/// let mut r = Registry::new();
/// r.register("app#add", |a: f64, b: f64| async move { Ok::<_, ActionError>(a + b) });
/// assert!(r.contains("app#add"));
/// ```
#[derive(Default)]
pub struct Registry {
    actions: HashMap<String, Arc<Invoke>>,
    /// The options every call uses.
    pub options: Options,
}

impl Registry {
    /// An empty registry with default options.
    ///
    /// ```
    /// assert!(!flight_codec::host::Registry::new().contains("x"));
    /// ```
    pub fn new() -> Self {
        Registry::default()
    }

    /// Registers `handler` under `id`: an async function whose parameters
    /// (up to eight) are read from the call's arguments and whose result is
    /// `Result<impl Serialize, impl Into<ActionError>>`. Registering an id
    /// again replaces the function.
    ///
    /// ```
    /// use flight_codec::host::{ActionError, Registry};
    /// async fn save(title: String, tags: Vec<String>) -> Result<usize, ActionError> {
    ///     Ok(title.len() + tags.len())
    /// }
    /// let mut r = Registry::new();
    /// r.register("drafts#save", save);
    /// ```
    pub fn register<T: DeserializeOwned + Send + 'static, H: Handler<T>>(
        &mut self,
        id: impl Into<String>,
        handler: H,
    ) -> &mut Self {
        let handler = Arc::new(handler);
        let invoke = move |args: Args, opts: &Options| -> BoxFuture<Result<ResponseBody>> {
            let read = match args {
                Args::Reply { content_type, body } => from_reply::<T>(&content_type, body, &opts.decode),
                Args::Graph { graph, body_len } => crate::serde::from_body_graph::<T>(&graph, body_len, &opts.decode),
            };
            match read {
                Ok(args) => handler.invoke(args),
                Err(e) => Box::pin(std::future::ready(Err(e))),
            }
        };
        self.actions.insert(id.into(), Arc::new(invoke));
        self
    }

    /// Whether an action is registered under `id`.
    ///
    /// ```
    /// let r = flight_codec::host::Registry::new();
    /// assert!(!r.contains("app#f"));
    /// ```
    pub fn contains(&self, id: &str) -> bool {
        self.actions.contains_key(id)
    }

    /// Handles one request: decodes it, runs the action, and returns the
    /// response body (streaming whatever the result leaves pending).
    ///
    /// # Errors
    /// [`ErrorKind::UnknownAction`] for an id that is not registered;
    /// [`ErrorKind::InvalidAction`] for a form post that names no action;
    /// any decoding error of the body (a limit error is
    /// [`Category::Limit`](crate::Category::Limit)); and
    /// [`ErrorKind::Type`] when the arguments do not fit the parameters.
    /// An error the *action* returns is not an `Err` here: it is the
    /// response (a rejected root with a digest).
    ///
    /// ```
    /// use flight_codec::host::{Registry, Request};
    /// let r = Registry::new();
    /// let fut = r.handle(Request::fetch("nope", "text/plain", "[]"));
    /// # let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    /// # let std::task::Poll::Ready(Err(e)) = std::pin::pin!(fut).poll(&mut cx) else { panic!() };
    /// # assert_eq!(e.to_string(), "unknown action `nope`");
    /// # use std::future::Future;
    /// ```
    pub fn handle(&self, request: Request) -> impl Future<Output = Result<Reply>> + Send + 'static {
        let prepared = self.prepare(request);
        let options = self.options.clone();
        async move {
            let (id, invoke, args, form_state) = prepared?;
            let body = invoke(args, &options).await?;
            Ok(Reply { action_id: id, body, form_state })
        }
    }

    #[allow(clippy::type_complexity)]
    fn prepare(&self, request: Request) -> Result<(String, Arc<Invoke>, Args, Option<FormState>)> {
        let lookup = |id: &str| {
            self.actions.get(id).cloned().ok_or_else(|| Error::new(ErrorKind::UnknownAction { id: id.to_string() }))
        };
        if let Some(id) = request.action_id {
            let invoke = lookup(&id)?;
            return Ok((id, invoke, Args::Reply { content_type: request.content_type, body: request.body }, None));
        }
        let boundary = crate::multipart::boundary_from_content_type(&request.content_type)
            .map_err(|e| Error::new(ErrorKind::Multipart(e)))?;
        let body_len = request.body.len();
        let entries = reply::multipart_entries(&request.body, &boundary, &self.options.decode)?;
        let form_state = reply::decode_form_state(entries.clone(), &self.options.decode)?;
        let action = reply::decode_action(entries, &self.options.decode)?
            .ok_or_else(|| Error::new(ErrorKind::InvalidAction { reason: "the form names no action" }))?;
        let id = action.id.to_string_lossy().into_owned();
        let invoke = lookup(&id)?;
        Ok((id, invoke, Args::Graph { graph: form_arguments(action), body_len }, form_state))
    }
}

/// `decodeAction`'s call: the bound arguments, then the form's fields.
fn form_arguments(action: Action) -> Graph {
    let Action { mut graph, bound, form_data, .. } = action;
    let mut args = bound.unwrap_or_default();
    args.push(Value::Node(form_data));
    let root = graph.add_value(Node::Array(args));
    graph.set_root(root);
    graph
}

/// An async function that can serve an action: `Fn(A, B, …) -> Future`
/// of `Result<R, E>` with `R: Serialize` and `E: Into<ActionError>`, for
/// up to eight parameters that are `DeserializeOwned`. Implemented for
/// every such function and closure; not meant to be implemented by hand.
///
/// ```
/// use flight_codec::host::{ActionError, Handler};
/// fn accepts<T, H: Handler<T>>(_: H) {}
/// async fn two(a: String, b: Vec<u8>) -> Result<usize, ActionError> { Ok(a.len() + b.len()) }
/// accepts(two);
/// accepts(|| async { Ok::<_, ActionError>(()) });
/// ```
pub trait Handler<T>: Send + Sync + 'static {
    /// Runs the function on its arguments and writes its result.
    fn invoke(&self, args: T) -> BoxFuture<Result<ResponseBody>>;
}

/// Awaits an action's future and writes what it returned.
fn settle<R, E, Fut>(fut: Fut) -> BoxFuture<Result<ResponseBody>>
where
    Fut: Future<Output = std::result::Result<R, E>> + Send + 'static,
    R: Serialize,
    E: Into<ActionError>,
{
    Box::pin(async move { respond(fut.await.map_err(Into::into)) })
}

/// The response for what an action returned.
fn respond<R: Serialize>(result: std::result::Result<R, ActionError>) -> Result<ResponseBody> {
    let opts = response::EncodeOptions {
        temporary_references: true,
        on_error: Some(Arc::new(|t: &Thrown, g: &Graph| {
            let digest = match t {
                Thrown::Value(Value::Node(n)) => match g.get(*n) {
                    Some(NodeRef::Error(e)) => e.digest.as_ref().map(|d| d.to_string_lossy().into_owned()),
                    _ => None,
                },
                _ => None,
            };
            Some(digest_of(&t.message(g).unwrap_or_default(), digest.as_deref()))
        })),
        ..Default::default()
    };
    match result {
        Ok(value) => to_response_body(&value, opts),
        Err(e) => {
            let mut g = Graph::new();
            let reason = g.add_value(Node::Error(Box::new(e.into())));
            let root = g.add_value(Node::Promise(PromiseState::Rejected(reason)));
            g.set_root(root);
            Ok(ResponseBody::new(g, opts))
        }
    }
}

/// The arguments of a function without parameters: any array (JavaScript
/// ignores extra arguments).
#[doc(hidden)]
pub struct NoArguments;

impl<'de> serde::Deserialize<'de> for NoArguments {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = NoArguments;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array of arguments")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, _: A) -> std::result::Result<NoArguments, A::Error> {
                Ok(NoArguments)
            }
        }
        d.deserialize_tuple(0, V)
    }
}

impl<F, Fut, R, E> Handler<NoArguments> for F
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = std::result::Result<R, E>> + Send + 'static,
    R: Serialize,
    E: Into<ActionError>,
{
    fn invoke(&self, _: NoArguments) -> BoxFuture<Result<ResponseBody>> {
        settle((self)())
    }
}

macro_rules! handler {
    ($($a:ident $t:ident),*) => {
        impl<F, Fut, R, E, $($t),*> Handler<($($t,)*)> for F
        where
            F: Fn($($t),*) -> Fut + Send + Sync + 'static,
            Fut: Future<Output = std::result::Result<R, E>> + Send + 'static,
            R: Serialize,
            E: Into<ActionError>,
            $($t: DeserializeOwned + Send + 'static,)*
        {
            #[allow(non_snake_case)]
            fn invoke(&self, ($($a,)*): ($($t,)*)) -> BoxFuture<Result<ResponseBody>> {
                settle((self)($($a),*))
            }
        }
    };
}

handler!(a A);
handler!(a A, b B);
handler!(a A, b B, c C);
handler!(a A, b B, c C, d D);
handler!(a A, b B, c C, d D, e E1);
handler!(a A, b B, c C, d D, e E1, f F1);
handler!(a A, b B, c C, d D, e E1, f F1, g G);
handler!(a A, b B, c C, d D, e E1, f F1, g G, h H);
