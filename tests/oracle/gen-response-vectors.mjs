// Generates spec/vectors/response/*.json by running React 19.3.1 (prod and dev builds).
//   cd oracle && npm run gen-response   (= node --conditions react-server gen-response-vectors.mjs)
// Options: --out DIR (default ../../spec/vectors/response), --only SUBSTRING (no deletion of stale files).
import { readdirSync, mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as R from './lib/response.mjs';
import { notationEqual } from './lib/notation.mjs';
import cases from './cases/response-cases.mjs';

process.on('unhandledRejection', () => {});

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const argValue = (flag) => {
  const i = args.indexOf(flag);
  return i === -1 ? undefined : args[i + 1];
};
const outDir = resolve(argValue('--out') ?? join(here, '..', '..', 'spec', 'vectors', 'response'));
const only = argValue('--only');

// Pretty printer (as gen-reply-vectors.mjs): 2-space indentation; an array/object is
// printed on one line when it fits in 100 columns, when all its members are scalars, or
// below nesting depth 6.
function pretty(value, indent = '', depth = 0) {
  const compact = JSON.stringify(value);
  if (value === null || typeof value !== 'object') return compact;
  const isArr = Array.isArray(value);
  const members = isArr ? value : Object.values(value);
  if (
    members.length === 0 ||
    depth >= 6 ||
    indent.length + compact.length <= 100 ||
    (isArr && members.every((m) => m === null || typeof m !== 'object'))
  ) {
    return compact;
  }
  const inner = indent + '  ';
  if (isArr) {
    return '[\n' + value.map((v) => inner + pretty(v, inner, depth + 1)).join(',\n') + '\n' + indent + ']';
  }
  return (
    '{\n' +
    Object.keys(value)
      .map((k) => inner + JSON.stringify(k) + ': ' + pretty(value[k], inner, depth + 1))
      .join(',\n') +
    '\n' +
    indent +
    '}'
  );
}

function chunkBytes(c) {
  if (typeof c === 'string') return new Uint8Array(Buffer.from(c, 'utf8'));
  return new Uint8Array(c);
}

function streamRecord(r) {
  const out = { chunks: R.chunksToBase64(r.chunks), closed: r.closed };
  if (r.error) out.error = r.error;
  return out;
}

function resultOf(d) {
  return d.ok ? { decoded: d.value } : { decodeError: { name: d.errorName, message: d.error } };
}

async function runCase(c) {
  const tr = !!(c.options && c.options.temporaryReferences);
  const rec = {
    name: c.name,
    description: c.description,
    react: R.reactVersion,
    options: { temporaryReferences: tr },
  };
  let streams; // {prod?: {chunks, closed}, dev?: …}
  const flavours = c.flavours ?? ['prod', 'dev'];
  if ('value' in c) {
    rec.value = c.value;
    if (c.schedule) rec.schedule = c.schedule;
    streams = {};
    for (const f of flavours) {
      streams[f] = await R.render(c.value, { dev: f === 'dev', schedule: c.schedule, temporaryReferences: tr });
    }
  } else if ('stream' in c) {
    const chunks = c.stream.map(chunkBytes);
    streams = {};
    for (const f of flavours) streams[f] = { chunks, closed: c.close ?? true };
  } else if ('from' in c) {
    const ftr = !!(c.from.options && c.from.options.temporaryReferences);
    const rendered = {};
    for (const f of ['prod', 'dev']) {
      rendered[f] = (await R.render(c.from.value, { dev: f === 'dev', schedule: c.from.schedule, temporaryReferences: ftr })).chunks;
    }
    streams = {};
    for (const f of flavours) {
      streams[f] = { chunks: c.mutate(rendered[f], f, rendered).map(chunkBytes), closed: c.close ?? true };
    }
  } else {
    throw new Error('case has no value, stream or from');
  }
  for (const f of flavours) rec[f] = streamRecord(streams[f]);
  const results = {};
  for (const f of flavours) {
    const s = streams[f];
    if (s.error) throw new Error('the ' + f + ' server stream errored: ' + s.error.message);
    results[f] = resultOf(await R.decode(s.chunks, { dev: f === 'dev', temporaryReferences: tr, close: s.closed }));
  }
  if (results.prod) Object.assign(rec, results.prod);
  if (results.dev) {
    if (!results.prod) Object.assign(rec, results.dev);
    else if (!notationEqual(results.prod, results.dev)) {
      if ('decoded' in results.dev) rec.decodedDev = results.dev.decoded;
      else rec.decodeErrorDev = results.dev.decodeError;
    }
  }
  return rec;
}

function summary(rec) {
  const s = (x) => {
    const t = JSON.stringify(x);
    return t.length > 110 ? t.slice(0, 110) + '…' : t;
  };
  let out = rec.decodeError ? 'decodeError: ' + rec.decodeError.message.slice(0, 80) : s(rec.decoded);
  if (rec.decodedDev) out += ' | dev: ' + s(rec.decodedDev);
  if (rec.decodeErrorDev) out += ' | devError: ' + rec.decodeErrorDev.message.slice(0, 80);
  return out;
}

async function main() {
  const names = new Set();
  for (const c of cases) {
    if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(c.name)) throw new Error('bad case name ' + c.name);
    if (names.has(c.name)) throw new Error('duplicate case name ' + c.name);
    names.add(c.name);
  }
  mkdirSync(outDir, { recursive: true });
  if (only === undefined) {
    for (const f of readdirSync(outDir)) if (f.endsWith('.json')) unlinkSync(join(outDir, f));
  }
  let n = 0;
  for (const c of cases) {
    if (only !== undefined && !c.name.includes(only)) continue;
    let rec;
    try {
      rec = await runCase(c);
    } catch (e) {
      console.error('FAILED ' + c.name + ': ' + (e && e.stack ? e.stack : e));
      process.exitCode = 1;
      continue;
    }
    writeFileSync(join(outDir, c.name + '.json'), pretty(rec) + '\n');
    n++;
    if (process.env.VERBOSE) process.stdout.write(c.name.padEnd(44) + ' ' + summary(rec) + "\n");
  }
  process.stdout.write('wrote ' + n + ' vectors to ' + outDir + '\n');
}

await main();
// React or a test value may leave timers or never-settling streams behind.
process.exit();
