//! The async adapter: futures and streams feed a response, which comes out
//! as a `Stream` of chunks — the root row first, the rest as sources settle —
//! and React's client reads it back (live, under `CI=true`).
#![cfg(feature = "async")]

mod common;

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

use base64::Engine as _;
use bytes::Bytes;
use common::oracle::Oracle;
use common::B64;
use flight_codec::response::{ResponseBody, Settlement};
use flight_codec::value::{Graph, Node, PromiseState, Stream as JsStream, StreamEnd, StreamKind, Value};
use futures_core::Stream;

/// Settlements not taken yet (`None` ends a stream), and who to wake.
type Queue = (VecDeque<Option<Settlement>>, Option<Waker>);

/// A source the test settles by hand: a future or a stream of settlements.
#[derive(Clone, Default)]
struct Gate(Arc<Mutex<Queue>>);

impl Gate {
    fn send(&self, item: Option<Settlement>) {
        let mut g = self.0.lock().unwrap();
        g.0.push_back(item);
        if let Some(w) = g.1.take() {
            w.wake();
        }
    }
    fn poll(&self, cx: &mut Context<'_>) -> Poll<Option<Settlement>> {
        let mut g = self.0.lock().unwrap();
        match g.0.pop_front() {
            Some(item) => Poll::Ready(item),
            None => {
                g.1 = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

struct GateFuture(Gate);
impl Future for GateFuture {
    type Output = Settlement;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Settlement> {
        self.0.poll(cx).map(|s| s.expect("a future settles once"))
    }
}

struct GateStream(Gate);
impl Stream for GateStream {
    type Item = Settlement;
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Settlement>> {
        self.0.poll(cx)
    }
}

/// Counts wake-ups.
#[derive(Default)]
struct Counter(Mutex<usize>);
impl Wake for Counter {
    fn wake(self: Arc<Self>) {
        *self.0.lock().unwrap() += 1;
    }
}

/// Everything the body yields now, and whether it ended.
fn drain(body: &mut ResponseBody, cx: &mut Context<'_>) -> (Vec<u8>, bool) {
    let mut out = Vec::new();
    loop {
        match Pin::new(&mut *body).poll_next(cx) {
            Poll::Ready(Some(c)) => out.extend_from_slice(&c),
            Poll::Ready(None) => return (out, true),
            Poll::Pending => return (out, false),
        }
    }
}

fn value(v: Value) -> Graph {
    Graph::from_value(v)
}

#[test]
fn root_first_then_each_source_as_it_settles() {
    let mut g = Graph::new();
    let p = g.add(Node::Promise(PromiseState::Pending));
    let s = g.add(Node::Stream(Box::new(JsStream {
        kind: StreamKind::AsyncIterable,
        items: vec![],
        end: StreamEnd::Open,
    })));
    let root = g.add_value(Node::Object(vec![("tokens".into(), Value::Node(s)), ("done".into(), Value::Node(p))]));
    g.set_root(root);
    let (fut, tokens) = (Gate::default(), Gate::default());
    let mut body = ResponseBody::new(g, Default::default())
        .with_promise(p, GateFuture(fut.clone()))
        .with_stream(s, GateStream(tokens.clone()));
    let counter = Arc::new(Counter::default());
    let waker = Waker::from(counter.clone());
    let mut cx = Context::from_waker(&waker);
    let mut all = Vec::new();

    let (out, end) = drain(&mut body, &mut cx);
    assert_eq!(out, b"1:X\n0:{\"tokens\":\"$1\",\"done\":\"$@2\"}\n");
    assert!(!end);
    all.extend(out);
    for tok in ["Hel", "lo"] {
        tokens.send(Some(Ok(value(tok.into()))));
        let (out, end) = drain(&mut body, &mut cx);
        assert_eq!(out, format!("1:T{:x},{tok}", tok.len()).as_bytes());
        assert!(!end);
        all.extend(out);
    }
    // A chunk that is a value with nodes of its own, joined to the response.
    let mut item = Graph::new();
    let m = item.add_value(Node::Map(vec![("k".into(), 1.0.into())]));
    item.set_root(m);
    tokens.send(Some(Ok(item)));
    tokens.send(None);
    let (out, _) = drain(&mut body, &mut cx);
    assert_eq!(out, b"3:[[\"k\",1]]\n1:\"$Q3\"\n1:C\n");
    all.extend(out);
    fut.send(Some(Ok(value(true.into()))));
    let (out, end) = drain(&mut body, &mut cx);
    assert_eq!(out, b"2:true\n");
    assert!(end);
    all.extend(out);
    assert!(*counter.0.lock().unwrap() >= 3, "sources wake the body");

    let g = flight_codec::response::decode(&all, &Default::default()).unwrap();
    let want = r#"{"object":[["tokens",{"asyncIterable":{"items":["Hel","lo",{"map":[["k",1]]}],"return":{"undefined":null}}}],["done",{"promise":{"fulfilled":true}}]]}"#;
    assert_eq!(flight_codec::notation::to_string(&g), want);

    // React's client reads the same.
    let Some(mut oracle) = Oracle::start("response-server.mjs") else { return };
    let chunks = format!("[\"{}\"]", B64.encode(&all));
    let react =
        oracle.ask(&format!(r#"{{"op":"decodeResponse","chunks":{chunks},"dev":false,"temporaryReferences":false}}"#));
    assert_eq!(react.get("value").map(|v| v.compact()), Some(want.to_string()), "{}", react.compact());
}

#[test]
fn a_rejected_future_and_an_erroring_stream_become_error_rows() {
    let mut g = Graph::new();
    let p = g.add(Node::Promise(PromiseState::Pending));
    let s = g.add(Node::Stream(Box::new(JsStream { kind: StreamKind::Readable, items: vec![], end: StreamEnd::Open })));
    let root = g.add_value(Node::Array(vec![Value::Node(p), Value::Node(s)]));
    g.set_root(root);
    let (fut, items) = (Gate::default(), Gate::default());
    let opts =
        flight_codec::response::EncodeOptions { on_error: Some(Arc::new(|t, g| t.message(g))), ..Default::default() };
    let mut body =
        ResponseBody::new(g, opts).with_promise(p, GateFuture(fut.clone())).with_stream(s, GateStream(items.clone()));
    let mut cx = Context::from_waker(Waker::noop());
    assert_eq!(drain(&mut body, &mut cx).0, b"2:R\n0:[\"$@1\",\"$2\"]\n");
    fut.send(Some(Err(value("no".into()))));
    items.send(Some(Ok(value(Value::Bool(false)))));
    items.send(Some(Err(value("broke".into()))));
    let (out, end) = drain(&mut body, &mut cx);
    assert_eq!(out, b"2:false\n1:E{\"digest\":\"no\"}\n2:E{\"digest\":\"broke\"}\n");
    assert!(end);
    let _ = Bytes::new();
}
