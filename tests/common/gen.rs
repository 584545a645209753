//! A seeded generator of random values in notation, for the live
//! differential tests against React.
#![allow(dead_code)]

use flight_codec::json::write_str;
use flight_codec::value::JsString;

use super::Rng;

pub fn js_str(s: &str) -> String {
    let mut out = Vec::new();
    write_str(&mut out, &JsString::from(s));
    String::from_utf8(out).unwrap()
}

/// Random values in notation. Shared nodes are referenced only after they
/// are complete (no cycles through Maps or Sets, which React 19.3.1 decodes
/// as `null`), typed arrays are never shared (React's `null` quirk), and
/// there is no FormData (React loses FormData parts with id ≥ 10); the
/// vectors cover those.
pub struct Gen {
    pub rng: Rng,
    pub named: Vec<String>,
    pub next_name: usize,
    pub server_ids: usize,
    /// Generate values React passes only as temporary references.
    pub temp: bool,
}

impl Gen {
    pub fn new(rng: Rng) -> Self {
        Gen { rng, named: Vec::new(), next_name: 0, server_ids: 0, temp: false }
    }

    /// Starts a new value: no shared nodes yet.
    pub fn reset(&mut self, temp: bool) {
        self.named.clear();
        self.next_name = 0;
        self.temp = temp;
    }

    fn bytes64(&mut self, max: u64) -> String {
        let n = self.rng.below(max + 1) as usize;
        let bytes: Vec<u8> = (0..n).map(|_| self.rng.next() as u8).collect();
        base64::Engine::encode(&super::B64, bytes)
    }

    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.rng.below(xs.len() as u64) as usize]
    }

    fn string(&mut self) -> String {
        let parts = ["a", "$", "$$", "@", "é", "漢", "😀", "\u{2028}", "\"", "\\", "\n", ":", "0", "Z", " "];
        let n = self.rng.below(6);
        let mut s = String::new();
        for _ in 0..n {
            s.push_str(self.pick(&parts));
        }
        if self.rng.below(20) == 0 {
            // a lone surrogate
            return format!("\"{}\\ud800\"", &js_str(&s)[1..js_str(&s).len() - 1]);
        }
        js_str(&s)
    }

    fn scalar(&mut self) -> String {
        match self.rng.below(14) {
            0 => "null".into(),
            1 => "true".into(),
            2 => r#"{"undefined":null}"#.into(),
            3 => self
                .pick(&[
                    r#"{"number":"NaN"}"#,
                    r#"{"number":"-0"}"#,
                    r#"{"number":"Infinity"}"#,
                    r#"{"number":"-Infinity"}"#,
                ])
                .into(),
            4 => {
                let mut out = Vec::new();
                let n = f64::from_bits(self.rng.next());
                let n = if n.is_finite() && n != 0.0 { n } else { 1.5 };
                flight_codec::json::write_number(&mut out, n);
                String::from_utf8(out).unwrap()
            }
            5 => (self.rng.below(2000) as i64 - 1000).to_string(),
            6 => format!(r#"{{"bigint":"{}"}}"#, self.rng.next() as i64),
            7 => format!(
                r#"{{"date":"{}"}}"#,
                flight_codec::value::Date::from_millis((self.rng.below(1 << 44) as f64) - 8e12)
                    .to_iso_string()
                    .unwrap()
            ),
            8 => r#"{"date":null}"#.into(),
            _ => self.string(),
        }
    }

    fn named(&mut self, body: String) -> String {
        if self.rng.below(4) == 0 {
            self.next_name += 1;
            let name = format!("n{}", self.next_name);
            self.named.push(name.clone());
            format!(r#"{{"node":["{name}",{body}]}}"#)
        } else {
            body
        }
    }

    pub fn value(&mut self, depth: u32) -> String {
        if !self.named.is_empty() && self.rng.below(10) == 0 {
            let i = self.rng.below(self.named.len() as u64) as usize;
            return format!(r#"{{"ref":"{}"}}"#, self.named[i]);
        }
        if depth == 0 || self.rng.below(3) == 0 {
            return self.scalar();
        }
        let n = self.rng.below(4);
        let items = |g: &mut Gen| (0..n).map(|_| g.value(depth - 1)).collect::<Vec<_>>().join(",");
        if self.temp && self.rng.below(8) == 0 {
            return self
                .pick(&[
                    r#"{"instance":"Foo"}"#,
                    r#"{"instance":null}"#,
                    r#"{"function":"f"}"#,
                    r#"{"symbol":"s"}"#,
                    r#"{"unregisteredSymbol":"u"}"#,
                    r#"{"element":{"type":"div","key":null,"props":{"object":[]}}}"#,
                ])
                .to_string();
        }
        match self.rng.below(21) {
            0..=2 => {
                let b = format!(r#"{{"array":[{}]}}"#, items(self));
                self.named(b)
            }
            3..=5 => {
                let keys = ["a", "b", "1", "0", "10", "$k", "x:y", "__proto__x", "é", ""];
                let mut used = std::collections::HashSet::new();
                let mut pairs = Vec::new();
                for _ in 0..n {
                    let k = self.pick(&keys);
                    if used.insert(k) {
                        let v = self.value(depth - 1);
                        pairs.push(format!("[{},{v}]", js_str(k)));
                    }
                }
                let b = format!(r#"{{"object":[{}]}}"#, pairs.join(","));
                self.named(b)
            }
            6 => {
                let entries = (0..n)
                    .map(|_| format!("[{},{}]", self.value(depth - 1), self.value(depth - 1)))
                    .collect::<Vec<_>>()
                    .join(",");
                let b = format!(r#"{{"map":[{entries}]}}"#);
                self.named(b)
            }
            7 => {
                let b = format!(r#"{{"set":[{}]}}"#, items(self));
                self.named(b)
            }
            8 => {
                let kinds = ["Int8Array", "Uint8Array", "Int16Array", "Float64Array", "DataView", "BigUint64Array"];
                let kind = self.pick(&kinds);
                let size = flight_codec::value::TypedArrayKind::from_name(kind).unwrap().element_size();
                let bytes: Vec<u8> = (0..size * self.rng.below(5) as usize).map(|_| self.rng.next() as u8).collect();
                format!(
                    r#"{{"typedArray":{{"kind":"{kind}","base64":"{}"}}}}"#,
                    base64::Engine::encode(&super::B64, bytes)
                )
            }
            9 => {
                self.server_ids += 1;
                let bound = if self.rng.below(2) == 0 { "null".to_string() } else { format!("[{}]", items(self)) };
                format!(r#"{{"serverReference":{{"id":"mod{}#fn","bound":{bound}}}}}"#, self.server_ids)
            }
            10 => format!(r#"{{"promise":{{"fulfilled":{}}}}}"#, self.value(depth - 1)),
            11 => format!(
                r#"{{"file":{{"name":"f.txt","type":"text/plain","base64":"{}"}}}}"#,
                base64::Engine::encode(&super::B64, self.string())
            ),
            12 => {
                let t = self.pick(&["", "text/plain", "application/x-custom"]);
                format!(r#"{{"blob":{{"type":"{t}","base64":"{}"}}}}"#, self.bytes64(6))
            }
            13 => format!(r#"{{"arrayBuffer":"{}"}}"#, self.bytes64(9)),
            14 => format!(r#"{{"iterator":[{}]}}"#, items(self)),
            15 => format!(r#"{{"readableStream":[{}]}}"#, items(self)),
            16 | 17 => {
                let kind = if self.rng.below(2) == 0 { "asyncIterable" } else { "asyncIterator" };
                let ret = if self.rng.below(2) == 0 { r#"{"undefined":null}"#.to_string() } else { self.scalar() };
                format!(r#"{{"{kind}":{{"items":[{}],"return":{ret}}}}}"#, items(self))
            }
            18 => {
                // Non-empty chunks: React never closes an empty byte stream (see the vectors).
                let chunks = (0..n + 1)
                    .map(|_| {
                        let len = 1 + self.rng.below(1500) as usize;
                        let bytes: Vec<u8> = (0..len).map(|_| self.rng.next() as u8).collect();
                        format!("\"{}\"", base64::Engine::encode(&super::B64, bytes))
                    })
                    .collect::<Vec<_>>()
                    .join(",");
                format!(r#"{{"byteStream":[{chunks}]}}"#)
            }
            _ => {
                let entries = (0..n)
                    .map(|i| {
                        let v = if self.rng.below(3) == 0 {
                            format!(r#"{{"file":{{"name":"a.bin","type":"","base64":"{}"}}}}"#, self.bytes64(4))
                        } else {
                            self.string()
                        };
                        format!(r#"["k{}",{v}]"#, i % 2)
                    })
                    .collect::<Vec<_>>()
                    .join(",");
                format!(r#"{{"formData":[{entries}]}}"#)
            }
        }
    }
}

const TOKENS: &[&str] = &[
    "$",
    "$@1",
    "$Q1",
    "$W1",
    "$K1",
    "$B1",
    "$h1",
    "$T",
    "$0",
    "$1",
    "$2",
    "$0:",
    "$1:0",
    ":",
    "$n",
    "$n1",
    "$D",
    "$undefined",
    "$NaN",
    "$-0",
    "\"",
    "[",
    "]",
    "{",
    "}",
    ",",
    "null",
    "1",
    "-0",
    "\\u",
    "\\ud800",
    "__proto__",
    "then",
    "constructor",
    "length",
    "$$",
    "$i1",
    "$R1",
    "$X1",
    "$S1",
    "$F1",
    "$Z",
    "0",
    "f",
    "a",
    "1e400",
];

/// One seeded edit of a string, on characters (so it stays UTF-8).
pub fn mutate_text(text: &str, rng: &mut Rng) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    let n = chars.len();
    let at = if n == 0 { 0 } else { rng.below(n as u64 + 1) as usize };
    match rng.below(6) {
        0 if n > 0 => {
            let len = 1 + rng.below(8) as usize;
            let end = (at + len).min(n);
            chars.drain(at.min(n)..end);
        }
        1 if n > 0 => {
            let len = 1 + rng.below(16) as usize;
            let from = rng.below(n as u64) as usize;
            let piece: Vec<char> = chars[from..(from + len).min(n)].to_vec();
            chars.splice(at..at, piece);
        }
        2 if n > 0 && at < n => {
            if let Some(d) = chars[at].to_digit(16) {
                chars[at] = std::char::from_digit((d + 1 + rng.below(15) as u32) % 16, 16).unwrap();
            } else {
                chars[at] = ['$', '"', ':', '1', 'a', '@', 'Q'][rng.below(7) as usize];
            }
        }
        _ => {
            let t = TOKENS[rng.below(TOKENS.len() as u64) as usize];
            chars.splice(at..at, t.chars());
        }
    }
    chars.into_iter().collect()
}
