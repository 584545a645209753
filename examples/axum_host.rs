//! An axum server hosting typed Rust server functions for a React client.
//!
//! ```text
//! cargo run --example axum_host               # listens on 127.0.0.1:3000
//! cargo run --example axum_host -- --port 0   # an ephemeral port (printed)
//! ```
//!
//! One route, `POST /action`, serves both kinds of calls:
//! - fetch calls from React's `callServer`, with the action id in the
//!   `Next-Action` header (as Next.js sends it) and `encodeReply`'s body;
//! - progressive-enhancement form posts, whose fields name the action.
//!
//! Like Next.js it refuses a request whose `Origin` is not the `Host` it was
//! sent to (a cross-site form post), and bodies over 1 MiB. The answer is
//! React's Flight stream (`text/x-component`), streamed as the result's
//! promises and streams settle. `tests/e2e_host.rs` drives it with React's
//! own client.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use chrono::{DateTime, Utc};
use flight_codec::host::{ActionError, Registry, Request, CONTENT_TYPE};
use flight_codec::serde::{
    BigInt, Blob, JsDate, JsMap, JsPromise, JsSet, JsStream, TemporaryReference, TypedArray, Undefined,
};
use flight_codec::{Category, ErrorKind};
use futures_core::Stream;
use serde::{Deserialize, Serialize};

/// Every kind of argument a React client can send, echoed back.
#[derive(Serialize, Deserialize)]
struct Everything {
    text: String,
    number: f64,
    integer: i32,
    flag: bool,
    nothing: Option<String>,
    missing: Undefined,
    big: BigInt,
    when: JsDate,
    tags: JsSet<String>,
    scores: JsMap<String, u32>,
    bytes: TypedArray,
    file: Blob,
    nested: Vec<Nested>,
}

#[derive(Serialize, Deserialize)]
struct Nested {
    id: u32,
    label: String,
}

/// `drafts#inspect`: takes every argument type and returns it, plus what
/// the Rust side saw.
async fn inspect(all: Everything, when: DateTime<Utc>) -> Result<(Everything, String), ActionError> {
    let seen = format!(
        "{} chars, {} tags, {} bytes in {:?}, file {:?} of {} bytes, at {}",
        all.text.chars().count(),
        all.tags.0.len(),
        all.bytes.bytes.len(),
        all.bytes.kind,
        all.file.name.as_ref().map(|n| n.to_string_lossy().into_owned()),
        all.file.bytes.len(),
        when.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
    );
    Ok((all, seen))
}

#[derive(Serialize)]
struct Slow {
    status: &'static str,
    later: JsPromise,
}

/// `drafts#slow`: answers at once, with a promise that settles after `ms`.
async fn slow(ms: u64) -> Result<Slow, ActionError> {
    let later = JsPromise::new(async move {
        tokio::time::sleep(Duration::from_millis(ms)).await;
        format!("settled after {ms} ms")
    });
    Ok(Slow { status: "started", later })
}

/// `drafts#tokens`: an async iterable of the words of `text`, one every 20 ms.
async fn tokens(text: String) -> Result<JsStream, ActionError> {
    let words: Vec<String> = text.split_whitespace().map(str::to_string).collect();
    Ok(JsStream::async_iterable(Ticker { words, at: 0, sleep: None }))
}

struct Ticker {
    words: Vec<String>,
    at: usize,
    sleep: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl Stream for Ticker {
    type Item = String;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<String>> {
        let this = self.get_mut();
        if this.at == this.words.len() {
            return Poll::Ready(None);
        }
        let sleep = this.sleep.get_or_insert_with(|| Box::pin(tokio::time::sleep(Duration::from_millis(20))));
        match sleep.as_mut().poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(()) => {
                this.sleep = None;
                this.at += 1;
                Poll::Ready(Some(this.words[this.at - 1].clone()))
            }
        }
    }
}

/// `drafts#greet`: called bound (`greet.bind(null, "Hello")`).
async fn greet(greeting: String, name: String) -> Result<String, ActionError> {
    Ok(format!("{greeting}, {name}!"))
}

/// `drafts#fail`: always fails; the client sees only the digest.
async fn fail(reason: String) -> Result<(), ActionError> {
    Err(ActionError::new(format!("secret detail: {reason}")).with_digest("E-DRAFTS-1"))
}

/// `drafts#keep`: hands back a value the client kept (a temporary reference).
async fn keep(value: TemporaryReference, note: String) -> Result<(TemporaryReference, String), ActionError> {
    Ok((value, note))
}

#[derive(Deserialize)]
struct Signup {
    email: String,
    plan: String,
}

/// `drafts#subscribe`: a progressive-enhancement form (`<form action={subscribe}>`).
async fn subscribe(form: Signup) -> Result<String, ActionError> {
    if !form.email.contains('@') {
        return Err(ActionError::new("invalid email"));
    }
    Ok(format!("subscribed {} to {}", form.email, form.plan))
}

#[derive(Deserialize)]
struct Ballot {
    choice: String,
}

/// `drafts#vote`: a bound form action (`<form action={vote.bind(null, 7)}>`);
/// the bound argument comes first, then the form.
async fn vote(poll: u32, form: Ballot) -> Result<String, ActionError> {
    Ok(format!("poll {poll}: {}", form.choice))
}

fn registry() -> Registry {
    let mut r = Registry::new();
    r.register("drafts#inspect", inspect)
        .register("drafts#slow", slow)
        .register("drafts#tokens", tokens)
        .register("drafts#greet", greet)
        .register("drafts#fail", fail)
        .register("drafts#keep", keep)
        .register("drafts#subscribe", subscribe)
        .register("drafts#vote", vote);
    r
}

/// The largest body accepted (Next.js's default `bodySizeLimit`).
const BODY_LIMIT: usize = 1 << 20;

/// Next.js's CSRF check: a request with an `Origin` must come from the host
/// it was sent to.
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) else {
        return true; // no Origin (not a browser's cross-site request)
    };
    let host = headers.get("x-forwarded-host").or_else(|| headers.get(header::HOST)).and_then(|h| h.to_str().ok());
    let origin_host = origin.split_once("://").map(|(_, rest)| rest.trim_end_matches('/'));
    matches!((origin_host, host), (Some(o), Some(h)) if o.eq_ignore_ascii_case(h))
}

async fn action(State(actions): State<Arc<Registry>>, headers: HeaderMap, body: Bytes) -> Response {
    if !same_origin(&headers) {
        return (StatusCode::FORBIDDEN, "cross-origin server action refused").into_response();
    }
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let request = match headers.get("next-action").and_then(|v| v.to_str().ok()) {
        Some(id) => Request::fetch(id, content_type, body),
        None => Request::form_post(content_type, body),
    };
    match actions.handle(request).await {
        Ok(reply) => {
            let mut response = Response::new(Body::from_stream(Chunks(reply.body)));
            response.headers_mut().insert(header::CONTENT_TYPE, CONTENT_TYPE.parse().expect("header value"));
            if let Some(state) = reply.form_state {
                let key = state.key_path.to_string_lossy().into_owned();
                if let Ok(v) = key.parse() {
                    response.headers_mut().insert("x-action-key", v);
                }
            }
            response
        }
        Err(e) => {
            let status = match (e.kind(), e.category()) {
                (ErrorKind::UnknownAction { .. }, _) => StatusCode::NOT_FOUND,
                (_, Category::Limit) => StatusCode::PAYLOAD_TOO_LARGE,
                _ => StatusCode::BAD_REQUEST,
            };
            (status, e.to_string()).into_response()
        }
    }
}

/// The response body as the `Result` stream axum takes.
struct Chunks(flight_codec::response::ResponseBody);

impl Stream for Chunks {
    type Item = Result<Bytes, Infallible>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Pin::new(&mut self.get_mut().0).poll_next(cx).map(|c| c.map(Ok))
    }
}

fn app() -> Router {
    Router::new()
        .route("/action", post(action))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(Arc::new(registry()))
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let mut port = 3000u16;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--port" {
            port = args.next().and_then(|p| p.parse().ok()).expect("--port N");
        }
    }
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app()).await
}
