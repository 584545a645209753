// End-to-end client for tests/e2e_host.rs: React 19.3.1's own client
// (react-server-dom-webpack, production build) calling the Rust example
// server (examples/axum_host.rs) over fetch, as an app would.
//   node e2e-client.mjs http://127.0.0.1:PORT
// Prints one JSON object with what each call gave.
import { createRequire } from 'node:module';

process.env.NODE_ENV = 'production';
// The browser build is the one that calls server functions (the edge build is
// for server rendering and refuses to). It expects webpack's runtime for
// client modules, which these calls never load: a shim that refuses.
globalThis.__webpack_require__ = Object.assign(
  () => {
    throw new Error('no client modules in this test');
  },
  { u: () => '' }
);
globalThis.__webpack_chunk_load__ = () => Promise.resolve();
const require = createRequire(import.meta.url);
const Client = require('./node_modules/react-server-dom-webpack/cjs/react-server-dom-webpack-client.browser.production.js');

const base = process.argv[2];
const url = base + '/action';

// React's callServer contract, as a framework implements it.
async function callServer(id, args) {
  const temporaryReferences = Client.createTemporaryReferenceSet();
  const body = await Client.encodeReply(args, { temporaryReferences });
  const response = fetch(url, { method: 'POST', headers: { 'Next-Action': id, Origin: base }, body });
  return Client.createFromFetch(response, { callServer, temporaryReferences });
}
const action = (id) => Client.createServerReference(id, callServer);

async function read(response) {
  if (response.status !== 200) throw new Error(response.status + ': ' + (await response.text()));
  return Client.createFromFetch(Promise.resolve(response), { callServer });
}

const out = {};
const step = async (name, f) => {
  try {
    out[name] = await f();
  } catch (e) {
    out[name] = { thrown: String(e && e.message), digest: e && e.digest };
  }
};

await step('inspect', async () => {
  const file = new File([new TextEncoder().encode('hello file')], 'notes.txt', { type: 'text/plain' });
  const all = {
    text: 'héllo $x 漢 😀',
    number: 1.5,
    integer: -7,
    flag: true,
    nothing: null,
    missing: undefined,
    big: 12345678901234567890n,
    when: new Date('2024-05-01T12:30:00.250Z'),
    tags: new Set(['a', 'b']),
    scores: new Map([['x', 1], ['y', 2]]),
    bytes: new Float64Array([1.5, -2]),
    file,
    nested: [{ id: 1, label: 'one' }],
  };
  const [echo, seen] = await action('drafts#inspect')(all, new Date(Date.UTC(2030, 0, 2)));
  return {
    text: echo.text,
    number: echo.number,
    integer: echo.integer,
    flag: echo.flag,
    nothing: echo.nothing,
    hasMissing: 'missing' in echo,
    big: typeof echo.big + ':' + echo.big.toString(),
    when: echo.when instanceof Date ? echo.when.toISOString() : String(echo.when),
    tags: echo.tags instanceof Set ? [...echo.tags] : 'not a Set',
    scores: echo.scores instanceof Map ? [...echo.scores] : 'not a Map',
    bytes: echo.bytes.constructor.name + ':' + Array.from(echo.bytes).join(','),
    file: echo.file instanceof Blob ? echo.file.type + ':' + (await echo.file.text()) : 'not a Blob',
    nested: echo.nested,
    seen,
  };
});

await step('slow', async () => {
  const r = await action('drafts#slow')(300);
  const atRoot = await Promise.race([
    Promise.resolve(r.later).then(() => 'settled'),
    new Promise((resolve) => setTimeout(() => resolve('pending'), 0)),
  ]);
  const later = await r.later;
  return { status: r.status, atRoot, later };
});

await step('tokens', async () => {
  const it = await action('drafts#tokens')('the quick brown fox');
  const got = [];
  for await (const t of it) got.push(t);
  return got;
});

await step('bound', () => action('drafts#greet').bind(null, 'Hello')('Ada'));

await step('fail', () => action('drafts#fail')('because'));

await step('keep', async () => {
  // A value the client cannot send (a function): it stays on the client as
  // a temporary reference, and comes back as the same function.
  const kept = () => 'client only';
  const [back, note] = await action('drafts#keep')(kept, 'n1');
  return { same: back === kept, note };
});

// Progressive enhancement: the fields React DOM renders for
// <form action={subscribe}> (unbound: $ACTION_ID_<id>), posted as a
// browser posts a form.
await step('form', async () => {
  const fd = new FormData();
  fd.append('$ACTION_ID_drafts#subscribe', '');
  fd.append('email', 'ada@example.com');
  fd.append('plan', 'pro');
  const res = await fetch(url, { method: 'POST', headers: { Origin: base }, body: fd });
  return { status: res.status, type: res.headers.get('content-type'), value: await read(res) };
});

// <form action={vote.bind(null, 7)}> inside useActionState: React DOM renders
// $ACTION_REF_<n>, the reply encoding of {id, bound} under $ACTION_<n>:, and
// $ACTION_KEY.
await step('boundForm', async () => {
  const fd = new FormData();
  fd.append('$ACTION_REF_1', '');
  fd.append('$ACTION_1:0', '{"id":"drafts#vote","bound":"$@1"}');
  fd.append('$ACTION_1:1', '[7]');
  fd.append('$ACTION_KEY', 'k1');
  fd.append('choice', 'yes');
  const res = await fetch(url, { method: 'POST', headers: { Origin: base }, body: fd });
  return { status: res.status, key: res.headers.get('x-action-key'), value: await read(res) };
});

await step('crossOrigin', async () => {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Next-Action': 'drafts#greet', Origin: 'http://evil.example' },
    body: '["a","b"]',
  });
  return res.status;
});

await step('tooLarge', async () => {
  const body = JSON.stringify(['x'.repeat(2 << 20), 'y']);
  const res = await fetch(url, { method: 'POST', headers: { 'Next-Action': 'drafts#greet', Origin: base }, body });
  return res.status;
});

await step('unknown', async () => {
  const res = await fetch(url, { method: 'POST', headers: { 'Next-Action': 'drafts#nope', Origin: base }, body: '[]' });
  return res.status;
});

process.stdout.write(JSON.stringify(out) + '\n');
