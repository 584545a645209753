// Generates the JSON fixtures in this directory from Node's JSON.parse and
// JSON.stringify, and checks json-grammar.txt against JSON.parse.
//
//   node tests/data/gen-json-fixtures.js
//
// Deterministic: every "random" case comes from a fixed-seed xorshift64.
'use strict';
const fs = require('fs');
const path = require('path');
const dir = __dirname;

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);
const bitsOf = (x) => { f64[0] = x; return u64[0]; };
const fromBits = (b) => { u64[0] = BigInt.asUintN(64, b); return f64[0]; };
const hex = (b) => b.toString(16).padStart(16, '0');

let state = 0x9e3779b97f4a7c15n;
function next64() {
  let x = state;
  x ^= (x << 13n) & 0xffffffffffffffffn;
  x ^= x >> 7n;
  x ^= (x << 17n) & 0xffffffffffffffffn;
  state = x;
  return x;
}
const rand = (n) => Number(next64() % BigInt(n));
const isNegZero = (x) => x === 0 && 1 / x < 0;

// ---------------------------------------------------------------------------
// js-numbers.txt: <bits> <JSON.stringify(x)>
{
  const seen = new Set();
  const lines = [];
  const add = (x) => {
    const b = bitsOf(x);
    if (seen.has(b)) return;
    seen.add(b);
    const text = JSON.stringify(x);
    if (Number.isFinite(x) && !isNegZero(x)) {
      const back = bitsOf(JSON.parse(text));
      if (back !== b) throw new Error(`round trip failed for ${text}`);
    }
    lines.push(`${hex(b)} ${text}`);
  };
  const addBoth = (x) => { add(x); add(-x); };
  const neighbors = (x, k) => {
    const b = bitsOf(x);
    for (let d = -k; d <= k; d++) {
      const y = fromBits(b + BigInt(d));
      if (Number.isFinite(y)) addBoth(y);
    }
  };
  [0, -0, NaN, Infinity, -Infinity, Number.MIN_VALUE, Number.MAX_VALUE, Number.EPSILON,
    Number.MAX_SAFE_INTEGER, 2 ** 53, 2 ** 53 + 2, 2 ** -1022, 2 ** -1022 - Number.MIN_VALUE,
    0.1, 0.2, 0.3, 0.1 + 0.2, 1 / 3, 2 / 3, Math.PI, Math.E, 123456789.123, 1e21, 1e-7, 5e-324,
  ].forEach(addBoth);
  for (let i = 0; i <= 1100; i++) addBoth(i);
  for (let i = 0; i < 1024; i++) { neighbors(2 ** i, 1); }
  for (let i = -1074; i < 0; i++) addBoth(2 ** i);
  for (let e = -323; e <= 308; e++) neighbors(Number(`1e${e}`), 2);
  for (let e = -323; e <= 308; e += 1) {
    for (const m of ['1.5', '2', '5', '9.999999999999999', '123456789012345']) addBoth(Number(`${m}e${e}`));
  }
  for (const x of [1e21, 1e-7, 1e-6, 1e20, 999999999999999900000, 1e-5]) neighbors(x, 3);
  for (let k = 1; k <= 60; k++) neighbors(2 ** 53 + 2 * k, 0);
  // Integers of every magnitude.
  for (let i = 0; i < 3000; i++) {
    const digits = 1 + rand(25);
    let s = String(1 + rand(9));
    for (let j = 1; j < digits; j++) s += rand(10);
    addBoth(Number(s));
  }
  // Short decimals (short shortest-representations).
  for (let i = 0; i < 5000; i++) {
    const digits = 1 + rand(17);
    let s = '';
    for (let j = 0; j < digits; j++) s += rand(10);
    add(Number(`${rand(2) ? '-' : ''}0.${s}e${rand(660) - 330}`));
  }
  // Subnormals.
  for (let i = 0; i < 1500; i++) add(fromBits((next64() & 0x800fffffffffffffn)));
  // Random bit patterns.
  while (lines.length < 30000) {
    const x = fromBits(next64());
    if (Number.isFinite(x)) add(x);
  }
  fs.writeFileSync(path.join(dir, 'js-numbers.txt'), lines.join('\n') + '\n');
  console.log(`js-numbers.txt: ${lines.length} lines`);
}

// ---------------------------------------------------------------------------
// js-number-parse.txt: <text> <bits of JSON.parse(text)>
{
  const lines = [];
  const seen = new Set();
  const add = (text) => {
    if (seen.has(text)) return;
    seen.add(text);
    lines.push(`${text} ${hex(bitsOf(JSON.parse(text)))}`);
  };
  [
    '0', '-0', '0.0', '-0.0', '0e0', '-0e-0', '0E+5', '-0.000e-99999', '1e400', '-1e400', '1e-400',
    '-1e-400', '0.1e1', '1e0001', '1E+2', '1e-0', '1.0', '10.50', '0.5', '1e21', '1e-7', '5e-324',
    '2.4703282292062327e-324', '2.4703282292062328e-324', '2.2250738585072011e-308',
    '2.2250738585072012e-308', '1.7976931348623157e308', '1.7976931348623158e308',
    '1.7976931348623159e308', '9007199254740991', '9007199254740992', '9007199254740993',
    '9007199254740994', '9007199254740995', '18014398509481985', '123456789012345678901234567890',
    '0.30000000000000004', '0.1', '0.2', '0.3', '100000000000000000000000', '1e22', '1e23', '8.5e-323',
    '1e99999999999999999999', '1e-99999999999999999999', '0e99999999999999999999',
    '1e00000000000000000000000000001', '-123.456e-7', '4503599627370496.5', '4503599627370497.5',
    '7.3177701707893310e+15', '89255.0e-22', '3.0e-44', '0.000001', '1.000000000000000111022302462515654042363166809082031250',
    '1.00000000000000011102230246251565404236316680908203125', '1.00000000000000011102230246251565404236316680908203124',
  ].forEach(add);
  add('0.' + '0'.repeat(400) + '1');
  add('1' + '0'.repeat(400));
  add('1'.repeat(1000));
  add('0.' + '9'.repeat(800));
  // Exact midpoints between adjacent doubles, and one unit either side.
  const exact = (m, e) => { // m * 2^e as a decimal string
    if (e >= 0) return (m << BigInt(e)).toString();
    const digits = (m * 5n ** BigInt(-e)).toString().padStart(-e + 1, '0');
    return `${digits.slice(0, digits.length + e)}.${digits.slice(digits.length + e)}`;
  };
  for (let i = 0; i < 400; i++) {
    let b = next64() & 0x7fefffffffffffffn;
    if (i % 4 === 0) b &= 0x000fffffffffffffn; // subnormal
    if (i % 4 === 1) b = (b & 0x000fffffffffffffn) | (BigInt(1023 + rand(120) - 60) << 52n);
    const be = Number(b >> 52n);
    const frac = b & 0x000fffffffffffffn;
    const m = be === 0 ? frac : frac | (1n << 52n);
    const e = (be === 0 ? 1 : be) - 1075;
    const mid = exact(2n * m + 1n, e - 1);
    add(mid);
    const tweak = (s, up) => { // change the last digit by one
      const last = Number(s[s.length - 1]);
      if ((up && last === 9) || (!up && last === 0)) return null;
      return s.slice(0, -1) + String(last + (up ? 1 : -1));
    };
    for (const t of [tweak(mid, true), tweak(mid, false)]) if (t) add(t);
  }
  // Random decimal texts.
  while (lines.length < 4000) {
    const digits = 1 + rand(40) + rand(40);
    let s = String(1 + rand(9));
    for (let j = 1; j < digits; j++) s += rand(10);
    let text;
    switch (rand(5)) {
      case 0: text = s; break;
      case 1: { const p = 1 + rand(s.length); text = s.slice(0, p) + (p < s.length ? '.' + s.slice(p) : ''); break; }
      case 2: text = '0.' + '0'.repeat(rand(30)) + s; break;
      default: {
        const p = 1 + rand(s.length);
        const e = rand(700) - 350;
        const ex = ['e', 'E'][rand(2)] + (e < 0 ? '-' : ['', '+'][rand(2)]) + '0'.repeat(rand(3)) + Math.abs(e);
        text = s.slice(0, p) + (p < s.length ? '.' + s.slice(p) : '') + ex;
      }
    }
    add((rand(2) ? '-' : '') + text);
  }
  fs.writeFileSync(path.join(dir, 'js-number-parse.txt'), lines.join('\n') + '\n');
  console.log(`js-number-parse.txt: ${lines.length} lines`);
}

// ---------------------------------------------------------------------------
// js-strings.txt: <UTF-16 units, hex, comma-separated> <JSON.stringify(s)>
{
  const lines = [];
  const add = (units) => {
    const s = String.fromCharCode(...units);
    const out = JSON.stringify(s);
    if (JSON.parse(out) !== s) throw new Error('string round trip');
    lines.push(`${units.map((u) => u.toString(16)).join(',')} ${out}`);
  };
  add([]);
  for (let u = 0; u < 0x100; u++) add([u]);
  const special = [0x7f, 0x80, 0x9f, 0xa0, 0x7ff, 0x800, 0xfff, 0x1000, 0x2028, 0x2029, 0xd7ff, 0xd800,
    0xdbff, 0xdc00, 0xdfff, 0xe000, 0xfeff, 0xfffd, 0xfffe, 0xffff];
  for (const u of special) add([u]);
  add([0xd83d, 0xde00]);
  add([0xde00, 0xd83d]);
  add([0xd83d, 0xd83d, 0xde00]);
  add([0xd83d, 0xde00, 0xde00]);
  add([0xdbff, 0xdfff]);
  add([0xd800, 0xdc00]);
  add([0xd800, 0x41, 0xdc00]);
  const pool = [0x00, 0x01, 0x08, 0x09, 0x0a, 0x0c, 0x0d, 0x1f, 0x20, 0x22, 0x27, 0x2f, 0x3c, 0x5c, 0x61,
    0x7f, 0xe9, 0x2028, 0x2029, 0x6f22, 0xd7ff, 0xd800, 0xd83d, 0xdbff, 0xdc00, 0xde00, 0xdfff, 0xe000,
    0xed, 0xd000, 0xffff];
  for (let i = 0; i < 2000; i++) {
    const len = rand(40);
    const units = [];
    for (let j = 0; j < len; j++) units.push(rand(4) ? pool[rand(pool.length)] : 0x61);
    add(units);
  }
  fs.writeFileSync(path.join(dir, 'js-strings.txt'), lines.join('\n') + '\n');
  console.log(`js-strings.txt: ${lines.length} lines`);
}

// ---------------------------------------------------------------------------
// json-grammar.txt: <"ok" or the reader's error message> TAB <input as a JSON string literal>
// Hand-written; checked here against JSON.parse.
{
  const text = fs.readFileSync(path.join(dir, 'json-grammar.txt'), 'utf8');
  let n = 0;
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const tab = line.indexOf('\t');
    const expect = line.slice(0, tab);
    const input = JSON.parse(line.slice(tab + 1));
    let ok = true;
    try { JSON.parse(input); } catch { ok = false; }
    if (ok !== (expect === 'ok')) throw new Error(`JSON.parse disagrees on ${line}`);
    n++;
  }
  console.log(`json-grammar.txt: ${n} cases agree with JSON.parse`);
}
