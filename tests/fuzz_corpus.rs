//! The fuzz corpora, replayed as ordinary tests.
//!
//! - Every file in `fuzz/corpus/<target>/` goes through the same property
//!   check the fuzz target runs (`fuzz/checks.rs`): the committed seeds, and
//!   any input a fuzzing run found and someone committed.
//! - The seeds (`seed-*` files) are written from `spec/vectors`; the test
//!   fails if they are missing or stale. `FLIGHT_BLESS=1 cargo test --test
//!   fuzz_corpus` rewrites them (see `fuzz/README.md`).

mod common;

#[path = "../fuzz/checks.rs"]
mod checks;

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

use base64::Engine as _;
use common::{entries_from_json, load_vectors, B64};

/// Seeds larger than this are left out: the fuzzer's inputs are small, and
/// the big vectors are covered by their own runners.
const MAX_SEED: usize = 16 * 1024;

type Target = (&'static str, fn(&[u8]));

const TARGETS: [Target; 8] = [
    ("decode_reply", checks::decode_reply),
    ("decode_multipart", checks::decode_multipart),
    ("decode_entries", checks::decode_entries),
    ("decode_action", checks::decode_action),
    ("decode_response", checks::decode_response),
    ("roundtrip_reply", checks::roundtrip_reply),
    ("roundtrip_response", checks::roundtrip_response),
    ("decode_typed", checks::decode_typed),
];

/// Targets whose input is not a body from the vectors: their corpus is what
/// fuzzing found, minimised and committed.
const NO_SEEDS: [&str; 2] = ["roundtrip_reply", "roundtrip_response"];

fn corpus_dir(target: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus").join(target)
}

/// Cut bytes (see `fuzz/checks.rs`) near the given positions in a body of `len` bytes.
fn cut_bytes(positions: &[usize], len: usize) -> Vec<u8> {
    let cuts: Vec<u8> = positions.iter().take(15).map(|&p| (p * 255 / len.max(1)) as u8).collect();
    [&[cuts.len() as u8][..], &cuts].concat()
}

/// The seeds for every target, by target and file name.
fn seeds() -> BTreeMap<&'static str, BTreeMap<String, Vec<u8>>> {
    let mut out: BTreeMap<&'static str, BTreeMap<String, Vec<u8>>> = BTreeMap::new();
    let mut add = |target: &'static str, name: &str, bytes: Vec<u8>| {
        if bytes.len() <= MAX_SEED {
            out.entry(target).or_default().insert(format!("seed-{name}"), bytes);
        }
    };
    for (name, v) in load_vectors("reply") {
        if let Some(s) = v.get("body").and_then(|b| b.get("string")) {
            add("decode_reply", &name, s.str().as_wtf8().to_vec());
            add("decode_typed", &name, s.str().as_wtf8().to_vec());
        }
        if let Some(f) = v.get("body").and_then(|b| b.get("formData")) {
            add("decode_entries", &name, checks::entries_to_bytes(&entries_from_json(f)));
        }
        if let Some(f) = v.get("action").and_then(|a| a.get("formData")) {
            add("decode_action", &name, checks::entries_to_bytes(&entries_from_json(f)));
        }
        if let Some(mp) = v.get("multipart") {
            let body = B64.decode(mp.get("base64").unwrap().text()).unwrap();
            let ct = mp.get("contentType").unwrap().text();
            let boundary = flight_codec::multipart::boundary_from_content_type(&ct).unwrap();
            let third = body.len() / 3;
            let seed =
                [&[boundary.len() as u8][..], boundary.as_bytes(), &cut_bytes(&[third, 2 * third], body.len()), &body]
                    .concat();
            add("decode_multipart", &name, seed);
        }
    }
    for (name, v) in load_vectors("response") {
        for flavour in ["prod", "dev"] {
            let Some(chunks) = v.get(flavour).and_then(|s| s.get("chunks")) else { continue };
            let chunks: Vec<Vec<u8>> = chunks.arr().iter().map(|c| B64.decode(c.text()).unwrap()).collect();
            let stream = chunks.concat();
            let ends: Vec<usize> = chunks
                .iter()
                .scan(0, |at, c| {
                    *at += c.len();
                    Some(*at)
                })
                .collect();
            let cuts = &ends[..ends.len().saturating_sub(1)];
            add("decode_response", &format!("{name}-{flavour}"), [cut_bytes(cuts, stream.len()), stream].concat());
        }
    }
    out
}

#[test]
fn seeds_match_vectors() {
    let bless = std::env::var_os("FLIGHT_BLESS").is_some();
    let mut problems = Vec::new();
    let seeds = seeds();
    for (target, _) in TARGETS.into_iter().filter(|(t, _)| !NO_SEEDS.contains(t)) {
        let dir = corpus_dir(target);
        let want = seeds.get(target).cloned().unwrap_or_default();
        assert!(want.len() >= 10, "{target}: only {} seeds from spec/vectors", want.len());
        if bless {
            std::fs::create_dir_all(&dir).unwrap();
        }
        let have: Vec<String> = std::fs::read_dir(&dir)
            .map(|d| d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect())
            .unwrap_or_default();
        for stale in have.iter().filter(|n| n.starts_with("seed-") && !want.contains_key(*n)) {
            if bless {
                std::fs::remove_file(dir.join(stale)).unwrap();
            } else {
                problems.push(format!("{target}/{stale}: stale seed"));
            }
        }
        for (name, bytes) in &want {
            let path = dir.join(name);
            if std::fs::read(&path).ok().as_deref() != Some(&bytes[..]) {
                if bless {
                    std::fs::write(&path, bytes).unwrap();
                } else {
                    problems.push(format!("{target}/{name}: missing or stale"));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} seed problems (run FLIGHT_BLESS=1 cargo test --test fuzz_corpus):\n{}",
        problems.len(),
        problems.iter().take(20).cloned().collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn corpora_replay() {
    let mut failures = Vec::new();
    let mut counts = Vec::new();
    for (target, check) in TARGETS {
        let mut files: Vec<PathBuf> = std::fs::read_dir(corpus_dir(target))
            .unwrap_or_else(|e| panic!("fuzz/corpus/{target}: {e}"))
            .map(|e| e.unwrap().path())
            .filter(|p| !p.file_name().unwrap().to_string_lossy().starts_with('.'))
            .collect();
        files.sort();
        assert!(files.len() >= 10, "fuzz/corpus/{target} holds only {} inputs", files.len());
        for path in &files {
            let data = std::fs::read(path).unwrap();
            if let Err(e) = catch_unwind(AssertUnwindSafe(|| check(&data))) {
                let msg =
                    e.downcast_ref::<String>().cloned().or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()));
                failures.push(format!("{}: {}", path.display(), msg.unwrap_or_default()));
            }
        }
        counts.push(format!("{target}: {}", files.len()));
    }
    eprintln!("replayed {}", counts.join(", "));
    assert!(failures.is_empty(), "{} corpus inputs fail their property:\n{}", failures.len(), failures.join("\n"));
}

/// Every fuzz target's corpus is replayed: `TARGETS` names every file in
/// `fuzz/fuzz_targets/`.
#[test]
fn every_fuzz_target_is_replayed() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/fuzz_targets");
    let mut on_disk: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.unwrap().file_name().to_string_lossy().strip_suffix(".rs").map(String::from))
        .collect();
    on_disk.sort();
    let mut replayed: Vec<String> = TARGETS.iter().map(|(t, _)| t.to_string()).collect();
    replayed.sort();
    assert_eq!(on_disk, replayed, "fuzz/fuzz_targets/ and TARGETS differ");
}

/// The entries layout round-trips, so the entry seeds mean what the vectors say.
#[test]
fn entries_layout_round_trips() {
    let mut n = 0;
    for (_, v) in load_vectors("reply") {
        if let Some(f) = v.get("body").and_then(|b| b.get("formData")) {
            let entries = entries_from_json(f);
            let bytes = checks::entries_to_bytes(&entries);
            let back = checks::entries_from_bytes(&bytes);
            assert_eq!(back.len(), entries.len());
            for ((a, x), (b, y)) in entries.iter().zip(&back) {
                assert_eq!(a, b);
                match (x, y) {
                    (flight_codec::value::FormEntry::File(x), flight_codec::value::FormEntry::File(y)) => {
                        assert_eq!(x.bytes, y.bytes)
                    }
                    _ => assert_eq!(x, y),
                }
            }
            n += 1;
        }
    }
    assert!(n > 50, "only {n} vectors with FormData bodies");
}

/// Edge cases of the entries layout.
#[test]
fn entries_layout_edge_cases() {
    use flight_codec::value::FormEntry;
    // A lone 0xFE value is an empty file; a short length takes what is there.
    let entries = checks::entries_from_bytes(b"0\xff\xfe");
    assert!(matches!(&entries[0].1, FormEntry::File(b) if b.bytes.is_empty()));
    let entries = checks::entries_from_bytes(b"0\xff\xfe\x09\x00ab\xffc");
    assert!(matches!(&entries[0].1, FormEntry::File(b) if &b.bytes[..] == b"ab\xffc"));
    // A file's contents may hold the separator.
    let entries = checks::entries_from_bytes(b"1\xff\xfe\x01\x00\xff\xff2\xffx");
    assert!(matches!(&entries[0].1, FormEntry::File(b) if &b.bytes[..] == b"\xff"));
    assert_eq!(entries[1].1, FormEntry::Text("x".into()));
    // A trailing name without a value is dropped, not given an empty value.
    assert_eq!(checks::entries_from_bytes(b"0\xff\"x\"\xff1").len(), 1);
}
