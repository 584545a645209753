// The oracle operations shared by reply-server.mjs and gen-reply-vectors.mjs.
import { Client, Server, React, reactVersion } from './react.mjs';
import { fromNotation, toNotation, bytesToBase64, base64ToBytes } from './notation.mjs';

export { reactVersion };

export const TIMEOUT_MS = 200;
const ENCODE_TIMEOUT_MS = 2000;

// ---------------------------------------------------------------------------
// Synthetic webpack server manifest.
//
// Every string id resolves, except ids starting with "nope" (so that the
// "Could not find the module" path can be exercised).  Module id = the full
// reference id; its single export "fn" is a function created once per id:
//     function (...args) { return { [MARK]: id, args } }
// The function also gets an own `bind` that records which bound function it
// produced (React calls `fn.bind.apply(fn, [null, ...bound])`), so that
// decodeAction's result can tell "bound: null" from "bound: []".

const MARK = Symbol('oracle.serverReference');
const SENTINEL = Symbol('oracle.sentinel');
const exportsById = new Map();
const modulesById = new Map();
const boundByFunction = new WeakMap(); // fn produced by our bind -> {id, args}

function exportFor(id) {
  let fn = exportsById.get(id);
  if (fn === undefined) {
    fn = function (...args) {
      return { [MARK]: id, args };
    };
    Object.defineProperty(fn, 'bind', {
      value: function (thisArg, ...args) {
        const b = Function.prototype.bind.call(this, thisArg, ...args);
        boundByFunction.set(b, { id, args });
        return b;
      },
    });
    exportsById.set(id, fn);
  }
  return fn;
}

export const serverManifest = new Proxy(
  {},
  {
    get(_target, id) {
      if (typeof id !== 'string' || id.startsWith('nope')) return undefined;
      return { id, chunks: [], name: 'fn' };
    },
  }
);

globalThis.__webpack_require__ = function (moduleId) {
  let m = modulesById.get(moduleId);
  if (m === undefined) {
    m = { fn: exportFor(moduleId) };
    modulesById.set(moduleId, m);
  }
  return m;
};
globalThis.__webpack_chunk_load__ = function () {
  return Promise.resolve();
};

// Describe a function decoded by the server: a server reference (id + bound) or null.
function callMarked(fn) {
  let r;
  try {
    r = fn(SENTINEL);
  } catch {
    return null;
  }
  if (r === null || typeof r !== 'object' || !(MARK in r)) return null;
  return r;
}

export function describeDecodedFunction(fn) {
  const r = callMarked(fn);
  if (r === null) return null;
  const id = r[MARK];
  if (exportsById.get(id) === fn) return { id, bound: null };
  const args = r.args;
  if (args[args.length - 1] !== SENTINEL) return null;
  return { id, bound: args.slice(0, -1) };
}

// ---------------------------------------------------------------------------
// Client-side values built from notation.

const clientRefs = new WeakMap(); // client server reference fn -> {id, bound}

export function clientEnv() {
  return {
    createServerReference: (id) => Client.createServerReference(id),
    createElement: (type, props) => React.createElement(type, props),
    onServerReference: (fn, id, bound) => clientRefs.set(fn, { id, bound }),
  };
}

export function buildValue(notation) {
  return fromNotation(notation, clientEnv());
}

export function describeClientFunction(fn) {
  return clientRefs.get(fn) ?? null;
}

// notation of a client-side (input) value; consumes its streams/iterators.
export function inputNotation(value) {
  return toNotation(value, { timeoutMs: TIMEOUT_MS, describeFunction: describeClientFunction });
}

// ---------------------------------------------------------------------------
// Bodies

export function errorMessage(e) {
  if (e !== null && typeof e === 'object' && 'message' in e) {
    // production builds have bare messages; keep only the first line anyway
    return String(e.message).split('\n')[0];
  }
  return String(e);
}

function errorName(e) {
  if (e !== null && typeof e === 'object' && typeof e.name === 'string') return e.name;
  return typeof e;
}

export async function bodyOf(result) {
  if (typeof result === 'string') return { string: result };
  const entries = [];
  for (const [name, value] of result) {
    if (typeof value === 'string') entries.push([name, value]);
    else {
      const bytes = new Uint8Array(await value.arrayBuffer());
      entries.push([
        name,
        { file: { name: value.name, type: value.type, base64: bytesToBase64(bytes) } },
      ]);
    }
  }
  return { formData: entries };
}

export function formDataFromEntries(entries) {
  if (!Array.isArray(entries)) throw new TypeError('formData body must be an array of entries');
  const fd = new FormData();
  for (const entry of entries) {
    if (!Array.isArray(entry) || entry.length !== 2 || typeof entry[0] !== 'string') {
      throw new TypeError('formData entry must be [name, value]');
    }
    const [name, v] = entry;
    if (typeof v === 'string') fd.append(name, v);
    else if (v && typeof v === 'object' && v.file) {
      fd.append(name, new File([base64ToBytes(v.file.base64)], v.file.name, { type: v.file.type }));
    } else throw new TypeError('formData entry value must be a string or {"file":…}');
  }
  return fd;
}

export function bodyToReact(body) {
  if (body === null || typeof body !== 'object') throw new TypeError('body must be an object');
  if (typeof body.string === 'string') return body.string;
  if (Array.isArray(body.formData)) return formDataFromEntries(body.formData);
  throw new TypeError('body must be {"string":…} or {"formData":[…]}');
}

// The raw multipart body as undici serialises it.  undici picks a random
// boundary "----formdata-undici-0" + 11 digits; it is replaced (in the header
// and in the body) by the fixed, equally long FIXED_BOUNDARY.
export const FIXED_BOUNDARY = '----formdata-undici-000000000000';

export async function multipartOf(formData) {
  const res = new Response(formData);
  const contentType = res.headers.get('content-type');
  const m = /^multipart\/form-data; boundary=(----formdata-undici-0\d{11})$/.exec(contentType);
  if (!m) throw new Error('unexpected content-type ' + contentType);
  const random = Buffer.from(m[1], 'latin1');
  const fixed = Buffer.from(FIXED_BOUNDARY, 'latin1');
  const raw = Buffer.from(await res.arrayBuffer());
  if (raw.indexOf(fixed) !== -1) throw new Error('fixed boundary occurs in the body');
  const parts = [];
  let at = 0;
  for (;;) {
    const i = raw.indexOf(random, at);
    if (i === -1) break;
    parts.push(raw.subarray(at, i), fixed);
    at = i + random.length;
  }
  parts.push(raw.subarray(at));
  return {
    contentType: 'multipart/form-data; boundary=' + FIXED_BOUNDARY,
    base64: Buffer.concat(parts).toString('base64'),
  };
}

function timeout(promise, ms, what) {
  let t;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      t = setTimeout(() => reject(new Error('oracle: ' + what + ' did not settle within ' + ms + ' ms')), ms);
    }),
  ]).finally(() => clearTimeout(t));
}

// ---------------------------------------------------------------------------
// Operations.  Each returns a protocol response object.

export async function encodeJs(value, temporaryReferences) {
  let result;
  try {
    result = await timeout(
      Client.encodeReply(
        value,
        temporaryReferences ? { temporaryReferences: Client.createTemporaryReferenceSet() } : undefined
      ),
      ENCODE_TIMEOUT_MS,
      'encodeReply'
    );
  } catch (e) {
    return { ok: false, error: errorMessage(e) };
  }
  const body = await bodyOf(result);
  const out = { ok: true, body };
  if (typeof result !== 'string') out.multipart = await multipartOf(result);
  return out;
}

export async function opEncode(notation, temporaryReferences) {
  return encodeJs(buildValue(notation), temporaryReferences);
}

export function decodedNotation(value, tempSet) {
  return toNotation(value, {
    timeoutMs: TIMEOUT_MS,
    temporaryReferences: tempSet,
    describeFunction: describeDecodedFunction,
  });
}

export async function opDecode(body, temporaryReferences) {
  const reactBody = bodyToReact(body);
  const tempSet = temporaryReferences ? Server.createTemporaryReferenceSet() : undefined;
  let root;
  try {
    const thenable = Server.decodeReply(
      reactBody,
      serverManifest,
      tempSet ? { temporaryReferences: tempSet } : undefined
    );
    const r = await settleWithTimeout(thenable, TIMEOUT_MS);
    if (r.status === 'timeout') return { ok: true, value: { promise: 'pending' } };
    if (r.status === 'rejected') throw r.reason;
    root = r.value;
  } catch (e) {
    return { ok: false, error: errorMessage(e), errorName: errorName(e) };
  }
  return { ok: true, value: await decodedNotation(root, tempSet) };
}

function settleWithTimeout(thenable, ms) {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve({ status: 'timeout' }), ms);
    Promise.resolve(thenable).then(
      (value) => {
        clearTimeout(t);
        resolve({ status: 'fulfilled', value });
      },
      (reason) => {
        clearTimeout(t);
        resolve({ status: 'rejected', reason });
      }
    );
  });
}

export async function opDecodeAction(body) {
  if (!body || !Array.isArray(body.formData)) throw new TypeError('decodeAction needs a formData body');
  const fd = formDataFromEntries(body.formData);
  let fn;
  try {
    const r = Server.decodeAction(fd, serverManifest);
    if (r === null) return { ok: true, value: null };
    const s = await settleWithTimeout(r, TIMEOUT_MS);
    if (s.status === 'timeout') return { ok: true, value: { promise: 'pending' } };
    if (s.status === 'rejected') throw s.reason;
    fn = s.value;
  } catch (e) {
    return { ok: false, error: errorMessage(e), errorName: errorName(e) };
  }
  // fn = (exported fn | exported fn bound by React).bind(null, formData)
  const called = callMarked(fn);
  if (called === null) throw new Error('decodeAction returned something that is not a server reference');
  const args = called.args;
  if (args[args.length - 1] !== SENTINEL || args.length < 2) throw new Error('unexpected action arguments');
  const formData = args[args.length - 2];
  const info = boundByFunction.get(fn);
  // unbound: React did exported.bind(null, formData) -> recorded with exactly [formData]
  const unbound = info !== undefined && info.args.length === 1 && info.args[0] === formData;
  const bound = unbound ? null : args.slice(0, -2);
  const n = await decodedNotation(unbound ? [formData] : [formData, bound], undefined);
  const parts = n.array;
  return {
    ok: true,
    value: {
      id: called[MARK],
      bound: unbound ? null : parts[1].array,
      formData: parts[0],
    },
  };
}

export async function opDecodeFormState(body) {
  if (!body || !Array.isArray(body.formData)) throw new TypeError('decodeFormState needs a formData body');
  const fd = formDataFromEntries(body.formData);
  let r;
  try {
    const s = await settleWithTimeout(
      Promise.resolve().then(() => Server.decodeFormState('RESULT', fd, serverManifest)),
      TIMEOUT_MS
    );
    if (s.status === 'timeout') return { ok: true, value: { promise: 'pending' } };
    if (s.status === 'rejected') throw s.reason;
    r = s.value;
  } catch (e) {
    return { ok: false, error: errorMessage(e), errorName: errorName(e) };
  }
  return { ok: true, value: await decodedNotation(r, undefined) };
}
