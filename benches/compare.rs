//! The side-by-side comparison of issue 5: our four operations, React
//! 19.3.1's and serde_json's, on the same wire bytes, in one table.
//!
//! Run it through `bash benches/compare.sh`, which first runs
//! `tests/oracle/bench/react-bench.mjs` (React's wire bytes and timings, in
//! `target/flight-bench/`), then this binary:
//!
//! ```text
//! cargo bench --bench compare -- [--dir DIR] [--check] [--scaling] [--only P1,P3] [--budget-ms N]
//! ```
//!
//! It checks that our encoders write React's bytes for the payloads of
//! `benches/payloads/mod.rs` and that our decoders read React's bytes back
//! into the same values, then (without `--check`) times our operations and
//! serde_json's on the same JSON texts, and prints the table of medians with
//! the ratios, the P4 memcpy ratio, the peak heap while decoding P3, and
//! with `--scaling` our time per record from 1,000 to 200,000 records. See
//! `benches/README.md`.
#![allow(missing_docs)]

mod payloads;

use std::fmt::Write as _;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use bytes::Bytes;
use flight_codec::multipart::{self, MultipartLimits};
use flight_codec::reply::{self, DecodeOptions, EncodeOptions};
use flight_codec::response::rows::{RowFramer, RowTag};
use flight_codec::response::{Event, ResponseDecoder};
use flight_codec::value::{Graph, Node, PromiseState};
use flight_codec::{notation, response};

// --- the counting allocator of the security suite (tests/security/alloc.rs) --

#[allow(dead_code)] // its lock is for the test binary's parallel tests
#[path = "../tests/security/alloc.rs"]
mod alloc;

/// Peak bytes allocated while `f` runs, including what `f`'s result holds at the end.
fn peak_heap<T>(f: impl FnOnce() -> T) -> (T, usize) {
    alloc::measure(f)
}

// --- timing ----------------------------------------------------------------

#[derive(Clone, Copy)]
struct Stat {
    ns: f64,
    /// Minor page faults per run while sampling (Linux: `/proc/self/stat`).
    faults: Option<f64>,
}

/// The process's minor page faults so far (field 10 of `/proc/self/stat`).
fn minor_faults() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name (field 2) is in parentheses and may hold spaces.
    let after = &stat[stat.rfind(')')? + 2..];
    after.split(' ').nth(7)?.parse().ok()
}

/// `P2 decode reply 113 / 1`: our minor page faults per run, and serde_json's.
fn fault_note(payload: &str, op: &str, ours: &Stat, serde: Option<&Stat>) -> String {
    let f = |s: &Stat| s.faults.map_or("?".to_string(), |f| format!("{f:.0}"));
    format!("{payload} {op} {} / {}", f(ours), serde.map_or("–".to_string(), f))
}

/// Median time per run of `f`: warm-up (at least 3 runs and a tenth of the
/// budget), then samples of `k` runs each (`k` so that a sample lasts about
/// 2 ms) until the budget is spent: 5 to 101 samples. Results are dropped
/// inside the timed region.
fn measure<T>(budget: Duration, mut f: impl FnMut() -> T) -> Stat {
    let warm_start = Instant::now();
    let mut runs = 0u32;
    let mut total = Duration::ZERO;
    loop {
        let t0 = Instant::now();
        black_box(f());
        let last = t0.elapsed();
        total += last;
        runs += 1;
        if runs >= 3 && (warm_start.elapsed() >= budget / 10 || last * 3 > budget) {
            break;
        }
    }
    let per = total.as_nanos() as f64 / runs as f64;
    let k = ((2e6 / per.max(1.0)) as u64).clamp(1, 100_000);
    let mut samples = Vec::new();
    let start = Instant::now();
    let faults_before = minor_faults();
    while samples.len() < 5 || (start.elapsed() < budget && samples.len() < 101) {
        let t0 = Instant::now();
        for _ in 0..k {
            black_box(f());
        }
        samples.push(t0.elapsed().as_nanos() as f64 / k as f64);
    }
    let runs = (samples.len() as u64 * k) as f64;
    let faults = faults_before.zip(minor_faults()).map(|(a, b)| b.saturating_sub(a) as f64 / runs);
    samples.sort_by(f64::total_cmp);
    Stat { ns: samples[samples.len() / 2], faults }
}

// --- inputs ----------------------------------------------------------------

const FIXED_BOUNDARY: &str = "----formdata-undici-000000000000";

struct Inputs {
    name: &'static str,
    graph: Graph,
    reply: Bytes,
    reply_type: String,
    response: Bytes,
    /// The JSON texts of the reply: the string body, or every text part.
    reply_json: Vec<Bytes>,
    /// The JSON texts of the response: the payloads of its JSON rows.
    response_json: Vec<Bytes>,
}

fn read(dir: &Path, file: String) -> Vec<u8> {
    std::fs::read(dir.join(&file)).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run `bash benches/compare.sh`, which writes React's bytes there first)",
            dir.join(file).display()
        )
    })
}

/// Our reply wire bytes, with our multipart boundary replaced by the fixed
/// one the oracle puts in place of undici's random one (same length).
fn our_reply_bytes(body: &reply::Body) -> Vec<u8> {
    let bytes = body.to_bytes();
    if body.as_text().is_some() {
        return bytes;
    }
    let ours = body.boundary();
    assert_eq!(ours.len(), FIXED_BOUNDARY.len());
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(ours.as_bytes()) {
            out.extend_from_slice(FIXED_BOUNDARY.as_bytes());
            i += ours.len();
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

fn first_difference(a: &[u8], b: &[u8]) -> String {
    let at = a.iter().zip(b).position(|(x, y)| x != y).unwrap_or(a.len().min(b.len()));
    let show = |s: &[u8]| String::from_utf8_lossy(&s[at.saturating_sub(40)..(at + 40).min(s.len())]).into_owned();
    format!(
        "lengths {} vs {}, first difference at byte {at}:\n  ours:  {:?}\n  React: {:?}",
        a.len(),
        b.len(),
        show(a),
        show(b)
    )
}

/// Loads React's bytes for a payload and checks ours against them. Returns
/// the inputs and the list of failures.
fn load(dir: &Path, p: &payloads::Payload, failures: &mut Vec<String>) -> Inputs {
    let graph = (p.make)();
    let reply_bytes = Bytes::from(read(dir, format!("{}.reply", p.name)));
    let reply_type = String::from_utf8(read(dir, format!("{}.reply.type", p.name))).expect("content type");
    let response_bytes = Bytes::from(read(dir, format!("{}.response", p.name)));

    // encoders: our bytes are React's
    let body = reply::encode(&graph, &EncodeOptions::default()).expect("reply encodes");
    let ours = our_reply_bytes(&body);
    if ours != reply_bytes[..] {
        failures.push(format!("{} reply bytes differ from React's: {}", p.name, first_difference(&ours, &reply_bytes)));
    }
    let ours = response::encode(&graph, &Default::default()).expect("response encodes");
    if ours != response_bytes[..] {
        failures.push(format!(
            "{} response bytes differ from React's: {}",
            p.name,
            first_difference(&ours, &response_bytes)
        ));
    }

    // decoders: React's bytes read back as the value
    let expected = notation::to_string(&graph);
    match reply::decode_body(&reply_type, reply_bytes.clone(), &DecodeOptions::default()) {
        Ok(g) if notation::to_string(&g) == expected => {}
        Ok(_) => failures.push(format!("{}: decoding React's reply gives another value", p.name)),
        Err(e) => failures.push(format!("{}: decoding React's reply fails: {e}", p.name)),
    }
    match response::decode(&response_bytes, &DecodeOptions::default()) {
        Ok(g) if notation::to_string(&g) == expected => {}
        Ok(_) => failures.push(format!("{}: decoding React's response gives another value", p.name)),
        Err(e) => failures.push(format!("{}: decoding React's response fails: {e}", p.name)),
    }

    let reply_json = if reply_type.starts_with("multipart/") {
        let boundary = multipart::boundary_from_content_type(&reply_type).expect("boundary");
        let limits =
            MultipartLimits { max_total_bytes: usize::MAX, max_parts: usize::MAX, ..MultipartLimits::default() };
        multipart::parse(&reply_bytes, &boundary, &limits)
            .expect("multipart")
            .into_iter()
            .filter(|part| part.filename.is_none())
            .map(|part| part.body)
            .collect()
    } else {
        vec![reply_bytes.clone()]
    };
    let mut framer = RowFramer::new(Default::default());
    framer.feed(&response_bytes).expect("frames");
    framer.finish().expect("frames");
    let response_json =
        std::iter::from_fn(|| framer.next_row()).filter(|row| row.tag == RowTag::Json).map(|row| row.payload).collect();
    Inputs { name: p.name, graph, reply: reply_bytes, reply_type, response: response_bytes, reply_json, response_json }
}

// --- serde_json ------------------------------------------------------------

/// `serde_json::from_slice::<Value>`; texts nested deeper than serde_json's
/// recursion limit (128) are parsed with the limit lifted (`unbounded_depth`).
fn serde_parse(text: &[u8]) -> serde_json::Value {
    match serde_json::from_slice(text) {
        Ok(v) => v,
        Err(_) => {
            let mut de = serde_json::Deserializer::from_slice(text);
            de.disable_recursion_limit();
            de.into_iter::<serde_json::Value>().next().expect("a value").expect("valid JSON")
        }
    }
}

fn deep(text: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Value>(text).is_err()
}

// --- the table ---------------------------------------------------------------

#[derive(Default)]
struct Row {
    payload: &'static str,
    op: &'static str,
    bytes: usize,
    react: Option<f64>,
    ours: Option<f64>,
    serde_bytes: usize,
    serde: Option<f64>,
    note: String,
}

fn mbps(bytes: usize, ns: f64) -> f64 {
    bytes as f64 / ns * 1e9 / 1e6
}

fn time(ns: f64) -> String {
    if ns < 1e3 {
        format!("{ns:.0} ns")
    } else if ns < 1e6 {
        format!("{:.1} µs", ns / 1e3)
    } else if ns < 1e9 {
        format!("{:.2} ms", ns / 1e6)
    } else {
        format!("{:.2} s", ns / 1e9)
    }
}

fn cell(bytes: usize, ns: Option<f64>) -> String {
    match ns {
        Some(ns) => format!("{} ({:.0} MB/s)", time(ns), mbps(bytes, ns)),
        None => "–".into(),
    }
}

fn size(bytes: usize) -> String {
    if bytes < 10_000 {
        format!("{bytes} B")
    } else if bytes < 10_000_000 {
        format!("{:.0} KB", bytes as f64 / 1e3)
    } else {
        format!("{:.1} MB", bytes as f64 / 1e6)
    }
}

fn render(rows: &[Row]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| payload | operation | wire | React 19.3.1 | ours | serde_json (JSON) | ours/React | ours/serde |"
    );
    let _ = writeln!(out, "|---|---|---:|---:|---:|---:|---:|---:|");
    for r in rows {
        let vs_react = match (r.react, r.ours) {
            (Some(re), Some(o)) => format!("{:.1}×", re / o),
            _ => "–".into(),
        };
        let vs_serde = match (r.serde, r.ours) {
            (Some(s), Some(o)) => format!("{:.2}×", mbps(r.bytes, o) / mbps(r.serde_bytes, s)),
            _ => "–".into(),
        };
        let serde = match r.serde {
            Some(_) => format!("{}{}", cell(r.serde_bytes, r.serde), r.note),
            None => format!("–{}", r.note),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            r.payload,
            r.op,
            size(r.bytes),
            cell(r.bytes, r.react),
            cell(r.bytes, r.ours),
            serde,
            vs_react,
            vs_serde
        );
    }
    out
}

// --- main ------------------------------------------------------------------

struct Args {
    dir: PathBuf,
    check: bool,
    only: Option<Vec<String>>,
    budget: Duration,
    scaling: bool,
}

fn args() -> Args {
    let mut a = Args {
        dir: PathBuf::from("target/flight-bench"),
        check: false,
        only: None,
        budget: Duration::from_millis(1500),
        scaling: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(x) = it.next() {
        match x.as_str() {
            "--dir" => a.dir = PathBuf::from(it.next().expect("--dir DIR")),
            "--check" => a.check = true,
            "--scaling" => a.scaling = true,
            "--only" => a.only = Some(it.next().expect("--only P1,P2").split(',').map(String::from).collect()),
            "--budget-ms" => {
                a.budget = Duration::from_millis(it.next().expect("--budget-ms N").parse().expect("a number"))
            }
            _ => {} // cargo bench passes --bench
        }
    }
    a
}

fn react_ns(react: &serde_json::Value, payload: &str, op: &str) -> Option<f64> {
    react["results"][payload][op]["ns"].as_f64()
}

fn main() {
    let args = args();
    let mut failures = Vec::new();
    let selected: Vec<&payloads::Payload> =
        payloads::ALL.iter().filter(|p| args.only.as_ref().is_none_or(|o| o.iter().any(|n| n == p.name))).collect();
    let inputs: Vec<Inputs> = selected
        .iter()
        .map(|p| {
            eprintln!("checking {} against React's bytes", p.name);
            load(&args.dir, p, &mut failures)
        })
        .collect();
    for f in &failures {
        eprintln!("MISMATCH: {f}");
    }
    if args.check {
        println!(
            "{} passed, {} failed: our encoders write React's bytes and our decoders read them back",
            inputs.len() * 4 - failures.len(),
            failures.len()
        );
        std::process::exit(if failures.is_empty() { 0 } else { 1 });
    }

    let react: serde_json::Value = match std::fs::read(args.dir.join("react.json")) {
        Ok(b) => serde_json::from_slice(&b).expect("react.json"),
        Err(_) => serde_json::Value::Null,
    };
    let budget = args.budget;
    let dopts = DecodeOptions::default();
    let mut rows = Vec::new();
    let mut notes = Vec::new();
    let mut faults: Vec<String> = Vec::new();
    for inp in &inputs {
        eprintln!("timing {}", inp.name);
        let n = inp.name;
        let reply_json_bytes: usize = inp.reply_json.iter().map(|t| t.len()).sum();
        let response_json_bytes: usize = inp.response_json.iter().map(|t| t.len()).sum();
        let binary = n == "P4"; // its JSON texts are a few bytes around 24 MB of binary parts
        let reply_deep = inp.reply_json.iter().any(|t| deep(t));
        let response_deep = inp.response_json.iter().any(|t| deep(t));
        let deep_note = |d: bool| if d { " ¹".to_string() } else { String::new() };

        // decode reply
        let ours = measure(budget, || reply::decode_body(&inp.reply_type, inp.reply.clone(), &dopts).expect("decodes"));
        let serde =
            (!binary).then(|| measure(budget, || inp.reply_json.iter().map(|t| serde_parse(t)).collect::<Vec<_>>()));
        faults.push(fault_note(n, "decode reply", &ours, serde.as_ref()));
        rows.push(Row {
            payload: n,
            op: "decode reply",
            bytes: inp.reply.len(),
            react: react_ns(&react, n, "decodeReply"),
            ours: Some(ours.ns),
            serde_bytes: reply_json_bytes,
            serde: serde.map(|s| s.ns),
            note: deep_note(reply_deep),
        });
        if binary {
            let mut dst = vec![0u8; inp.reply.len()];
            let memcpy = measure(budget, || {
                dst.copy_from_slice(&inp.reply);
                dst[0]
            });
            notes.push(format!(
                "P4 decode reply from its multipart body: {} = {:.2}× one memcpy of its {} ({}) (target ≤ 2×)",
                time(ours.ns),
                ours.ns / memcpy.ns,
                size(inp.reply.len()),
                time(memcpy.ns)
            ));
        }
        if let Some(m) = react["results"][n]["reactDefaultRejects"].as_str() {
            notes.push(format!(
                "{n}: React's decodeReply with its default options rejects this reply (\"{m}\": arraySizeLimit 1e6 counts string lengths inside arrays); it is timed with arraySizeLimit: Infinity"
            ));
        }
        if inp.reply_type.starts_with("multipart/") {
            if let Some(only) = react_ns(&react, n, "decodeReplyOnly") {
                notes.push(format!(
                    "{n} React decode reply = undici multipart parse {} + decodeReply {}",
                    time(react_ns(&react, n, "decodeReply").unwrap_or(f64::NAN) - only),
                    time(only)
                ));
            }
        }

        // encode reply (to wire bytes)
        let ours = measure(budget, || {
            let body = reply::encode(&inp.graph, &EncodeOptions::default()).expect("encodes");
            match body {
                reply::Body::Text(s) => s.into_bytes(),
                form => form.to_bytes(),
            }
        });
        let values: Vec<serde_json::Value> = inp.reply_json.iter().map(|t| serde_parse(t)).collect();
        let serde = (!binary).then(|| {
            measure(budget, || values.iter().map(|v| serde_json::to_vec(v).expect("writes")).collect::<Vec<_>>())
        });
        drop(values);
        faults.push(fault_note(n, "encode reply", &ours, serde.as_ref()));
        rows.push(Row {
            payload: n,
            op: "encode reply",
            bytes: inp.reply.len(),
            react: react_ns(&react, n, "encodeReply"),
            ours: Some(ours.ns),
            serde_bytes: reply_json_bytes,
            serde: serde.map(|s| s.ns),
            note: deep_note(reply_deep),
        });

        // encode response
        let ropts = response::EncodeOptions::default();
        let ours = measure(budget, || response::encode(&inp.graph, &ropts).expect("encodes"));
        let values: Vec<serde_json::Value> = inp.response_json.iter().map(|t| serde_parse(t)).collect();
        let serde = (!binary).then(|| {
            measure(budget, || values.iter().map(|v| serde_json::to_vec(v).expect("writes")).collect::<Vec<_>>())
        });
        drop(values);
        faults.push(fault_note(n, "encode response", &ours, serde.as_ref()));
        rows.push(Row {
            payload: n,
            op: "encode response",
            bytes: inp.response.len(),
            react: react_ns(&react, n, "encodeResponse"),
            ours: Some(ours.ns),
            serde_bytes: response_json_bytes,
            serde: serde.map(|s| s.ns),
            note: deep_note(response_deep),
        });

        // decode response
        // From the bytes as they arrived (`Bytes`, as React's client keeps its
        // network chunks): rows are slices of them, binary rows not copied.
        let ours = measure(budget, || response::decode_bytes(inp.response.clone(), &dopts).expect("decodes"));
        let serde =
            (!binary).then(|| measure(budget, || inp.response_json.iter().map(|t| serde_parse(t)).collect::<Vec<_>>()));
        faults.push(fault_note(n, "decode response", &ours, serde.as_ref()));
        rows.push(Row {
            payload: n,
            op: "decode response",
            bytes: inp.response.len(),
            react: react_ns(&react, n, "decodeResponse"),
            ours: Some(ours.ns),
            serde_bytes: response_json_bytes,
            serde: serde.map(|s| s.ns),
            note: deep_note(response_deep),
        });

        // decode response fed in 4 KiB chunks
        let ours = measure(budget, || decode_response_chunked(&inp.response, 4096, &dopts));
        rows.push(Row {
            payload: n,
            op: "decode response, 4 KiB chunks ²",
            bytes: inp.response.len(),
            ours: Some(ours.ns),
            ..Row::default()
        });
    }

    if !faults.is_empty() {
        notes.push(format!(
            "minor page faults per run, ours / serde_json (fresh pages a run touched: memory the allocator had handed back to the system): {}",
            faults.join(", ")
        ));
    }

    // memory: peak heap while decoding P3
    if let Some(p3) = inputs.iter().find(|i| i.name == "P3") {
        let (g, reply_peak) =
            peak_heap(|| reply::decode_body(&p3.reply_type, p3.reply.clone(), &dopts).expect("decodes"));
        drop(g);
        let (g, response_peak) = peak_heap(|| response::decode_bytes(p3.response.clone(), &dopts).expect("decodes"));
        drop(g);
        notes.push(format!(
            "P3 peak heap while decoding (counting allocator; the input not counted): reply {} = {:.2}× its {} wire bytes, response {} = {:.2}× (target ≤ 2×)",
            size(reply_peak),
            reply_peak as f64 / p3.reply.len() as f64,
            size(p3.reply.len()),
            size(response_peak),
            response_peak as f64 / p3.response.len() as f64
        ));
    }

    if inputs.iter().any(|i| i.name == "P3") {
        eprintln!("streaming");
        notes.push(streaming());
    }
    if args.scaling {
        notes.push(scaling(budget));
    }

    let table = render(&rows);
    let mut report = String::new();
    let _ = writeln!(
        report,
        "{} UTC, {}; React {} on Node {} (production builds) vs flight-codec {} and serde_json 1 (from_slice::<Value>, to_vec).\nMedians; MB/s = wire bytes per second (serde_json: its JSON texts per second).\n",
        today(),
        machine(),
        react["react"].as_str().unwrap_or("(not run)"),
        react["node"].as_str().unwrap_or("?"),
        env!("CARGO_PKG_VERSION"),
    );
    report.push_str(&table);
    report.push_str("\nours/React = React's time / ours (same bytes); ours/serde = our MB/s / serde_json's MB/s.\n");
    report.push_str("¹ nested deeper than serde_json's recursion limit: parsed with `disable_recursion_limit` (feature unbounded_depth).\n");
    report.push_str("² the push decoder (`response::ResponseDecoder`) fed 4 KiB chunks, events drained as they come, then `finish`.\n");
    for n in &notes {
        let _ = writeln!(report, "- {n}");
    }
    report.push_str(&targets(&rows));
    for f in &failures {
        let _ = writeln!(report, "- MISMATCH: {f}");
    }
    println!("{report}");
    let _ = std::fs::write(args.dir.join("table.md"), &report);
}

/// Ours only: time per record of the four operations on P2-style records,
/// from 1,000 to 200,000 records (target: flat within ±15%).
fn scaling(budget: Duration) -> String {
    let sizes = [1_000usize, 10_000, 50_000, 200_000];
    let dopts = DecodeOptions::default();
    let ropts = response::EncodeOptions::default();
    let mut per: [Vec<f64>; 4] = Default::default();
    let mut faults: [Vec<Option<f64>>; 4] = Default::default();
    for &n in &sizes {
        eprintln!("scaling: {n} records");
        let g = payloads::records(n);
        let body = reply::encode(&g, &EncodeOptions::default()).expect("encodes");
        let text = Bytes::from(body.as_text().expect("a string body").to_owned());
        let stream = Bytes::from(response::encode(&g, &ropts).expect("encodes"));
        let stats = [
            measure(budget, || reply::decode_text(text.clone(), &dopts).expect("decodes")),
            measure(budget, || reply::encode(&g, &EncodeOptions::default()).expect("encodes")),
            measure(budget, || response::encode(&g, &ropts).expect("encodes")),
            measure(budget, || response::decode_bytes(stream.clone(), &dopts).expect("decodes")),
        ];
        for (i, st) in stats.iter().enumerate() {
            per[i].push(st.ns / n as f64);
            faults[i].push(st.faults.map(|f| f * 1000.0 / n as f64));
        }
    }
    let mut out = String::from(
        "scaling (ours), ns per record at 1k / 10k / 50k / 200k records (spread = max/min - 1; target ≤ 15%), and minor page faults per 1,000 records:",
    );
    for (i, op) in ["decode reply", "encode reply", "encode response", "decode response"].iter().enumerate() {
        let v = &per[i];
        let (lo, hi) = v.iter().fold((f64::MAX, 0f64), |(lo, hi), x| (lo.min(*x), hi.max(*x)));
        let f = faults[i].iter().map(|f| f.map_or("?".to_string(), |f| format!("{f:.0}"))).collect::<Vec<_>>();
        let _ = write!(
            out,
            "\n  - {op}: {} (spread {:.0}%); faults {}",
            v.iter().map(|x| format!("{x:.0}")).collect::<Vec<_>>().join(" / "),
            (hi / lo - 1.0) * 100.0,
            f.join(" / ")
        );
    }
    out
}

/// The date, from the system clock (civil-from-days, proleptic Gregorian).
fn today() -> String {
    let ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis());
    let iso = flight_codec::value::Date::from_millis(ms as f64).to_iso_string().unwrap_or_default();
    iso.get(..10).unwrap_or_default().to_string()
}

/// The CPU model and the number of cores.
fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{cpu}, {cores} cores")
}

/// A response arriving in chunks: fed to the push decoder, events drained
/// as they come, then finished.
fn decode_response_chunked(stream: &Bytes, chunk: usize, opts: &DecodeOptions) -> Graph {
    let mut d = ResponseDecoder::new(opts.clone());
    let mut at = 0;
    while at < stream.len() {
        let end = (at + chunk).min(stream.len());
        d.feed_bytes(stream.slice(at..end)).expect("decodes");
        while d.next_event().is_some() {}
        at = end;
    }
    d.finish().expect("decodes")
}

/// The streaming target: P3's records behind a promise (`{items: Promise}`),
/// so that the root row comes first; fed in 4 KiB chunks, the time until the
/// root event against the time of the whole decode (medians of 11 runs).
fn streaming() -> String {
    let mut g = payloads::records(50_000);
    let items = g.root().clone();
    let p = g.add_value(Node::Promise(PromiseState::Fulfilled(items)));
    let root = g.add_value(Node::Object(vec![("items".into(), p)]));
    g.set_root(root);
    let stream = response::encode(&g, &Default::default()).expect("encodes");
    let first = String::from_utf8_lossy(&stream[..stream.len().min(24)]).into_owned();
    let (mut to_root, mut full) = (Vec::new(), Vec::new());
    for _ in 0..11 {
        let t0 = Instant::now();
        let mut d = ResponseDecoder::new(DecodeOptions::default());
        let mut root_at = None;
        for c in stream.chunks(4096) {
            d.feed(c).expect("decodes");
            while let Some(e) = d.next_event() {
                if root_at.is_none() && matches!(e, Event::Root(_)) {
                    root_at = Some(t0.elapsed());
                }
            }
        }
        black_box(d.finish().expect("decodes"));
        full.push(t0.elapsed().as_nanos() as f64);
        to_root.push(root_at.expect("a root event").as_nanos() as f64);
    }
    to_root.sort_by(f64::total_cmp);
    full.sort_by(f64::total_cmp);
    let (r, f) = (to_root[5], full[5]);
    format!(
        "streaming: P3's records as `{{items: Promise}}` ({}, starting `{}`), fed in 4 KiB chunks to the push decoder: root event after {}, whole decode {}: {:.3}% (target < 1%)",
        size(stream.len()),
        first.split('\n').next().unwrap_or(""),
        time(r),
        time(f),
        r / f * 100.0
    )
}

/// The issue's targets, checked against this run.
fn targets(rows: &[Row]) -> String {
    let mut out = String::from("\nTargets (issue 5), this run:\n");
    let find = |p: &str, op: &str| rows.iter().find(|r| r.payload == p && r.op == op);
    let vs_serde = |r: &Row| match (r.ours, r.serde) {
        (Some(o), Some(s)) => Some(mbps(r.bytes, o) / mbps(r.serde_bytes, s)),
        _ => None,
    };
    for (op, want, payloads) in [
        ("decode reply", 2.0, &["P2", "P3", "P5", "P6", "P7", "P9"][..]),
        ("decode response", 2.0, &["P2", "P3", "P5", "P6", "P7", "P9"][..]),
        ("encode reply", 1.0, &["P1", "P2", "P3", "P5", "P6", "P7", "P8", "P9"][..]),
        ("encode response", 1.0, &["P1", "P2", "P3", "P5", "P6", "P7", "P8", "P9"][..]),
    ] {
        let mut met = Vec::new();
        let mut missed = Vec::new();
        for p in payloads {
            if let Some(x) = find(p, op).and_then(vs_serde) {
                let s = format!("{p} {x:.2}×");
                if x >= want {
                    met.push(s)
                } else {
                    missed.push(s)
                }
            }
        }
        let _ = writeln!(
            out,
            "- {op} ≥ {want}× serde_json: met on [{}]; missed on [{}]",
            met.join(", "),
            missed.join(", ")
        );
    }
    for op in ["decode reply", "encode reply", "decode response", "encode response"] {
        if let Some(o) = find("P1", op).and_then(|r| r.ours) {
            let _ = writeln!(out, "- P1 {op} < 2 µs: {} ({})", time(o), if o < 2000.0 { "met" } else { "missed" });
        }
    }
    out
}
