//! The async adapter (feature `async`): a response whose pending promises
//! are Rust futures and whose open streams are Rust streams, written out as
//! a [`Stream`] of network chunks.
//!
//! It drives the sans-IO [`ResponseEncoder`]: whenever it is polled, it
//! polls the futures and streams that feed the response, reports what
//! settled, and yields the chunks React's server would write. The root row
//! goes out before anything settles; the rest follows as it does. No
//! runtime is assumed: any executor polls it.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_core::Stream;

use super::{EncodeOptions, ResponseEncoder};
use crate::value::{Graph, NodeId, Value};

/// What a future settles a promise with: `Ok(value)` fulfills it, `Err(reason)`
/// rejects it. Each value is a graph of its own (joined to the response's).
///
/// ```
/// use flight_codec::response::Settlement;
/// use flight_codec::value::{Graph, Value};
/// let mut g = Graph::new();
/// g.set_root(Value::from("done"));
/// let fulfilled: Settlement = Ok(g);
/// assert!(matches!(&fulfilled, Ok(g) if g.root().as_string().is_some()));
/// ```
pub type Settlement = Result<Graph, Graph>;

type BoxFuture = Pin<Box<dyn Future<Output = Settlement> + Send>>;
type BoxStream = Pin<Box<dyn Stream<Item = Settlement> + Send>>;

/// A response body: a value with pending promises and open streams, fed by
/// futures and streams, as a `Stream` of network chunks.
///
/// ```
/// use std::task::{Context, Poll, Waker};
/// use futures_core::Stream;
/// use flight_codec::response::ResponseBody;
/// use flight_codec::value::{Graph, Node, PromiseState, Value};
///
/// let mut g = Graph::new();
/// let p = g.add(Node::Promise(PromiseState::Pending));
/// let root = g.add_value(Node::Object(vec![("answer".into(), Value::Node(p))]));
/// g.set_root(root);
/// let mut body = ResponseBody::new(g, Default::default())
///     .with_promise(p, async { Ok(Graph::from_value(42.0.into())) });
///
/// let mut cx = Context::from_waker(Waker::noop());
/// let mut out = Vec::new();
/// while let Poll::Ready(Some(chunk)) = std::pin::Pin::new(&mut body).poll_next(&mut cx) {
///     out.extend_from_slice(&chunk);
/// }
/// assert_eq!(out, b"0:{\"answer\":\"$@1\"}\n1:42\n");
/// ```
pub struct ResponseBody {
    enc: ResponseEncoder,
    futures: Vec<(NodeId, BoxFuture)>,
    streams: Vec<(NodeId, BoxStream)>,
}

impl ResponseBody {
    /// A body for `graph`'s root.
    ///
    /// ```
    /// use flight_codec::{response::ResponseBody, value::Graph};
    /// let body = flight_codec::response::ResponseBody::new(Graph::from_value(1.0.into()), Default::default());
    /// # drop(body);
    /// ```
    pub fn new(graph: Graph, opts: EncodeOptions) -> Self {
        ResponseBody { enc: ResponseEncoder::new(graph, opts), futures: Vec::new(), streams: Vec::new() }
    }

    /// Settles the pending promise (or lazy) `promise` with what `future`
    /// gives.
    ///
    /// ```
    /// use flight_codec::response::ResponseBody;
    /// use flight_codec::value::{Graph, Node, PromiseState, Value};
    /// let mut g = Graph::new();
    /// let p = g.add(Node::Promise(PromiseState::Pending));
    /// g.set_root(Value::Node(p));
    /// let body = ResponseBody::new(g, Default::default()).with_promise(p, async { Err(Graph::from_value("no".into())) });
    /// # drop(body);
    /// ```
    pub fn with_promise(mut self, promise: NodeId, future: impl Future<Output = Settlement> + Send + 'static) -> Self {
        self.futures.push((promise, Box::pin(future)));
        self
    }

    /// Feeds the open stream (or async iterable) `stream` from `items`: each
    /// `Ok` is a chunk, an `Err` errors the stream, and the end closes it.
    ///
    /// ```
    /// use flight_codec::response::ResponseBody;
    /// use flight_codec::value::{Graph, Node, Stream, StreamEnd, StreamKind, Value};
    /// let mut g = Graph::new();
    /// let s = g.add(Node::Stream(Box::new(Stream { kind: StreamKind::AsyncIterable, items: vec![], end: StreamEnd::Open })));
    /// g.set_root(Value::Node(s));
    /// struct Empty;
    /// impl futures_core::Stream for Empty {
    ///     type Item = flight_codec::response::Settlement;
    ///     fn poll_next(self: std::pin::Pin<&mut Self>, _: &mut std::task::Context<'_>) -> std::task::Poll<Option<Self::Item>> {
    ///         std::task::Poll::Ready(None)
    ///     }
    /// }
    /// let body = ResponseBody::new(g, Default::default()).with_stream(s, Empty);
    /// # drop(body);
    /// ```
    pub fn with_stream(mut self, stream: NodeId, items: impl Stream<Item = Settlement> + Send + 'static) -> Self {
        self.streams.push((stream, Box::pin(items)));
        self
    }

    /// The encoder underneath (for the graph, and for reporting events by hand).
    ///
    /// ```
    /// use flight_codec::{response::ResponseBody, value::Graph};
    /// let mut body = ResponseBody::new(Graph::from_value(1.0.into()), Default::default());
    /// assert!(!body.encoder().is_complete());
    /// ```
    pub fn encoder(&mut self) -> &mut ResponseEncoder {
        &mut self.enc
    }

    /// Polls the sources once; `true` if any of them settled something.
    fn poll_sources(&mut self, cx: &mut Context<'_>) -> bool {
        let mut progressed = false;
        let enc = &mut self.enc;
        self.futures.retain_mut(|(node, fut)| match fut.as_mut().poll(cx) {
            Poll::Pending => true,
            Poll::Ready(result) => {
                progressed = true;
                let _ = match result {
                    Ok(g) => {
                        let v = enc.graph_mut().append(g);
                        enc.resolve(*node, v)
                    }
                    Err(g) => {
                        let v = enc.graph_mut().append(g);
                        enc.reject(*node, v)
                    }
                };
                false
            }
        });
        self.streams.retain_mut(|(node, s)| loop {
            match s.as_mut().poll_next(cx) {
                Poll::Pending => return true,
                Poll::Ready(Some(Ok(g))) => {
                    progressed = true;
                    let v = enc.graph_mut().append(g);
                    let _ = enc.push(*node, v);
                }
                Poll::Ready(Some(Err(g))) => {
                    progressed = true;
                    let v = enc.graph_mut().append(g);
                    let _ = enc.error(*node, v);
                    return false;
                }
                Poll::Ready(None) => {
                    progressed = true;
                    let _ = enc.close(*node, Value::Undefined);
                    return false;
                }
            }
        });
        progressed
    }
}

impl Stream for ResponseBody {
    type Item = Bytes;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Bytes>> {
        let this = self.get_mut();
        loop {
            if let Some(chunk) = this.enc.poll_chunk() {
                return Poll::Ready(Some(chunk));
            }
            if this.enc.is_complete() {
                return Poll::Ready(None);
            }
            if !this.poll_sources(cx) {
                // Nothing settled: the sources have registered the waker. (A
                // pending value with no source never settles, as in React.)
                return Poll::Pending;
            }
        }
    }
}
