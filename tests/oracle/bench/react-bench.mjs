// React 19.3.1's side of the benchmark comparison (issue 5).
//
//   node --conditions react-server bench/react-bench.mjs --out DIR [--only P1,P3] [--no-time] [--budget-ms 1500]
//
// For each payload of bench/payloads.mjs it writes React's wire bytes (the
// reply body and the response stream) to DIR, then times React's four
// operations on them with the production builds and writes DIR/react.json.
// benches/compare.rs reads both: it checks that our encoders give the same
// bytes and prints the side-by-side table. See benches/README.md.
//
// Every operation goes from a value to wire bytes or back, as a server does:
//  - decode reply: a string body is TextDecoder-decoded then decodeReply(string);
//    a multipart body is parsed by undici (`new Response(bytes).formData()`)
//    then decodeReply(formData). The root is awaited, and so is every promise
//    directly inside it (P7). decodeReply alone (string / FormData given) is
//    recorded too ("decodeReplyOnly").
//  - encode reply: encodeReply(value), then TextEncoder for a string body or
//    `new Response(formData).arrayBuffer()` (undici's multipart writer) for a
//    FormData. encodeReply alone is recorded too ("encodeReplyOnly").
//  - encode response: renderToReadableStream(value), read to the end.
//  - decode response: createFromReadableStream over the recorded network
//    chunks, the root awaited, and every promise directly inside it (P7).
// Timing: process.hrtime.bigint(); warm-up runs, then samples of K runs each
// (K chosen so that a sample lasts about 2 ms); the median time per run.
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Server, reactVersion } from '../lib/react.mjs';
import { multipartOf } from '../lib/oracle.mjs';
import { PAYLOADS } from './payloads.mjs';

const args = process.argv.slice(2);
function arg(name, dflt) {
  const i = args.indexOf(name);
  if (i === -1) return dflt;
  return args[i + 1];
}
const OUT = arg('--out', null);
if (!OUT) {
  console.error('usage: react-bench.mjs --out DIR [--only P1,P2] [--no-time] [--budget-ms N]');
  process.exit(2);
}
const ONLY = arg('--only', null)?.split(',');
const TIME = !args.includes('--no-time');
const BUDGET_NS = BigInt(Math.round(Number(arg('--budget-ms', '1500')) * 1e6));
mkdirSync(OUT, { recursive: true });

const serverManifest = {};
const clientManifest = {};
const serverConsumerManifest = { moduleMap: null, serverModuleMap: null, moduleLoading: null };
const onError = (e) => 'DIGEST:' + (e && e.message);

// --- timing ---------------------------------------------------------------

const now = () => process.hrtime.bigint();

// Median ns per run of `fn` (async). Warm-up: at least 3 runs and 10% of the
// budget; then samples of `k` runs until the budget is spent (5 to 101 samples).
async function measure(fn, setup) {
  const runOnce = async () => {
    const input = setup ? await setup() : undefined;
    const t0 = now();
    await fn(input);
    return now() - t0;
  };
  let warm = 0n;
  let runs = 0;
  let last = 0n;
  const warmStart = now();
  while (runs < 3 || now() - warmStart < BUDGET_NS / 10n) {
    last = await runOnce();
    warm += last;
    runs++;
    if (runs >= 3 && last * 3n > BUDGET_NS) break; // a slow operation: enough warming
  }
  const per = warm / BigInt(runs);
  // batch runs so that one sample lasts ~2 ms (setup, if any, stays outside the timer)
  const k = setup ? 1 : Math.max(1, Math.min(10_000, Number(2_000_000n / (per > 0n ? per : 1n))));
  const samples = [];
  const start = now();
  while (samples.length < 5 || (now() - start < BUDGET_NS && samples.length < 101)) {
    if (setup) {
      samples.push(Number(await runOnce()));
    } else {
      const t0 = now();
      for (let i = 0; i < k; i++) await fn();
      samples.push(Number(now() - t0) / k);
    }
  }
  samples.sort((a, b) => a - b);
  return { ns: samples[samples.length >> 1], samples: samples.length, batch: k };
}

// --- helpers --------------------------------------------------------------

async function settleInside(root) {
  // P7: the root's own values are promises; await them all
  if (root !== null && typeof root === 'object' && !Array.isArray(root)) {
    const vals = Object.values(root);
    if (vals.length > 0 && vals.every((v) => v && typeof v.then === 'function')) await Promise.all(vals);
  }
  return root;
}

async function readAll(stream) {
  const reader = stream.getReader();
  const chunks = [];
  for (;;) {
    const r = await reader.read();
    if (r.done) return chunks;
    chunks.push(r.value);
  }
}

function streamOf(chunks) {
  return new ReadableStream({
    start(c) {
      for (const ch of chunks) c.enqueue(ch);
      c.close();
    },
  });
}

function parseForm(bytes, contentType) {
  return new Response(bytes, { headers: { 'content-type': contentType } }).formData();
}

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

// --- main -----------------------------------------------------------------

const results = {};
for (const [name, make] of Object.entries(PAYLOADS)) {
  if (ONLY && !ONLY.includes(name)) continue;
  const value = make();

  // reply wire bytes
  const encoded = await Client.encodeReply(value);
  let replyBytes;
  let contentType;
  let formData = null;
  if (typeof encoded === 'string') {
    replyBytes = Buffer.from(encoded, 'utf8');
    contentType = 'text/plain;charset=UTF-8';
  } else {
    formData = encoded;
    const m = await multipartOf(encoded);
    replyBytes = Buffer.from(m.base64, 'base64');
    contentType = m.contentType;
  }
  writeFileSync(join(OUT, name + '.reply'), replyBytes);
  writeFileSync(join(OUT, name + '.reply.type'), contentType);

  // response wire bytes, as React's network chunks
  const chunks = (await readAll(Server.renderToReadableStream(value, clientManifest, { onError }))).map(
    (c) => new Uint8Array(c)
  );
  const responseBytes = Buffer.concat(chunks);
  writeFileSync(join(OUT, name + '.response'), responseBytes);
  writeFileSync(join(OUT, name + '.response.chunks'), JSON.stringify(chunks.map((c) => c.byteLength)));

  const r = { replyBytes: replyBytes.length, responseBytes: responseBytes.length, multipart: formData !== null };
  results[name] = r;
  process.stderr.write(`${name}: reply ${replyBytes.length} B (${formData ? 'multipart' : 'text'}), response ${responseBytes.length} B`);
  if (!TIME) {
    process.stderr.write('\n');
    continue;
  }

  const wire = new Uint8Array(replyBytes);
  // React's decodeReply refuses array trees of more than arraySizeLimit (default
  // 1e6) slots, string lengths included: P6 exceeds it. Such payloads are timed
  // with the limit lifted (the check costs the same), and the refusal recorded.
  let decodeOptions;
  try {
    const body = formData === null ? replyBytes.toString('utf8') : await parseForm(wire, contentType);
    await settleInside(await Server.decodeReply(body, serverManifest));
  } catch (e) {
    r.reactDefaultRejects = String(e && e.message);
    decodeOptions = { arraySizeLimit: Infinity };
    process.stderr.write(` [decodeReply with default options rejects it: ${r.reactDefaultRejects}]`);
  }
  if (formData === null) {
    r.decodeReply = await measure(async () => {
      const text = textDecoder.decode(wire);
      await settleInside(await Server.decodeReply(text, serverManifest, decodeOptions));
    });
    const text = replyBytes.toString('utf8');
    r.decodeReplyOnly = await measure(async () => {
      await settleInside(await Server.decodeReply(text, serverManifest, decodeOptions));
    });
    r.encodeReply = await measure(async () => {
      textEncoder.encode(await Client.encodeReply(value));
    });
  } else {
    const parse = () => parseForm(wire, contentType);
    r.decodeReply = await measure(async () => {
      await settleInside(await Server.decodeReply(await parse(), serverManifest, decodeOptions));
    });
    r.decodeReplyOnly = await measure(async (fd) => {
      await settleInside(await Server.decodeReply(fd, serverManifest, decodeOptions));
    }, parse);
    r.encodeReply = await measure(async () => {
      await new Response(await Client.encodeReply(value)).arrayBuffer();
    });
  }
  r.encodeReplyOnly = await measure(async () => {
    await Client.encodeReply(value);
  });
  r.encodeResponse = await measure(async () => {
    await readAll(Server.renderToReadableStream(value, clientManifest, { onError }));
  });
  r.decodeResponse = await measure(async () => {
    const root = await Client.createFromReadableStream(streamOf(chunks), { serverConsumerManifest });
    await settleInside(root);
  });
  const ms = (x) => (x.ns / 1e6).toFixed(3) + ' ms';
  process.stderr.write(
    `; decodeReply ${ms(r.decodeReply)}, encodeReply ${ms(r.encodeReply)}, encodeResponse ${ms(r.encodeResponse)}, decodeResponse ${ms(r.decodeResponse)}\n`
  );
}

writeFileSync(
  join(OUT, 'react.json'),
  JSON.stringify({ react: reactVersion, node: process.version, timed: TIME, results }, null, 1) + '\n'
);
