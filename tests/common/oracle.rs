//! The live React oracle: a JSON-lines server from `tests/oracle/` (one request per
//! line, one JSON answer per line).
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use super::Json;

pub struct Oracle {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

/// Under `CI=true` (or `FLIGHT_REQUIRE_NODE`), a missing Node or oracle is
/// a failure, never a skip.
fn strict() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true") || std::env::var_os("FLIGHT_REQUIRE_NODE").is_some()
}

/// Skips a test for `why`, or fails it when skipping is not allowed.
pub fn skip<T>(why: &str) -> Option<T> {
    assert!(!strict(), "{why}");
    eprintln!("SKIPPED: {why}");
    None
}

/// `tests/oracle/`, with React installed in it (else a skip, see [`skip`]).
pub fn oracle_dir() -> Option<std::path::PathBuf> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracle");
    if !dir.join("node_modules/react-server-dom-webpack").exists() {
        return skip("tests/oracle/node_modules is missing: run `cd tests/oracle && npm ci`");
    }
    Some(dir)
}

impl Oracle {
    /// Starts `tests/oracle/<script>` under `node --conditions react-server`.
    /// Without Node or `tests/oracle/node_modules` this is a skip, except under
    /// `CI=true` (or `FLIGHT_REQUIRE_NODE`), where it is a failure.
    pub fn start(script: &str) -> Option<Oracle> {
        let dir = oracle_dir()?;
        let spawned = Command::new("node")
            .args(["--conditions", "react-server", script])
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn();
        let mut child = match spawned {
            Ok(c) => c,
            Err(e) => return skip(&format!("cannot start node: {e}")),
        };
        let stdin = child.stdin.take().expect("stdin");
        let stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut o = Oracle { child, stdin, stdout };
        let v = o.ask(r#"{"op":"version"}"#);
        assert_eq!(v.get("react").map(|r| r.text()).as_deref(), Some("19.3.1"));
        Some(o)
    }

    /// Sends one request and reads its answer (skipping anything the server
    /// logs that is not a JSON object, such as replayed console output).
    pub fn ask(&mut self, request: &str) -> Json {
        self.stdin.write_all(request.as_bytes()).unwrap();
        self.stdin.write_all(b"\n").unwrap();
        self.stdin.flush().unwrap();
        loop {
            let mut line = String::new();
            self.stdout.read_line(&mut line).unwrap();
            assert!(!line.is_empty(), "oracle exited");
            if line.starts_with('{') {
                return Json::parse(line.as_bytes());
            }
        }
    }
}

impl Drop for Oracle {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
