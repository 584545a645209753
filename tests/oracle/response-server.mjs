// JSON-lines oracle server for the response direction (differential tests).
//   node --conditions react-server response-server.mjs
// One JSON request per stdin line -> exactly one JSON response line on stdout, in
// request order (requests are handled one at a time).  See README.md, "Response direction".
import { createInterface } from 'node:readline';
import * as R from './lib/response.mjs';
import { base64ToBytes } from './lib/notation.mjs';

// Never die because of a stray rejection or exception inside React or a test value.
process.on('unhandledRejection', () => {});
process.on('uncaughtException', (e) => {
  process.stderr.write('response-server: uncaught exception: ' + (e && e.stack ? e.stack : String(e)) + '\n');
});

function chunksOf(req) {
  if (!Array.isArray(req.chunks) || !req.chunks.every((c) => typeof c === 'string')) {
    throw new TypeError('decodeResponse needs "chunks": an array of base64 strings');
  }
  return req.chunks.map(base64ToBytes);
}

async function handle(req) {
  if (req === null || typeof req !== 'object' || Array.isArray(req)) {
    throw new TypeError('request must be a JSON object');
  }
  switch (req.op) {
    case 'version':
      return { ok: true, react: R.reactVersion };
    case 'render': {
      if (!('value' in req)) throw new TypeError('render needs "value"');
      const r = await R.render(req.value, {
        dev: !!req.dev,
        schedule: req.schedule ?? [],
        temporaryReferences: !!req.temporaryReferences,
        normalise: req.normalise !== false,
      });
      const out = { ok: true, chunks: R.chunksToBase64(r.chunks), closed: r.closed };
      if (r.error) out.streamError = r.error;
      return out;
    }
    case 'decodeResponse':
      return R.decode(chunksOf(req), {
        dev: !!req.dev,
        temporaryReferences: !!req.temporaryReferences,
        close: req.close !== false,
      });
    default:
      throw new TypeError('unknown op ' + JSON.stringify(req.op));
  }
}

function write(obj) {
  let line;
  try {
    line = JSON.stringify(obj);
  } catch (e) {
    line = JSON.stringify({ ok: false, error: 'oracle: cannot serialise response: ' + String(e) });
  }
  process.stdout.write(line + '\n');
}

let queue = Promise.resolve();
const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
rl.on('line', (line) => {
  queue = queue.then(async () => {
    if (line.trim() === '') return; // blank lines are not requests
    let req;
    try {
      req = JSON.parse(line);
    } catch (e) {
      write({ ok: false, error: 'oracle: bad request JSON: ' + e.message });
      return;
    }
    try {
      write(await handle(req));
    } catch (e) {
      write({ ok: false, error: 'oracle: ' + (e && e.message ? e.message : String(e)) });
    }
  });
});
rl.on('close', () => {
  queue.then(() => process.exit(0));
});
