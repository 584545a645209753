//! The `flight` CLI: outputs, exit codes and error lines.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn flight(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_flight"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs flight");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

#[test]
fn decode_reply_string_body() {
    let o = flight(&["decode-reply"], br#"{"a":"$n1","b":"$0:c","c":[1,"$undefined"]}"#);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "{\"object\":[[\"a\",{\"bigint\":\"1\"}],[\"b\",{\"node\":[\"n1\",{\"array\":[1,{\"undefined\":null}]}]}],[\"c\",{\"ref\":\"n1\"}]]}\n"
    );
}

#[test]
fn decode_reply_accepts_temporary_references() {
    let o = flight(&["decode-reply"], br#"{"x":"$T"}"#);
    assert_eq!(stdout(&o), "{\"object\":[[\"x\",{\"temporaryReference\":\"0:x\"}]]}\n");
}

#[test]
fn decode_reply_multipart_from_file() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("spec/examples");
    let ct = std::fs::read_to_string(dir.join("bound-ref.content-type")).unwrap();
    let o = flight(&["decode-reply", "--content-type", &ct, dir.join("bound-ref.multipart").to_str().unwrap()], b"");
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "{\"serverReference\":{\"id\":\"mod#echo\",\"bound\":[1,\"a\",true,null]}}\n");
}

#[test]
fn decode_reply_errors_are_one_line() {
    let o = flight(&["decode-reply"], b"{bad");
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stderr(&o), "error: json: invalid JSON: key must be a string at byte 1 in part 0\n");
    assert!(o.stdout.is_empty());
}

/// Asserts stderr is exactly one line starting `error: ` and returns it without its line feed.
fn one_error_line(o: &Output) -> String {
    assert_eq!(o.status.code(), Some(1), "{}", stderr(o));
    let err = stderr(o);
    let line = err.strip_suffix('\n').unwrap_or_else(|| panic!("no final line feed: {err:?}"));
    assert!(!line.contains(['\n', '\r']), "more than one line: {err:?}");
    assert!(line.starts_with("error: "), "{err:?}");
    line.to_string()
}

#[test]
fn decode_reply_error_quoting_line_breaks_is_escaped_onto_one_line() {
    // The JSON string `$1z<LF>z` is an invalid id, quoted in the message.
    let o = flight(&["decode-reply"], b"[\"$1z\\nz\"]\n");
    assert_eq!(one_error_line(&o), r"error: invalid-id: invalid reference id in `$1z\nz` in part 0");
    assert!(o.stdout.is_empty());
    // CR, tab, other controls (ESC, DEL, NEL), U+2028 and a backslash.
    let o = flight(&["decode-reply"], b"[\"$1\\r\\t\\u001b\\u007f\\u0085\\u2028\\\\\"]");
    assert_eq!(
        one_error_line(&o),
        r"error: invalid-id: invalid reference id in `$1\r\t\u{1b}\u{7f}\u{85}\u{2028}\\` in part 0"
    );
    // Non-ASCII text that is not a control stays as it is.
    let o = flight(&["decode-reply"], "[\"$1é\"]".as_bytes());
    assert_eq!(one_error_line(&o), "error: invalid-id: invalid reference id in `$1é` in part 0");
}

#[test]
fn encode_reply_rejection_reason_with_line_breaks_is_one_line() {
    // A rejected promise's reason is the error message, React's as given.
    let o = flight(&["encode-reply"], br#"{"promise":{"rejected":"line1\nline2"}}"#);
    assert_eq!(one_error_line(&o), r"error: unsupported: line1\nline2 at `0`");
    let o = flight(&["encode-reply"], br#"{"array":[{"promise":{"rejected":{"error":{"message":"a\r\nb"}}}}]}"#);
    assert_eq!(one_error_line(&o), r"error: unsupported: a\r\nb at `0:0`");
    assert!(o.stdout.is_empty());
}

#[test]
fn usage_errors_are_escaped_too() {
    let o = flight(&["decode-reply", "--bogus\nflag"], b"");
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stderr(&o).lines().next(), Some(r"error: usage: unexpected argument `--bogus\nflag`"));
}

#[test]
fn encode_reply_string_and_form() {
    let ct = std::env::temp_dir().join(format!("flight-ct-{}", std::process::id()));
    let o = flight(
        &["encode-reply", "--content-type-file", ct.to_str().unwrap()],
        br#"{"array":[1,{"number":"-0"},"$x"]}"#,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), r#"[1,"$-0","$$x"]"#);
    assert_eq!(std::fs::read_to_string(&ct).unwrap(), "text/plain;charset=UTF-8");

    let o = flight(&["encode-reply", "--content-type-file", ct.to_str().unwrap()], br#"{"set":[1]}"#);
    let content_type = std::fs::read_to_string(&ct).unwrap();
    let boundary = content_type.strip_prefix("multipart/form-data; boundary=").expect("multipart");
    assert_eq!(
        stdout(&o),
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"1\"\r\n\r\n[1]\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"0\"\r\n\r\n\"$W1\"\r\n--{boundary}--\r\n")
    );
    // and it decodes back
    let back = flight(&["decode-reply", "--content-type", &content_type], &o.stdout);
    assert_eq!(stdout(&back), "{\"set\":[1]}\n");
    let _ = std::fs::remove_file(ct);
}

#[test]
fn encode_reply_rejects_like_react_unless_temporary_references() {
    let v = br#"{"object":[["i",{"instance":"Foo"}]]}"#;
    let o = flight(&["encode-reply"], v);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        "error: unsupported: Only plain objects, and a few built-ins, can be passed to Server Functions. Classes or null prototypes are not supported. at `0:i`\n"
    );
    let o = flight(&["encode-reply", "--temporary-references"], v);
    assert!(o.status.success());
    assert_eq!(stdout(&o), r#"{"i":"$T"}"#);
}

#[test]
fn decode_action_prints_id_bound_and_form_data() {
    let body = b"--B\r\nContent-Disposition: form-data; name=\"$ACTION_REF_1\"\r\n\r\n\r\n--B\r\nContent-Disposition: form-data; name=\"$ACTION_1:0\"\r\n\r\n{\"id\":\"mod#echo\",\"bound\":\"$@1\"}\r\n--B\r\nContent-Disposition: form-data; name=\"$ACTION_1:1\"\r\n\r\n[\"x\",2]\r\n--B\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nhello\r\n--B--\r\n";
    let o = flight(&["decode-action", "--content-type", "multipart/form-data; boundary=B"], body);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "{\"id\":\"mod#echo\",\"bound\":[\"x\",2],\"formData\":{\"formData\":[[\"title\",\"hello\"]]}}\n"
    );
    let o = flight(&["decode-action", "--content-type", "multipart/form-data; boundary=B"], b"--B--\r\n");
    assert_eq!(stdout(&o), "null\n");
}

#[test]
fn inspect_sniffs_multipart_and_prints_a_tree() {
    let body = b"--B\r\nContent-Disposition: form-data; name=\"1\"\r\n\r\n[[1,\"a\"]]\r\n--B\r\nContent-Disposition: form-data; name=\"0\"\r\n\r\n{\"m\":\"$Q1\"}\r\n--B--\r\n";
    let o = flight(&["inspect"], body);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "root: object #0 (1 keys)\n  \"m\": Map #1 (1 entries)\n    key 0: number 1\n    value 0: string \"a\"\n"
    );
}

#[test]
fn usage_errors_exit_2() {
    let o = flight(&["frobnicate"], b"");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).starts_with("error: usage: unknown command `frobnicate`"));
}

#[test]
fn decode_response_and_inspect_a_flight_stream() {
    let stream = b"1:I[\"m\",[],\"Button\"]\n2:o3,\x01\x02\x030:[\"$\",\"$L1\",null,{\"data\":\"$2\",\"p\":\"$@3\"}]\n3:\"late\"\n";
    let o = flight(&["decode-response"], stream);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "{\"element\":{\"type\":{\"lazy\":{\"fulfilled\":{\"clientReference\":{\"id\":\"m\",\"name\":\"Button\"}}}},\"key\":null,\"props\":{\"object\":[[\"data\",{\"typedArray\":{\"kind\":\"Uint8Array\",\"base64\":\"AQID\"}}],[\"p\",{\"promise\":{\"fulfilled\":\"late\"}}]]}}}\n"
    );
    let o = flight(&["inspect"], stream);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.starts_with("rows:\n  1 I 17 bytes: [\"m\",[],\"Button\"]\n  2 o (binary) 3 bytes: 01 02 03\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "value:\nroot: element #0\n  type: lazy #2\n    fulfilled: client reference #6 \"m\" \"Button\"\n"
        ),
        "{text}"
    );
    let o = flight(&["decode-response"], b"0:\"$@0\"\n");
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stderr(&o), "error: cyclic-promise: cyclic promise chain\n");
}

#[test]
fn encode_response_writes_reacts_stream() {
    // spec/vectors/response/text-ascii-1024.json and value-map.json hold React's bytes.
    for name in ["text-ascii-1024", "value-map", "ref-map-self"] {
        let path = format!("{}/spec/vectors/response/{name}.json", env!("CARGO_MANIFEST_DIR"));
        let v: Vec<u8> = std::fs::read(&path).unwrap();
        let text = String::from_utf8(v).unwrap();
        // The vector's "value" and its production chunks, without a JSON library.
        let value_at = text.find("\"value\": ").unwrap() + 9;
        let value_end = value_at + text[value_at..].find(",\n  \"").unwrap();
        let want = {
            use base64::Engine as _;
            let chunks_at = text.find("\"prod\": {").unwrap();
            let list = &text[chunks_at..];
            let list = &list[list.find('[').unwrap() + 1..list.find(']').unwrap()];
            let b64 = base64::engine::general_purpose::STANDARD;
            list.split(',').flat_map(|c| b64.decode(c.trim().trim_matches('"')).unwrap()).collect::<Vec<u8>>()
        };
        let o = flight(&["encode-response"], &text.as_bytes()[value_at..value_end]);
        assert!(o.status.success(), "{name}: {}", stderr(&o));
        assert_eq!(o.stdout, want, "{name}");
        // And it decodes back.
        let d = flight(&["decode-response"], &o.stdout);
        assert!(d.status.success(), "{name}: {}", stderr(&d));
    }
    // Pending: the rows so far, then an error.
    let o = flight(&["encode-response"], br#"{"object":[["p",{"promise":"pending"}]]}"#);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o), "0:{\"p\":\"$@1\"}\n");
    assert_eq!(stderr(&o), "error: pending: value holds a pending promise or open stream\n");
    // Temporary references.
    let o = flight(&["encode-response", "--temporary-references"], br#"{"temporaryReference":"0:a"}"#);
    assert_eq!(stdout(&o), "0:\"$T0:a\"\n");
    let o = flight(&["encode-response"], br#"{"temporaryReference":"0:a"}"#);
    assert!(stdout(&o).starts_with("0:E{\"digest\":\"\"}"), "{}", stdout(&o));
}

/// `--stats` prints one summary line instead of the value: the graph's node
/// count, the input's size and the decode time.
#[test]
fn stats_print_one_summary_line() {
    fn fields(o: &Output) -> (String, String, u64) {
        assert!(o.status.success(), "{}", stderr(o));
        let out = stdout(o);
        let w: Vec<&str> = out.trim_end_matches('\n').split(' ').collect();
        assert_eq!(out.lines().count(), 1, "{out}");
        assert_eq!((w[0], w[2], w[4], w[6]), ("nodes", "bytes", "elapsed", "us"), "{out}");
        (w[1].to_string(), w[3].to_string(), w[5].parse().expect("elapsed is a number of µs"))
    }
    // The array, the object and the inner array are the nodes.
    let body = br#"[{"a":1},[2,"$n3"]]"#;
    let (nodes, bytes, _) = fields(&flight(&["decode-reply", "--stats"], body));
    assert_eq!((nodes.as_str(), bytes), ("3", body.len().to_string()));
    let stream = b"0:[\"$@1\",[1]]\n1:{\"x\":2}\n";
    let (nodes, bytes, _) = fields(&flight(&["decode-response", "--stats"], stream));
    assert_eq!((nodes.as_str(), bytes), ("4", stream.len().to_string()));
    // Errors are still the one error line; other commands do not take the flag.
    assert_eq!(
        one_error_line(&flight(&["decode-reply", "--stats"], b"[")),
        "error: json: invalid JSON: unexpected end of JSON input at byte 1 in part 0"
    );
    let o = flight(&["encode-reply", "--stats"], b"");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).starts_with("error: usage: unexpected argument `--stats`\n"));
}
