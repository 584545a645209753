#!/usr/bin/env bash
# The side-by-side comparison of issue 5, in one command (see benches/README.md):
#
#   bash benches/compare.sh [--check] [--scaling] [--only P1,P3] [--budget-ms 1500] [--dir target/flight-bench]
#
# 1. builds the Rust side (benches/compare.rs) first, so that compiling does not
#    overlap any timing;
# 2. Node: tests/oracle/bench/react-bench.mjs writes React 19.3.1's wire bytes for
#    P1–P9 (encodeReply body, renderToReadableStream chunks) to DIR and times
#    React's four operations on them (production builds) into DIR/react.json;
# 3. Rust: checks that our encoders write exactly those bytes and our decoders
#    read them back into the same values, times our four operations and
#    serde_json on the same JSON texts, and prints the table (also DIR/table.md).
#
# --check only generates and compares the bytes (no timing; about a minute with the build).
set -euo pipefail
cd "$(dirname "$0")/.."

dir=target/flight-bench
check=()
node_args=()
rust_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --check) check=(--check); node_args+=(--no-time) ;;
    --scaling) rust_args+=(--scaling) ;;
    --only) node_args+=(--only "$2"); rust_args+=(--only "$2"); shift ;;
    --budget-ms) node_args+=(--budget-ms "$2"); rust_args+=(--budget-ms "$2"); shift ;;
    --dir) dir="$2"; shift ;;
    *) echo "usage: bash benches/compare.sh [--check] [--scaling] [--only P1,P3] [--budget-ms N] [--dir DIR]" >&2; exit 2 ;;
  esac
  shift
done

command -v node >/dev/null || { echo "error: node (20) is required for React's side" >&2; exit 1; }
if [ ! -d tests/oracle/node_modules/react-server-dom-webpack ]; then
  (cd tests/oracle && npm ci --no-audit --no-fund --loglevel=error)
fi

cargo bench --bench compare --no-run -q
mkdir -p "$dir"
abs_dir="$(cd "$dir" && pwd)"
(cd tests/oracle && node --conditions react-server bench/react-bench.mjs --out "$abs_dir" "${node_args[@]}")
cargo bench -q --bench compare -- --dir "$abs_dir" "${check[@]}" "${rust_args[@]}"
