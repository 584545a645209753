//! Shared test helpers: a small JSON tree (our own reader, so lone
//! surrogates survive) and vector loading.
#![allow(dead_code)]

pub mod gen;
pub mod oracle;
pub mod respond;

use std::path::{Path, PathBuf};

use base64::Engine as _;
use bytes::Bytes;
use flight_codec::json::{write_number, write_str, Reader, Token};
use flight_codec::value::{Blob, FormEntry, JsString};

pub const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// A parsed JSON document.
#[derive(Clone, Debug)]
pub enum Json {
    Null,
    Bool(bool),
    Num(f64),
    Str(JsString),
    Arr(Vec<Json>),
    Obj(Vec<(JsString, Json)>),
}

/// Dropping is iterative, like everything else here: vectors nest 1,000+
/// levels deep, and the suite runs with `RUST_MIN_STACK=262144`.
impl Drop for Json {
    fn drop(&mut self) {
        fn take(v: &mut Json, out: &mut Vec<Json>) {
            match v {
                Json::Arr(items) => out.append(items),
                Json::Obj(pairs) => out.extend(pairs.drain(..).map(|(_, v)| v)),
                _ => {}
            }
        }
        let mut stack = Vec::new();
        take(self, &mut stack);
        while let Some(mut v) = stack.pop() {
            take(&mut v, &mut stack);
        }
    }
}

impl Json {
    pub fn parse(text: &[u8]) -> Json {
        let bytes = Bytes::copy_from_slice(text);
        let mut r = Reader::with_max_depth(&bytes, usize::MAX);
        let mut stack: Vec<(Json, Option<JsString>)> = Vec::new();
        loop {
            let tok = r.next().expect("valid JSON").expect("a value");
            let v = match tok {
                Token::BeginArray => {
                    stack.push((Json::Arr(Vec::new()), None));
                    continue;
                }
                Token::BeginObject => {
                    stack.push((Json::Obj(Vec::new()), None));
                    continue;
                }
                Token::Key(k) => {
                    stack.last_mut().expect("in object").1 = Some(k);
                    continue;
                }
                Token::EndArray | Token::EndObject => stack.pop().expect("balanced").0,
                Token::String(s) => Json::Str(s),
                Token::Number(n) => Json::Num(n),
                Token::Bool(b) => Json::Bool(b),
                Token::Null => Json::Null,
            };
            match stack.last_mut() {
                None => return v,
                Some((Json::Arr(items), _)) => items.push(v),
                Some((Json::Obj(pairs), key)) => pairs.push((key.take().expect("key"), v)),
                _ => unreachable!(),
            }
        }
    }

    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Obj(pairs) => pairs.iter().find(|(k, _)| *k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn str(&self) -> &JsString {
        match self {
            Json::Str(s) => s,
            other => panic!("expected a string, got {other:?}"),
        }
    }

    pub fn text(&self) -> String {
        self.str().to_string_lossy().into_owned()
    }

    pub fn arr(&self) -> &[Json] {
        match self {
            Json::Arr(a) => a,
            other => panic!("expected an array, got {other:?}"),
        }
    }

    /// Compact JSON with JavaScript number formatting: the same text
    /// `JSON.stringify` and our notation writer produce.
    pub fn compact(&self) -> String {
        let mut out = Vec::new();
        let mut stack: Vec<Result<&Json, String>> = vec![Ok(self)];
        while let Some(item) = stack.pop() {
            let v = match item {
                Err(s) => {
                    out.extend_from_slice(s.as_bytes());
                    continue;
                }
                Ok(v) => v,
            };
            match v {
                Json::Null => out.extend_from_slice(b"null"),
                Json::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
                Json::Num(n) => write_number(&mut out, *n),
                Json::Str(s) => write_str(&mut out, s),
                Json::Arr(items) => {
                    out.push(b'[');
                    stack.push(Err("]".into()));
                    for (i, it) in items.iter().enumerate().rev() {
                        stack.push(Ok(it));
                        if i > 0 {
                            stack.push(Err(",".into()));
                        }
                    }
                }
                Json::Obj(pairs) => {
                    out.push(b'{');
                    stack.push(Err("}".into()));
                    for (i, (k, v)) in pairs.iter().enumerate().rev() {
                        stack.push(Ok(v));
                        let mut key = Vec::new();
                        if i > 0 {
                            key.push(b',');
                        }
                        write_str(&mut key, k);
                        key.push(b':');
                        stack.push(Err(String::from_utf8(key).unwrap()));
                    }
                }
            }
        }
        String::from_utf8(out).unwrap()
    }
}

/// The environment variable `name` parsed, or `default` (case counts and
/// seeds of the randomised tests).
pub fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

pub fn vector_dir(kind: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("spec/vectors").join(kind)
}

/// All vectors of one kind, sorted by file name.
pub fn load_vectors(kind: &str) -> Vec<(String, Json)> {
    let mut files: Vec<_> = std::fs::read_dir(vector_dir(kind))
        .expect("vector dir")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| (p.file_stem().unwrap().to_string_lossy().into_owned(), Json::parse(&std::fs::read(&p).unwrap())))
        .collect()
}

/// A FormData entry from a vector: a string, or `{"file":{…}}` / `{"blob":{…}}`.
pub fn entry_from_json(v: &Json) -> FormEntry {
    match v {
        Json::Str(s) => FormEntry::Text(s.clone()),
        Json::Obj(pairs) => {
            let (kind, body) = &pairs[0];
            let bytes = B64.decode(body.get("base64").unwrap().text()).unwrap();
            let name = if *kind == "file" { Some(body.get("name").unwrap().str().clone()) } else { None };
            FormEntry::File(Blob { name, content_type: body.get("type").unwrap().str().clone(), bytes: bytes.into() })
        }
        other => panic!("bad entry {other:?}"),
    }
}

pub fn entries_from_json(v: &Json) -> Vec<(JsString, FormEntry)> {
    v.arr().iter().map(|e| (e.arr()[0].str().clone(), entry_from_json(&e.arr()[1]))).collect()
}

/// Our reply body in the oracle's JSON shape (`{"string":…}` or `{"formData":…}`).
pub fn body_json(b: &flight_codec::reply::Body) -> String {
    match b {
        flight_codec::reply::Body::Text(t) => format!(r#"{{"string":{}}}"#, gen::js_str(t)),
        flight_codec::reply::Body::Form(e) => format!(r#"{{"formData":{}}}"#, entries_to_json(e)),
    }
}

/// Our decoding of our own reply body, in notation.
pub fn decode_own_body(
    b: &flight_codec::reply::Body,
    opts: &flight_codec::reply::DecodeOptions,
) -> flight_codec::Result<String> {
    use flight_codec::reply::{self, Body};
    match b {
        Body::Text(t) => reply::decode_str(t, opts),
        Body::Form(e) => reply::decode_form(e.iter().map(|(k, v)| (k.as_str().into(), v.clone())).collect(), opts),
    }
    .map(|g| flight_codec::notation::to_string(&g))
}

/// Our entries in the vectors' JSON shape, compact.
pub fn entries_to_json(entries: &[(String, FormEntry)]) -> String {
    let mut out = String::from("[");
    for (i, (k, e)) in entries.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let mut key = Vec::new();
        write_str(&mut key, &JsString::from(k.as_str()));
        out.push('[');
        out.push_str(&String::from_utf8(key).unwrap());
        out.push(',');
        match e {
            FormEntry::Text(t) => {
                let mut v = Vec::new();
                write_str(&mut v, t);
                out.push_str(&String::from_utf8(v).unwrap());
            }
            FormEntry::File(f) => {
                let mut v = Vec::new();
                write_str(&mut v, f.name.as_ref().unwrap_or(&JsString::from("blob")));
                let mut t = Vec::new();
                write_str(&mut t, &f.content_type);
                out.push_str(&format!(
                    "{{\"file\":{{\"name\":{},\"type\":{},\"base64\":\"{}\"}}}}",
                    String::from_utf8(v).unwrap(),
                    String::from_utf8(t).unwrap(),
                    B64.encode(&f.bytes)
                ));
            }
        }
        out.push(']');
    }
    out.push(']');
    out
}

/// A deterministic xorshift generator for split points and random values.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }
}

/// Runs `f` on a thread with an 8 MiB stack. Typed (serde) reads recurse
/// once per nesting level, up to `MAX_TYPED_DEPTH`: tests of deep values use
/// this so that they do not depend on `RUST_MIN_STACK` (CI's second run sets
/// 256 KiB to prove the graph decoders need no stack).
pub fn with_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(f)
        .expect("spawn")
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e))
}
