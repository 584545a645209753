// JSON-lines oracle server for differential tests.
//   node --conditions react-server reply-server.mjs
// One JSON request per stdin line -> exactly one JSON response line on stdout,
// in request order.  See README.md for the protocol.
import { createInterface } from 'node:readline';
import * as O from './lib/oracle.mjs';

// Never die because of a stray rejection or exception inside React or a test value.
process.on('unhandledRejection', () => {});
process.on('uncaughtException', (e) => {
  process.stderr.write('reply-server: uncaught exception: ' + (e && e.stack ? e.stack : String(e)) + '\n');
});

async function handle(req) {
  if (req === null || typeof req !== 'object' || Array.isArray(req)) {
    throw new TypeError('request must be a JSON object');
  }
  switch (req.op) {
    case 'version':
      return { ok: true, react: O.reactVersion };
    case 'encode':
      if (!('value' in req)) throw new TypeError('encode needs "value"');
      return O.opEncode(req.value, !!req.temporaryReferences);
    case 'decode':
      return O.opDecode(req.body, !!req.temporaryReferences);
    case 'decodeAction':
      return O.opDecodeAction(req.body);
    case 'decodeFormState':
      return O.opDecodeFormState(req.body);
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
