//! End to end, nothing mocked: the example server (`examples/axum_host.rs`)
//! on loopback, called by React 19.3.1's own client
//! (`tests/oracle/e2e-client.mjs`: `createServerReference`, a `callServer`
//! that POSTs `encodeReply` over fetch, `createFromFetch`), plus form posts
//! sent as a browser sends them.
//!
//! Needs Node and `tests/oracle/node_modules`; under `CI=true` their
//! absence is a failure.

mod common;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use common::oracle::{oracle_dir, skip};
use common::Json;

/// The example binary `cargo test` built next to this test.
fn example_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let dir = exe.parent().and_then(|deps| deps.parent()).expect("target dir");
    dir.join("examples").join(format!("axum_host{}", std::env::consts::EXE_SUFFIX))
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_react_client_calls_rust_actions() {
    let Some(oracle) = oracle_dir() else { return };
    let binary = example_binary();
    if !binary.exists() {
        // `cargo test` builds examples; `cargo test --test e2e_host` alone does not.
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "--example", "axum_host"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .expect("run cargo build --example axum_host");
        assert!(status.success() && binary.exists(), "cannot build {}", binary.display());
    }
    let mut child = Command::new(&binary)
        .args(["--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the example server");
    let stdout = child.stdout.take().expect("stdout");
    let _server = Server(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).expect("the server prints its address");
    let base = line.trim().strip_prefix("listening on ").expect("listening on …").to_string();

    let out = Command::new("node").arg("e2e-client.mjs").arg(&base).current_dir(&oracle).output();
    let out = match out {
        Ok(o) => o,
        Err(e) => {
            skip::<()>(&format!("cannot start node: {e}"));
            return;
        }
    };
    assert!(out.status.success(), "client failed: {}", String::from_utf8_lossy(&out.stderr));
    let r = Json::parse(&out.stdout);
    let get = |path: &str| -> String {
        let mut v = &r;
        for key in path.split('.') {
            v = v.get(key).unwrap_or_else(|| panic!("no {path} in {}", r.compact()));
        }
        v.compact()
    };

    // Every argument type, through Rust types and back (a File in a multipart body).
    assert_eq!(get("inspect.text"), r#""héllo $x 漢 😀""#);
    assert_eq!(get("inspect.number"), "1.5");
    assert_eq!(get("inspect.integer"), "-7");
    assert_eq!(get("inspect.flag"), "true");
    assert_eq!(get("inspect.nothing"), "null");
    assert_eq!(get("inspect.hasMissing"), "false");
    assert_eq!(get("inspect.big"), r#""bigint:12345678901234567890""#);
    assert_eq!(get("inspect.when"), r#""2024-05-01T12:30:00.250Z""#);
    assert_eq!(get("inspect.tags"), r#"["a","b"]"#);
    assert_eq!(get("inspect.scores"), r#"[["x",1],["y",2]]"#);
    assert_eq!(get("inspect.bytes"), r#""Float64Array:1.5,-2""#);
    assert_eq!(get("inspect.file"), r#""text/plain:hello file""#);
    assert_eq!(get("inspect.nested"), r#"[{"id":1,"label":"one"}]"#);
    assert_eq!(
        get("inspect.seen"),
        r#""12 chars, 2 tags, 16 bytes in Float64Array, file Some(\"notes.txt\") of 10 bytes, at 2030-01-02T00:00:00.000Z""#
    );

    // The root arrives while the promise is still pending; it settles later.
    assert_eq!(get("slow.status"), r#""started""#);
    assert_eq!(get("slow.atRoot"), r#""pending""#);
    assert_eq!(get("slow.later"), r#""settled after 300 ms""#);

    // An async iterable streamed token by token.
    assert_eq!(get("tokens"), r#"["the","quick","brown","fox"]"#);

    // A reference bound on the client: bound arguments come first.
    assert_eq!(get("bound"), r#""Hello, Ada!""#);

    // A failing action: the client gets the digest, never the message.
    assert_eq!(get("fail.digest"), r#""E-DRAFTS-1""#);
    assert!(!get("fail.thrown").contains("secret"), "{}", get("fail.thrown"));

    // A temporary reference handed back is the client's own value.
    assert_eq!(get("keep.same"), "true");
    assert_eq!(get("keep.note"), r#""n1""#);

    // Progressive-enhancement form posts, as a browser sends them.
    assert_eq!(get("form.status"), "200");
    assert_eq!(get("form.type"), r#""text/x-component""#);
    assert_eq!(get("form.value"), r#""subscribed ada@example.com to pro""#);
    assert_eq!(get("boundForm.value"), r#""poll 7: yes""#);
    assert_eq!(get("boundForm.key"), r#""k1""#);

    // The host's guards.
    assert_eq!(get("crossOrigin"), "403");
    assert_eq!(get("tooLarge"), "413");
    assert_eq!(get("unknown"), "404");
}
