//! Promises and streams whose values come later (feature `async`): Rust
//! futures and streams inside a typed result, written by
//! [`to_response_body`] as React writes a promise (`$@`) or an async
//! iterable (`$X`) / `ReadableStream` (`$R`): the root row first, the rest
//! as they settle.

use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;

use futures_core::Stream;
use serde::ser::{Error as _, Serialize, Serializer};

use super::ser::{Cx, Ser};
use super::stash::{self, Kind, Stash};
use crate::error::Result;
use crate::response::{EncodeOptions, ResponseBody, Settlement};
use crate::value::{Graph, JsError, Node, PromiseState, StreamEnd, StreamKind};

type BoxFuture = Pin<Box<dyn Future<Output = Settlement> + Send>>;
type BoxStream = Pin<Box<dyn Stream<Item = Settlement> + Send>>;

/// A future or stream waiting to be written.
pub(crate) enum Source {
    Future(BoxFuture),
    Stream(StreamKind, BoxStream),
}

impl Source {
    /// The node that stands for it until it settles.
    pub(crate) fn placeholder(&self) -> Node {
        match self {
            Source::Future(_) => Node::Promise(PromiseState::Pending),
            Source::Stream(kind, _) => {
                Node::Stream(Box::new(crate::value::Stream { kind: *kind, items: Vec::new(), end: StreamEnd::Open }))
            }
        }
    }
}

/// What a settled value becomes: its graph, or (if it cannot be written)
/// an error.
fn settle<T: Serialize>(value: &T) -> Settlement {
    super::to_graph(value).map_err(|e| error_graph(JsError { message: e.to_string().into(), digest: None }))
}

fn error_graph(e: JsError) -> Graph {
    let mut g = Graph::new();
    let root = g.add_value(Node::Error(Box::new(e)));
    g.set_root(root);
    g
}

/// A JavaScript promise fed by a Rust future: the client sees a promise
/// that settles when the future does.
///
/// Write it with [`to_response_body`]; other serializers refuse it, and it
/// can be written once.
///
/// ```
/// use flight_codec::serde::{to_response_body, JsPromise};
/// # use std::task::{Context, Poll, Waker};
/// # use futures_core::Stream;
/// #[derive(serde::Serialize)]
/// struct Reply { id: u32, later: JsPromise }
///
/// let reply = Reply { id: 1, later: JsPromise::new(async { "done" }) };
/// let mut body = to_response_body(&reply, Default::default())?;
/// # let mut cx = Context::from_waker(Waker::noop());
/// # let mut out = Vec::new();
/// # while let Poll::Ready(Some(c)) = std::pin::Pin::new(&mut body).poll_next(&mut cx) { out.extend_from_slice(&c); }
/// assert_eq!(out, b"0:{\"id\":1,\"later\":\"$@1\"}\n1:\"done\"\n");
/// # Ok::<(), flight_codec::Error>(())
/// ```
pub struct JsPromise(Mutex<Option<BoxFuture>>);

impl JsPromise {
    /// A promise fulfilled with what `future` gives.
    ///
    /// ```
    /// let p = flight_codec::serde::JsPromise::new(async { 42 });
    /// # drop(p);
    /// ```
    pub fn new<T, F>(future: F) -> Self
    where
        T: Serialize,
        F: Future<Output = T> + Send + 'static,
    {
        JsPromise(Mutex::new(Some(Box::pin(async move { settle(&future.await) }))))
    }

    /// A promise fulfilled with `Ok` and rejected with `Err` (an `Error`
    /// whose message a production server redacts; see
    /// [`response::EncodeOptions::on_error`](crate::response::EncodeOptions)).
    ///
    /// ```
    /// use flight_codec::value::JsError;
    /// let p = flight_codec::serde::JsPromise::fallible(async { Err::<u8, _>(JsError { message: "no".into(), digest: None }) });
    /// # drop(p);
    /// ```
    pub fn fallible<T, E, F>(future: F) -> Self
    where
        T: Serialize,
        E: Into<JsError>,
        F: Future<Output = std::result::Result<T, E>> + Send + 'static,
    {
        JsPromise(Mutex::new(Some(Box::pin(async move {
            match future.await {
                Ok(v) => settle(&v),
                Err(e) => Err(error_graph(e.into())),
            }
        }))))
    }
}

impl std::fmt::Debug for JsPromise {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JsPromise")
    }
}

/// An async iterable (or a `ReadableStream`) fed by a Rust stream: the
/// client reads the items as they come (`for await (const x of value)`).
///
/// Write it with [`to_response_body`]; other serializers refuse it, and it
/// can be written once.
///
/// ```
/// use flight_codec::serde::{to_response_body, JsStream};
/// # use std::task::{Context, Poll, Waker};
/// # use futures_core::Stream;
/// struct Words(Vec<&'static str>);
/// impl Stream for Words {
///     type Item = &'static str;
///     fn poll_next(mut self: std::pin::Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<&'static str>> {
///         Poll::Ready(if self.0.is_empty() { None } else { Some(self.0.remove(0)) })
///     }
/// }
/// let mut body = to_response_body(&JsStream::async_iterable(Words(vec!["a", "b"])), Default::default())?;
/// # let mut cx = Context::from_waker(Waker::noop());
/// # let mut out = Vec::new();
/// # while let Poll::Ready(Some(c)) = std::pin::Pin::new(&mut body).poll_next(&mut cx) { out.extend_from_slice(&c); }
/// // React 19.3.1's rows: the stream opens (`X`), the root refers to it, text
/// // chunks follow (`T`), and `C` closes it.
/// assert_eq!(out, b"1:X\n0:\"$1\"\n1:T1,a1:T1,b1:C\n".to_vec());
/// # Ok::<(), flight_codec::Error>(())
/// ```
pub struct JsStream(Mutex<Option<(StreamKind, BoxStream)>>);

impl JsStream {
    /// An async iterable (`$X`) of the stream's items.
    ///
    /// ```
    /// # struct Empty;
    /// # impl futures_core::Stream for Empty { type Item = u8; fn poll_next(self: std::pin::Pin<&mut Self>, _: &mut std::task::Context<'_>) -> std::task::Poll<Option<u8>> { std::task::Poll::Ready(None) } }
    /// let s = flight_codec::serde::JsStream::async_iterable(Empty);
    /// # drop(s);
    /// ```
    pub fn async_iterable<T, S>(items: S) -> Self
    where
        T: Serialize,
        S: Stream<Item = T> + Send + 'static,
    {
        Self::of(StreamKind::AsyncIterable, items)
    }

    /// A `ReadableStream` (`$R`) of the stream's items.
    ///
    /// ```
    /// # struct Empty;
    /// # impl futures_core::Stream for Empty { type Item = u8; fn poll_next(self: std::pin::Pin<&mut Self>, _: &mut std::task::Context<'_>) -> std::task::Poll<Option<u8>> { std::task::Poll::Ready(None) } }
    /// let s = flight_codec::serde::JsStream::readable_stream(Empty);
    /// # drop(s);
    /// ```
    pub fn readable_stream<T, S>(items: S) -> Self
    where
        T: Serialize,
        S: Stream<Item = T> + Send + 'static,
    {
        Self::of(StreamKind::Readable, items)
    }

    fn of<T, S>(kind: StreamKind, items: S) -> Self
    where
        T: Serialize,
        S: Stream<Item = T> + Send + 'static,
    {
        JsStream(Mutex::new(Some((kind, Box::pin(Settled(Box::pin(items)))))))
    }
}

impl std::fmt::Debug for JsStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JsStream")
    }
}

/// A stream of values as a stream of settlements (the inner stream boxed,
/// so no pin projection is needed).
struct Settled<S>(Pin<Box<S>>);

impl<T: Serialize, S: Stream<Item = T>> Stream for Settled<S> {
    type Item = Settlement;

    fn poll_next(self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<Option<Settlement>> {
        self.get_mut().0.as_mut().poll_next(cx).map(|o| o.map(|v| settle(&v)))
    }
}

/// Serializes a taken source through this crate's serializer.
fn put_source<S: Serializer>(source: Option<Source>, s: S, what: &str) -> std::result::Result<S::Ok, S::Error> {
    if !stash::capturing() {
        return Err(S::Error::custom(format!("a {what} can only be written by flight_codec::serde::to_response_body")));
    }
    match source {
        Some(source) => {
            stash::put(Stash::Pending(source));
            s.serialize_unit()
        }
        None => Err(S::Error::custom(format!("a {what} can be written once"))),
    }
}

struct CarryPromise<'a>(&'a JsPromise);

impl Serialize for CarryPromise<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let taken = if stash::capturing() { self.0 .0.lock().ok().and_then(|mut f| f.take()) } else { None };
        put_source(taken.map(Source::Future), s, "JsPromise")
    }
}

impl Serialize for JsPromise {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_newtype_struct(Kind::Pending.name(), &CarryPromise(self))
    }
}

struct CarryStream<'a>(&'a JsStream);

impl Serialize for CarryStream<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let taken = if stash::capturing() { self.0 .0.lock().ok().and_then(|mut f| f.take()) } else { None };
        put_source(taken.map(|(kind, s)| Source::Stream(kind, s)), s, "JsStream")
    }
}

impl Serialize for JsStream {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_newtype_struct(Kind::Pending.name(), &CarryStream(self))
    }
}

/// Writes `value` as a streamed response: the root row at once, each
/// [`JsPromise`] and [`JsStream`] inside it as its future or stream
/// settles. The body is a `Stream` of network chunks; any executor polls it.
///
/// # Errors
/// As [`to_graph`](super::to_graph).
///
/// ```
/// let body = flight_codec::serde::to_response_body(&("ok", 1), Default::default())?;
/// # drop(body);
/// # Ok::<(), flight_codec::Error>(())
/// ```
pub fn to_response_body<T: Serialize + ?Sized>(value: &T, opts: EncodeOptions) -> Result<ResponseBody> {
    let mut cx = Cx::default();
    let root = value.serialize(Ser::new(&mut cx))?;
    cx.g.set_root(root);
    let mut body = ResponseBody::new(cx.g, opts);
    for (node, source) in cx.sources {
        body = match source {
            Source::Future(f) => body.with_promise(node, f),
            Source::Stream(_, s) => body.with_stream(node, s),
        };
    }
    Ok(body)
}
