//! `flight`: decode, encode and inspect React Server Functions bodies.
//!
//! ```text
//! flight decode-reply [--content-type CT] [--stats] [FILE]
//! flight encode-reply [--content-type-file PATH] [--temporary-references] [FILE]
//! flight decode-action --content-type CT [FILE]
//! flight decode-response [--stats] [FILE]
//! flight encode-response [--temporary-references] [FILE]
//! flight inspect [--content-type CT] [FILE]
//! ```
//!
//! Input is FILE or stdin; output goes to stdout. On bad input the exit code
//! is 1 and stderr has exactly one line, `error: <kind>: <message>`. The
//! message may quote the input, so it is escaped onto that one line: a
//! backslash is written `\\`, line feed, carriage return and tab `\n`, `\r`,
//! `\t`, and every other control character (and U+2028, U+2029) `\u{hex}`.
//!
//! With `--stats`, the decoders print one line instead of the value:
//! `nodes <n> bytes <n> elapsed <µs> us`, the graph's node count, the input
//! size and the time the decode took (reading the input and printing are not
//! timed), so that whole-process timings measure decoding.

use std::io::{Read, Write};
use std::process::ExitCode;

use bytes::Bytes;
use flight_codec::reply::{self, DecodeOptions, EncodeOptions};
use flight_codec::{notation, Error};

const USAGE: &str = "usage:
  flight decode-reply [--content-type CT] [--stats] [FILE]
  flight encode-reply [--content-type-file PATH] [--temporary-references] [FILE]
  flight decode-action --content-type CT [FILE]
  flight decode-response [--stats] [FILE]
  flight encode-response [--temporary-references] [FILE]
  flight inspect [--content-type CT] [FILE]";

struct Args {
    command: String,
    content_type: Option<String>,
    content_type_file: Option<String>,
    temporary_references: bool,
    stats: bool,
    file: Option<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let command = it.next().ok_or("missing command")?;
    let mut args = Args {
        command,
        content_type: None,
        content_type_file: None,
        temporary_references: false,
        stats: false,
        file: None,
    };
    while let Some(a) = it.next() {
        match a.as_str() {
            "--content-type" => args.content_type = Some(it.next().ok_or("--content-type needs a value")?),
            "--content-type-file" => {
                args.content_type_file = Some(it.next().ok_or("--content-type-file needs a value")?)
            }
            "--temporary-references" => args.temporary_references = true,
            "--stats" if matches!(args.command.as_str(), "decode-reply" | "decode-response") => args.stats = true,
            "-h" | "--help" => return Err(String::new()),
            f if !f.starts_with("--") && args.file.is_none() => args.file = Some(f.to_string()),
            other => return Err(format!("unexpected argument `{other}`")),
        }
    }
    Ok(args)
}

fn read_input(file: &Option<String>) -> std::io::Result<Vec<u8>> {
    match file {
        Some(path) => std::fs::read(path),
        None => {
            let mut buf = Vec::new();
            std::io::stdin().read_to_end(&mut buf)?;
            Ok(buf)
        }
    }
}

fn fail(e: &Error) -> ExitCode {
    error_line(e.kind().name(), &e.to_string());
    ExitCode::from(1)
}

/// Writes `error: <kind>: <message>` to stderr, the message escaped onto one line.
fn error_line(kind: &str, message: &str) {
    eprintln!("error: {kind}: {}", one_line(message));
}

/// `message` with `\`, line breaks and other control characters escaped, so
/// that it cannot span lines (or inject terminal controls) and the original
/// can be read back.
fn one_line(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    for c in message.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || c == '\u{2028}' || c == '\u{2029}' => {
                out.push_str(&format!("\\u{{{:x}}}", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(msg) => {
            if !msg.is_empty() {
                error_line("usage", &msg);
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let input = match read_input(&args.file) {
        Ok(b) => Bytes::from(b),
        Err(e) => {
            error_line("io", &e.to_string());
            return ExitCode::from(2);
        }
    };
    let result = match args.command.as_str() {
        "decode-reply" => decode_reply(&args, input),
        "encode-reply" => encode_reply(&args, input),
        "decode-action" => decode_action(&args, input),
        "decode-response" => decode_response(&args, input),
        "encode-response" => encode_response(&args, input),
        "inspect" => inspect(&args, input),
        other => {
            error_line("usage", &format!("unknown command `{other}`"));
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(out) => {
            let mut stdout = std::io::stdout().lock();
            let _ = stdout.write_all(&out);
            let _ = stdout.flush();
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e),
    }
}

fn decode_options() -> DecodeOptions {
    // Temporary references are accepted, as Next.js accepts them.
    let mut opts = DecodeOptions::default();
    opts.temporary_references = true;
    opts
}

fn decode_reply(args: &Args, input: Bytes) -> Result<Vec<u8>, Error> {
    let ct = args.content_type.as_deref().unwrap_or("text/plain;charset=UTF-8");
    let bytes = input.len();
    let start = std::time::Instant::now();
    let g = reply::decode_body(ct, input, &decode_options())?;
    decoded(args, &g, bytes, start)
}

/// The value in notation, or with `--stats` the one-line summary.
fn decoded(
    args: &Args,
    g: &flight_codec::value::Graph,
    bytes: usize,
    start: std::time::Instant,
) -> Result<Vec<u8>, Error> {
    let elapsed = start.elapsed();
    let mut out = if args.stats {
        format!("nodes {} bytes {bytes} elapsed {} us", g.len(), elapsed.as_micros()).into_bytes()
    } else {
        notation::to_string(g).into_bytes()
    };
    out.push(b'\n');
    Ok(out)
}

fn encode_reply(args: &Args, input: Bytes) -> Result<Vec<u8>, Error> {
    let g = notation::from_bytes(input)?;
    let mut opts = EncodeOptions::default();
    opts.temporary_references = args.temporary_references;
    let body = reply::encode(&g, &opts)?;
    if let Some(path) = &args.content_type_file {
        if let Err(e) = std::fs::write(path, body.content_type()) {
            return Err(Error::new(flight_codec::ErrorKind::Notation { message: format!("cannot write {path}: {e}") }));
        }
    }
    Ok(body.to_bytes())
}

fn decode_action(args: &Args, input: Bytes) -> Result<Vec<u8>, Error> {
    let ct = args.content_type.as_deref().unwrap_or("");
    let action = reply::decode_action_body(ct, input, &decode_options())?;
    let mut out = match action {
        Some(a) => a.to_notation(),
        None => "null".to_string(),
    }
    .into_bytes();
    out.push(b'\n');
    Ok(out)
}

fn decode_response(args: &Args, input: Bytes) -> Result<Vec<u8>, Error> {
    let start = std::time::Instant::now();
    let g = flight_codec::response::decode(&input, &decode_options())?;
    decoded(args, &g, input.len(), start)
}

/// Writes the stream React's production server would write for the value;
/// with pending promises or open streams, the rows written so far, then an
/// error (React would keep the stream open).
fn encode_response(args: &Args, input: Bytes) -> Result<Vec<u8>, Error> {
    let g = notation::from_bytes(input)?;
    let opts =
        flight_codec::response::EncodeOptions { temporary_references: args.temporary_references, ..Default::default() };
    let mut enc = flight_codec::response::ResponseEncoder::new(g, opts);
    let mut out = Vec::new();
    while let Some(chunk) = enc.poll_chunk() {
        out.extend_from_slice(&chunk);
    }
    if !enc.is_complete() {
        let mut stdout = std::io::stdout().lock();
        let _ = stdout.write_all(&out);
        let _ = stdout.flush();
        return Err(Error::new(flight_codec::ErrorKind::Pending));
    }
    Ok(out)
}

fn inspect(args: &Args, input: Bytes) -> Result<Vec<u8>, Error> {
    if args.content_type.is_none() && looks_like_flight(&input) {
        // A response: its rows, then the value.
        let mut out = String::from("rows:\n");
        let mut framer = flight_codec::response::rows::RowFramer::new(Default::default());
        let framed = framer.feed(&input).and_then(|_| framer.finish());
        while let Some(row) = framer.next_row() {
            let tag = match row.tag {
                flight_codec::response::rows::RowTag::Json => "model".to_string(),
                flight_codec::response::rows::RowTag::Tagged(t) => format!("{}", t as char),
                flight_codec::response::rows::RowTag::Binary(t) => format!("{} (binary)", t as char),
            };
            let head = &row.payload[..row.payload.len().min(60)];
            let preview = match row.tag {
                flight_codec::response::rows::RowTag::Binary(t) if t != b'T' => {
                    head.iter().take(16).map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(" ")
                }
                _ => String::from_utf8_lossy(head).replace('\n', "\\n"),
            };
            out.push_str(&format!("  {:x} {tag} {} bytes: {preview}\n", row.id, row.payload.len()));
        }
        framed.map_err(|e| Error::new(flight_codec::ErrorKind::Frame(e)))?;
        let g = flight_codec::response::decode(&input, &decode_options())?;
        out.push_str("value:\n");
        out.push_str(&flight_codec::inspect::tree(&g));
        return Ok(out.into_bytes());
    }
    let ct = args.content_type.clone().unwrap_or_else(|| sniff_content_type(&input));
    let g = reply::decode_body(&ct, input, &decode_options())?;
    Ok(flight_codec::inspect::tree(&g).into_bytes())
}

/// A Flight stream starts with a row id in lowercase hex (or `:` for a global row) and `:`.
fn looks_like_flight(input: &[u8]) -> bool {
    let id_len = input.iter().take_while(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b)).count();
    id_len <= 8 && input.get(id_len) == Some(&b':')
}

/// Guesses a multipart body from its first line (`--boundary`).
fn sniff_content_type(input: &[u8]) -> String {
    if input.starts_with(b"--") {
        let line_end = input.iter().position(|&b| b == b'\r' || b == b'\n').unwrap_or(input.len());
        let boundary = String::from_utf8_lossy(&input[2..line_end]).into_owned();
        return format!("multipart/form-data; boundary={boundary}");
    }
    "text/plain;charset=UTF-8".to_string()
}
