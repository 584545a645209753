// The response-direction oracle: React 19.3.1 `renderToReadableStream` (server) and
// `createFromReadableStream` (client), each in a production AND a development flavour,
// all four loaded into ONE process (started with `node --conditions react-server`).
//
//   render(notation, {dev, schedule, temporaryReferences})  -> {chunks, closed, error?}
//   decode(chunks, {dev, temporaryReferences, close})        -> {ok, value} | {ok:false, error, errorName}
//
// See oracle/README.md ("Response direction") for the full description.
//
// How both flavours live in one process: the cjs builds are loaded by file path.  For
// each flavour we set process.env.NODE_ENV, purge every react/ and react-dom/ module from
// require.cache, and require the server build (which then gets a fresh `react` and
// `react-dom` of that flavour), then purge again and require the client build (which
// gets its own `react-dom`).  NODE_ENV is only read at module load time (the top-level
// `process.env.NODE_ENV` switches in react/*.js and the dev cjs wrappers), so after the
// loads it is restored.  Each server therefore has its own React instance, which also
// avoids React's "only one RSC renderer at a time" dispatcher check.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { format } from 'node:util';
import {
  base64ToBytes,
  bytesToBase64,
  TYPED_ARRAY_KINDS,
  NotationSession,
} from './notation.mjs';

const require = createRequire(import.meta.url);
const NM = fileURLToPath(new URL('../node_modules/', import.meta.url));
const RSDW = NM + 'react-server-dom-webpack/';

export const TIMEOUT_MS = 200; // per await while settling a decoded value (as the reply harness)
export const IDLE_MS = 200; // after the last schedule step: wait this long for the stream to close
const QUIET_TURNS = 4; // setTimeout(0) turns between schedule steps

export const reactVersion = require(RSDW + 'package.json').version;

{
  const reactPath = require.resolve('react');
  if (!/react\.react-server\.js$/.test(reactPath)) {
    throw new Error(
      'The oracle must run with `node --conditions react-server` (react resolved to ' + reactPath + ')'
    );
  }
}

// Dev React's console patching replays console calls into the stream (W rows); the
// harness's stdout is a protocol channel, so the stdout console methods write to stderr
// directly (not through console.error, which the dev server patches as well).
for (const m of ['log', 'info', 'debug']) {
  console[m] = (...args) => void process.stderr.write(format(...args) + '\n');
}

function purgeReactModules() {
  for (const k of Object.keys(require.cache)) {
    if (k.startsWith(NM + 'react/') || k.startsWith(NM + 'react-dom/')) delete require.cache[k];
  }
}

function loadFlavour(dev) {
  const saved = process.env.NODE_ENV;
  const build = dev ? 'development' : 'production';
  process.env.NODE_ENV = build;
  try {
    purgeReactModules();
    const Server = require(RSDW + 'cjs/react-server-dom-webpack-server.edge.' + build + '.js');
    const React = require('react'); // the same instances the server build just got
    const ReactDOM = require('react-dom');
    purgeReactModules();
    const Client = require(RSDW + 'cjs/react-server-dom-webpack-client.edge.' + build + '.js');
    return { dev, Server, Client, React, ReactDOM };
  } finally {
    if (saved === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = saved;
    purgeReactModules();
  }
}

// ---------------------------------------------------------------------------
// Code that React sees in stack traces (dev element stacks, dev error stacks, dev
// server-reference locations) lives in this source text, evaluated under the fixed
// URL below; the dev server is given a filterStackFrame that keeps only frames from
// that URL.  Dev streams therefore do not depend on where the repository lives or on
// edits to the harness files, only on this text.

export const COMPONENTS_URL = 'file:///oracle/components.js';
const COMPONENTS_SOURCE = `(function (React, ReactDOM, Server) {
  "use strict";
  function createElement(type, config) {
    return React.createElement(type, config);
  }
  function makeError(message) {
    return new Error(message);
  }
  function serverFunction(id) {
    var hash = id.lastIndexOf("#");
    var name = hash === -1 ? id : id.slice(hash + 1);
    var fn = { [name]: function () { return null; } }[name];
    return hash === -1
      ? Server.registerServerReference(fn, id, null)
      : Server.registerServerReference(fn, id.slice(0, hash), name);
  }
  function clientReference(id, name) {
    return Server.registerClientReference(function () {
      throw new Error("a client reference was called on the server");
    }, id, name);
  }
  var components = {
    Echo: function Echo(props) {
      return props.children;
    },
    Box: function Box(props) {
      return React.createElement("div", { className: "box" }, props.children);
    },
    Throw: function Throw(props) {
      throw new Error(props.message);
    },
    Await: async function Await(props) {
      return await props.value;
    },
    Hint: function Hint(props) {
      for (var i = 0; i < props.calls.length; i++) {
        var call = props.calls[i];
        ReactDOM[call[0]].apply(null, call.slice(1));
      }
      return props.children === undefined ? null : props.children;
    },
    Log: function Log(props) {
      console.log.apply(console, props.args);
      return props.children === undefined ? null : props.children;
    }
  };
  return {
    createElement: createElement,
    makeError: makeError,
    serverFunction: serverFunction,
    clientReference: clientReference,
    components: components
  };
})`;
const componentsFactory = vm.runInThisContext(COMPONENTS_SOURCE, { filename: COMPONENTS_URL });

export const COMPONENT_NAMES = ['Echo', 'Box', 'Throw', 'Await', 'Hint', 'Log'];

const flavours = {};
function flavour(dev) {
  const key = dev ? 'dev' : 'prod';
  if (!flavours[key]) {
    const F = loadFlavour(!!dev);
    F.lib = componentsFactory(F.React, F.ReactDOM, F.Server);
    flavours[key] = F;
  }
  return flavours[key];
}
// load both now, so that failures show up at startup
flavour(false);
flavour(true);

// ---------------------------------------------------------------------------
// Synthetic webpack manifests and module system.
//
// Server side (the `webpackMap` / client manifest given to renderToReadableStream):
// every key "<moduleId>#<name>" resolves to {id: moduleId, chunks: chunksFor(moduleId),
// name}, plus `async: true` when moduleId starts with "async/"; module ids starting with
// "nope" are missing (React's "Could not find the module" error).
// chunksFor: [] normally; for module ids starting with "chunked/" two chunks,
//   ["chunk-a", "static/chunks/chunk-a-0123456789.js", "chunk-b", "static/chunks/chunk-b-0123456789.js"].
//
// Client side (serverConsumerManifest): {moduleMap: null, serverModuleMap: null,
// moduleLoading: null}, i.e. the I-row metadata is used as is (as the browser client
// does) and server references are created by the client itself (createBoundServerReference).
// `__webpack_chunk_load__` resolves at once; `__webpack_require__(id)` returns a module
// object whose every string property is an export: a function `ClientReference` tagged
// with {id, name}, created once per (id, name).  For ids starting with "async/" it
// returns a (cached) Promise of that module object.

function chunksFor(moduleId) {
  if (moduleId.startsWith('chunked/')) {
    return ['chunk-a', 'static/chunks/chunk-a-0123456789.js', 'chunk-b', 'static/chunks/chunk-b-0123456789.js'];
  }
  return [];
}

export const clientManifest = new Proxy(
  {},
  {
    get(_t, key) {
      if (typeof key !== 'string') return undefined;
      const hash = key.lastIndexOf('#');
      if (hash === -1) return undefined;
      const id = key.slice(0, hash);
      if (id.startsWith('nope')) return undefined;
      const entry = { id, chunks: chunksFor(id), name: key.slice(hash + 1) };
      if (id.startsWith('async/')) entry.async = true;
      return entry;
    },
  }
);

export const serverConsumerManifest = { moduleMap: null, serverModuleMap: null, moduleLoading: null };

const CLIENT_MARK = Symbol('oracle.clientReference');
const MODULE_MARK = Symbol('oracle.module');
const TEMP_MARK = Symbol('oracle.temporaryReference');
const exportsByKey = new Map();
const modulesById = new Map();
const asyncModulesById = new Map();

function exportFor(id, name) {
  const key = JSON.stringify([id, name]);
  let fn = exportsByKey.get(key);
  if (fn === undefined) {
    fn = function ClientReference() {
      return null;
    };
    Object.defineProperty(fn, CLIENT_MARK, { value: { id, name } });
    exportsByKey.set(key, fn);
  }
  return fn;
}

function moduleFor(id) {
  let m = modulesById.get(id);
  if (m === undefined) {
    const target = {};
    Object.defineProperty(target, MODULE_MARK, { value: id });
    const isExport = (name) => typeof name === 'string' && name !== 'then' && name !== '__esModule' && name !== '$$typeof';
    m = new Proxy(target, {
      get(t, name) {
        if (name === MODULE_MARK) return id;
        return isExport(name) ? exportFor(id, name) : undefined;
      },
      has(t, name) {
        return isExport(name);
      },
      getOwnPropertyDescriptor(t, name) {
        if (!isExport(name)) return Object.getOwnPropertyDescriptor(t, name);
        return { value: exportFor(id, name), writable: false, enumerable: true, configurable: true };
      },
    });
    modulesById.set(id, m);
  }
  return m;
}

globalThis.__webpack_require__ = function (id) {
  if (typeof id === 'string' && id.startsWith('async/')) {
    let p = asyncModulesById.get(id);
    if (p === undefined) {
      p = Promise.resolve(moduleFor(id));
      asyncModulesById.set(id, p);
    }
    return p;
  }
  return moduleFor(id);
};
globalThis.__webpack_chunk_load__ = function () {
  return Promise.resolve();
};

// ---------------------------------------------------------------------------
// Server-side values from notation.

export function digestOf(error) {
  if (error !== null && typeof error === 'object' && 'message' in error) return 'DIGEST:' + error.message;
  return 'DIGEST:' + String(error);
}

function one(n) {
  if (n === null || typeof n !== 'object' || Array.isArray(n)) {
    throw new TypeError('notation: expected a one-key object, got ' + JSON.stringify(n));
  }
  const keys = Object.keys(n);
  if (keys.length !== 1) throw new TypeError('notation: expected exactly one key, got ' + JSON.stringify(keys));
  return [keys[0], n[keys[0]]];
}

function namedClass(name) {
  // Field-less, like the value model's instances (which keep only the class name), so
  // that React's error messages describe them as the encoder can: `{}`.
  return { [name]: class {} }[name];
}

// The schedule: an array of steps; each step is an array of actions, performed in order
// within one macrotask: "<node name>" advances that node by one event; {"abort": v}
// aborts the render with reason v (notation).
export function scheduleNames(schedule) {
  const names = new Set();
  if (schedule === undefined || schedule === null) return names;
  if (!Array.isArray(schedule)) throw new TypeError('schedule must be an array of steps');
  for (const step of schedule) {
    if (!Array.isArray(step)) throw new TypeError('schedule step must be an array of actions');
    for (const a of step) {
      if (typeof a === 'string') names.add(a);
      else if (a === null || typeof a !== 'object' || !('abort' in a) || Object.keys(a).length !== 1) {
        throw new TypeError('schedule action must be a node name or {"abort": v}');
      }
    }
  }
  return names;
}

function controlledAsyncIterator(events) {
  // events: [{item}|{return}|{throw}] released one by one by advance()
  const ready = [];
  const waiting = [];
  let released = 0;
  const settle = (ev, res, rej) => {
    if ('throw' in ev) rej(ev.throw);
    else if ('return' in ev) res({ done: true, value: ev.return });
    else res({ done: false, value: ev.item });
  };
  const it = {
    next() {
      return new Promise((res, rej) => {
        if (ready.length > 0) settle(ready.shift(), res, rej);
        else waiting.push([res, rej]);
      });
    },
  };
  const advance = () => {
    if (released >= events.length) throw new Error('oracle: schedule advances a source past its last event');
    const ev = events[released++];
    if (waiting.length > 0) {
      const [res, rej] = waiting.shift();
      settle(ev, res, rej);
    } else ready.push(ev);
  };
  return { it, advance };
}

class Builder {
  constructor(F, { tempSet, scheduled }) {
    this.F = F;
    this.lib = F.lib;
    this.tempSet = tempSet;
    this.scheduled = scheduled ?? new Set();
    this.nodes = new Map();
    this.controls = new Map(); // name -> {events: n, advance()}
  }

  read(n) {
    if (n === null || typeof n === 'boolean' || typeof n === 'string') return n;
    if (typeof n === 'number') {
      if (!Number.isFinite(n)) throw new TypeError('notation: non-finite literal number');
      return n;
    }
    const [k, x] = one(n);
    if (k === 'node') {
      if (!Array.isArray(x) || x.length !== 2 || typeof x[0] !== 'string') {
        throw new TypeError('notation: node must be [name, value]');
      }
      if (this.nodes.has(x[0])) throw new TypeError('notation: node ' + x[0] + ' defined twice');
      return this.build(x[1], x[0]);
    }
    if (k === 'ref') {
      if (!this.nodes.has(x)) throw new TypeError('notation: ref to unknown or unfinished node ' + x);
      return this.nodes.get(x);
    }
    return this.build(n, null);
  }

  control(name, count, advance) {
    this.controls.set(name, { count, advance });
  }

  build(n, name) {
    const reg = (v) => {
      if (name !== null) this.nodes.set(name, v);
      return v;
    };
    if (n === null || typeof n !== 'object') return reg(this.read(n));
    const controlled = name !== null && this.scheduled.has(name);
    const [k, x] = one(n);
    const lib = this.lib;
    switch (k) {
      case 'node':
      case 'ref':
        throw new TypeError('notation: node/ref directly inside node');
      case 'undefined':
        return reg(undefined);
      case 'number':
        switch (x) {
          case 'NaN':
            return reg(NaN);
          case 'Infinity':
            return reg(Infinity);
          case '-Infinity':
            return reg(-Infinity);
          case '-0':
            return reg(-0);
        }
        throw new TypeError('notation: bad number ' + JSON.stringify(x));
      case 'bigint':
        return reg(BigInt(x));
      case 'symbol':
        return reg(Symbol.for(x));
      case 'unregisteredSymbol':
        return reg(Symbol(x));
      case 'date':
        return reg(x === null ? new Date(NaN) : new Date(x));
      case 'array': {
        const a = reg([]);
        for (const item of x) a.push(this.read(item));
        return a;
      }
      case 'object': {
        const o = reg({});
        for (const [key, v] of x) {
          Object.defineProperty(o, key, { value: this.read(v), enumerable: true, writable: true, configurable: true });
        }
        return o;
      }
      case 'map': {
        const m = reg(new Map());
        for (const [kk, vv] of x) {
          const key = this.read(kk);
          m.set(key, this.read(vv));
        }
        return m;
      }
      case 'set': {
        const s = reg(new Set());
        for (const item of x) s.add(this.read(item));
        return s;
      }
      case 'arrayBuffer':
        return reg(base64ToBytes(x).buffer);
      case 'typedArray': {
        const Ctor = TYPED_ARRAY_KINDS[x.kind];
        if (!Ctor) throw new TypeError('notation: unknown typed array kind ' + x.kind);
        return reg(new Ctor(base64ToBytes(x.base64).buffer));
      }
      case 'blob':
        return reg(new Blob([base64ToBytes(x.base64)], { type: x.type }));
      case 'file':
        return reg(new File([base64ToBytes(x.base64)], x.name, { type: x.type }));
      case 'formData': {
        const fd = reg(new FormData());
        for (const [key, v] of x) {
          if (typeof v === 'string') fd.append(key, v);
          else fd.append(key, this.read(v));
        }
        return fd;
      }
      case 'serverReference': {
        let fn = lib.serverFunction(x.id);
        if (x.bound !== null) {
          const bound = x.bound.map((b) => this.read(b));
          fn = fn.bind(null, ...bound);
        }
        return reg(fn);
      }
      case 'clientReference':
        if (typeof x.id !== 'string' || typeof x.name !== 'string') {
          throw new TypeError('notation: clientReference needs string id and name');
        }
        return reg(lib.clientReference(x.id, x.name));
      case 'component': {
        const c = lib.components[x];
        if (!c) throw new TypeError('notation: unknown component ' + JSON.stringify(x));
        return reg(c);
      }
      case 'temporaryReference': {
        if (typeof x !== 'string') throw new TypeError('notation: temporaryReference needs a string id');
        // like React's server createTemporaryReference (minus the Proxy): an opaque
        // function tagged react.temporary.reference, registered in the request's set
        const ref = function () {
          throw new Error('Attempted to call a temporary Client Reference from the server');
        };
        Object.defineProperty(ref, '$$typeof', { value: Symbol.for('react.temporary.reference') });
        if (this.tempSet) this.tempSet.set(ref, x);
        return reg(ref);
      }
      case 'error': {
        const e = reg(lib.makeError(x.message));
        if (Object.prototype.hasOwnProperty.call(x, 'digest')) e.digest = x.digest;
        return e;
      }
      case 'instance': {
        if (x === null) {
          return reg(Object.create(null));
        }
        return reg(new (namedClass(x))());
      }
      case 'function':
        return reg({ [x]: function () {} }[x]);
      case 'element': {
        const type = this.read(x.type);
        const props = this.read(x.props);
        const config = { ...props };
        if (x.key !== null) config.key = x.key;
        return reg(lib.createElement(type, config));
      }
      case 'promise': {
        if (x === 'pending') {
          if (controlled) throw new TypeError('notation: a pending promise cannot be scheduled');
          return reg(new Promise(() => {}));
        }
        let resolve, reject;
        const p = reg(
          new Promise((res, rej) => {
            resolve = res;
            reject = rej;
          })
        );
        p.catch(() => {});
        const [pk, pv] = one(x);
        if (pk !== 'fulfilled' && pk !== 'rejected') throw new TypeError('notation: bad promise ' + pk);
        const v = this.read(pv);
        const settle = () => (pk === 'fulfilled' ? resolve(v) : reject(v));
        if (controlled) this.control(name, 1, settle);
        else settle();
        return p;
      }
      case 'iterator': {
        const items = [];
        const it = reg(
          (function* () {
            yield* items;
          })()
        );
        for (const item of x) items.push(this.read(item));
        return it;
      }
      case 'readableStream':
      case 'byteStream':
      case 'errored': {
        const kind = k === 'errored' ? x.kind : k;
        const items = [];
        let error;
        let hasError = false;
        if (kind === 'asyncIterable' || kind === 'asyncIterator') return this.buildAsync(k, x, name, controlled, reg);
        if (kind !== 'readableStream' && kind !== 'byteStream') {
          throw new TypeError('notation: errored ' + kind + ' cannot be built');
        }
        const bytes = kind === 'byteStream';
        let s;
        if (controlled) {
          let ctrl;
          s = reg(
            new ReadableStream(
              bytes
                ? { type: 'bytes', start: (c) => void (ctrl = c) }
                : { start: (c) => void (ctrl = c) }
            )
          );
          let i = 0;
          const count = () => items.length + 1;
          this.control(name, null, () => {
            if (i < items.length) ctrl.enqueue(items[i++]);
            else if (i === items.length) {
              i++;
              if (hasError) ctrl.error(error);
              else {
                ctrl.close();
                if (bytes && ctrl.byobRequest) ctrl.byobRequest.respond(0);
              }
            } else throw new Error('oracle: schedule advances a source past its last event');
          });
          this.controls.get(name).count = count;
        } else {
          let i = 0;
          s = reg(
            new ReadableStream(
              bytes
                ? {
                    type: 'bytes',
                    pull(c) {
                      if (i < items.length) c.enqueue(items[i++]);
                      else if (hasError) c.error(error);
                      else {
                        c.close();
                        if (c.byobRequest) c.byobRequest.respond(0);
                      }
                    },
                  }
                : {
                    pull(c) {
                      if (i < items.length) c.enqueue(items[i++]);
                      else if (hasError) c.error(error);
                      else c.close();
                    },
                  }
            )
          );
        }
        const list = k === 'errored' ? x.items : x;
        for (const item of list) items.push(bytes && typeof item === 'string' ? base64ToBytes(item) : this.read(item));
        if (k === 'errored') {
          hasError = true;
          error = this.read(x.error);
        }
        return s;
      }
      case 'asyncIterable':
      case 'asyncIterator':
        return this.buildAsync(k, x, name, controlled, reg);
      case 'lazy': {
        // input: a React.lazy-shaped object that is already settled:
        // {"lazy":{"fulfilled":v}} (init returns v) or {"lazy":{"rejected":v}} (init throws v)
        const [lk, lv] = one(x);
        if (lk !== 'fulfilled' && lk !== 'rejected') throw new TypeError('notation: bad lazy ' + lk);
        const v = { $$typeof: Symbol.for('react.lazy'), _payload: null, _init: null };
        reg(v);
        v._payload = this.read(lv);
        v._init =
          lk === 'fulfilled'
            ? (p) => p
            : (p) => {
                throw p;
              };
        return v;
      }
    }
    throw new TypeError('notation: unknown kind ' + JSON.stringify(k));
  }

  buildAsync(k, x, name, controlled, reg) {
    const kind = k === 'errored' ? x.kind : k;
    const items = [];
    let ret;
    let error;
    const isErrored = k === 'errored';
    let v;
    if (controlled) {
      const events = [];
      const { it, advance } = controlledAsyncIterator(events);
      if (kind === 'asyncIterator') {
        it[Symbol.asyncIterator] = function () {
          return this;
        };
        v = reg(it);
      } else {
        v = reg({ [Symbol.asyncIterator]: () => it });
      }
      this.control(name, () => events.length, advance);
      for (const item of x.items) events.push({ item: this.read(item) });
      if (isErrored) events.push({ throw: this.read(x.error) });
      else events.push({ return: this.read(x.return) });
      return v;
    }
    const gen = async function* () {
      for (const item of items) yield item;
      if (isErrored) throw error;
      return ret;
    };
    v = reg(kind === 'asyncIterable' ? { [Symbol.asyncIterator]: gen } : gen());
    for (const item of x.items) items.push(this.read(item));
    if (isErrored) error = this.read(x.error);
    else ret = this.read(x.return);
    return v;
  }
}

// ---------------------------------------------------------------------------
// Dev stream normalisation.
//
// Exactly two things are rewritten, and only in whole rows found by parsing the row
// grammar (so never inside T/binary payloads):
//   ":N<number>\n"              -> ":N0\n"              (the time origin row)
//   "<id>:D{"time":<number>}\n" -> "<id>:D{"time":0}\n" (timing rows)
// Network chunk boundaries are kept (a boundary inside a rewritten number moves to the
// end of the replacement).

const BINARY_TAGS = new Set('TAOoUSsLlGgMmVb'.split('').map((c) => c.charCodeAt(0)));

export function splitRows(bytes) {
  // -> [{start, end, id, tag, payloadStart, payloadEnd}] ; an unfinished row at the end has end = -1
  const rows = [];
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const start = i;
    while (i < n && bytes[i] !== 0x3a) i++;
    if (i >= n) {
      rows.push({ start, end: -1 });
      break;
    }
    const id = Buffer.from(bytes.subarray(start, i)).toString('latin1');
    i++;
    const tag = i < n ? bytes[i] : -1;
    if (BINARY_TAGS.has(tag)) {
      let j = i + 1;
      while (j < n && bytes[j] !== 0x2c) j++;
      const len = parseInt(Buffer.from(bytes.subarray(i + 1, j)).toString('latin1'), 16);
      const ps = j + 1;
      const pe = ps + len;
      if (j >= n || !(len >= 0) || pe > n) {
        rows.push({ start, end: -1 });
        break;
      }
      rows.push({ start, end: pe, id, tag: String.fromCharCode(tag), payloadStart: ps, payloadEnd: pe });
      i = pe;
    } else {
      let j = i;
      while (j < n && bytes[j] !== 0x0a) j++;
      if (j >= n) {
        rows.push({ start, end: -1 });
        break;
      }
      const isTag = (tag >= 0x41 && tag <= 0x5a) || tag === 0x23 || tag === 0x72 || tag === 0x78;
      rows.push({
        start,
        end: j + 1,
        id,
        tag: isTag ? String.fromCharCode(tag) : '',
        payloadStart: isTag ? i + 1 : i,
        payloadEnd: j,
      });
      i = j + 1;
    }
  }
  return rows;
}

export function normaliseDevChunks(chunks) {
  const all = Buffer.concat(chunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength)));
  const edits = []; // [payloadStart, payloadEnd, replacement]
  for (const r of splitRows(all)) {
    if (r.end === -1) break;
    const payload = all.subarray(r.payloadStart, r.payloadEnd).toString('latin1');
    if (r.tag === 'N' && r.id === '' && /^-?[0-9.e+-]+$/.test(payload)) {
      edits.push([r.payloadStart, r.payloadEnd, '0']);
    } else if (r.tag === 'D') {
      const m = /^\{"time":(-?[0-9.e+-]+)\}$/.exec(payload);
      if (m) edits.push([r.payloadStart + 8, r.payloadEnd - 1, '0']);
    }
  }
  if (edits.length === 0) return chunks.map((c) => new Uint8Array(c));
  // boundaries in old coordinates
  const bounds = [];
  let at = 0;
  for (const c of chunks) bounds.push((at += c.byteLength));
  const parts = [];
  let prev = 0;
  const mapPos = (p) => {
    // old position -> new position
    let delta = 0;
    for (const [s, e, rep] of edits) {
      if (p <= s) break;
      if (p < e) return s + delta + Math.min(p - s, rep.length);
      delta += rep.length - (e - s);
    }
    return p + delta;
  };
  for (const [s, e, rep] of edits) {
    parts.push(all.subarray(prev, s), Buffer.from(rep, 'latin1'));
    prev = e;
  }
  parts.push(all.subarray(prev));
  const out = Buffer.concat(parts);
  const res = [];
  let from = 0;
  for (const b of bounds) {
    const to = mapPos(b);
    if (to < from) throw new Error('oracle: normalisation reordered chunk boundaries');
    res.push(new Uint8Array(out.subarray(from, to)));
    from = to;
  }
  if (from !== out.length) throw new Error('oracle: normalisation lost bytes');
  for (const c of res) if (c.byteLength === 0) throw new Error('oracle: normalisation produced an empty chunk');
  return res;
}

// ---------------------------------------------------------------------------
// render

const sleep0 = () => new Promise((r) => setTimeout(r, 0));
async function quiet() {
  for (let i = 0; i < QUIET_TURNS; i++) await sleep0();
}

function filterStackFrame(url) {
  return url === COMPONENTS_URL;
}

// -> {chunks: [Uint8Array], closed: bool, error?: {name, message}}
export async function render(notation, { dev = false, schedule = [], temporaryReferences = false, normalise = true } = {}) {
  const F = flavour(dev);
  const names = scheduleNames(schedule);
  const tempSet = temporaryReferences ? F.Server.createTemporaryReferenceSet() : undefined;
  const b = new Builder(F, { tempSet, scheduled: names });
  const value = b.read(notation);
  const uses = new Map();
  for (const step of schedule ?? []) {
    for (const a of step) if (typeof a === 'string') uses.set(a, (uses.get(a) || 0) + 1);
  }
  for (const [n, c] of uses) {
    const ctl = b.controls.get(n);
    if (!ctl) throw new TypeError('schedule names ' + n + ', which is not a schedulable node (promise, stream, async iterable)');
    const max = typeof ctl.count === 'function' ? ctl.count() : ctl.count;
    if (c > max) throw new TypeError('schedule advances ' + n + ' ' + c + ' times but it has only ' + max + ' events');
  }
  const ac = new AbortController();
  const options = { onError: digestOf, signal: ac.signal };
  if (tempSet) options.temporaryReferences = tempSet;
  if (dev) options.filterStackFrame = filterStackFrame;

  const restoreClock = dev ? installFakeClock() : () => {};
  try {
    return await renderWith(F, b, value, schedule, options, ac, dev && normalise);
  } finally {
    restoreClock();
  }
}

// Dev renders run under a deterministic clock: performance.timeOrigin reads 0 and
// performance.now() returns 1, 2, 3, … (one more per call).  The dev server reads the
// clock for the ":N" time origin and the D {"time":…} rows; with the real clock their
// lengths vary, and since React cuts network chunks every 4096 bytes, so would the chunk
// boundaries.  (The numbers themselves are then replaced by 0, see normaliseDevChunks.)
function installFakeClock() {
  const perf = globalThis.performance;
  let tick = 0;
  Object.defineProperty(perf, 'now', { value: () => ++tick, configurable: true, writable: true });
  Object.defineProperty(perf, 'timeOrigin', { value: 0, configurable: true, writable: true });
  return () => {
    delete perf.now;
    delete perf.timeOrigin;
  };
}

async function renderWith(F, b, value, schedule, options, ac, normalise) {
  const stream = F.Server.renderToReadableStream(value, clientManifest, options);
  const reader = stream.getReader();
  const chunks = [];
  let closed = false;
  let error = null;
  const reading = (async () => {
    try {
      for (;;) {
        const r = await reader.read();
        if (r.done) {
          closed = true;
          return;
        }
        chunks.push(new Uint8Array(r.value)); // copy
      }
    } catch (e) {
      error = e;
    }
  })();
  await quiet();
  for (const step of schedule ?? []) {
    for (const a of step) {
      if (typeof a === 'string') b.controls.get(a).advance();
      else ac.abort(b.read(a.abort));
    }
    await quiet();
  }
  let timer;
  await Promise.race([reading, new Promise((r) => (timer = setTimeout(r, IDLE_MS)))]);
  clearTimeout(timer);
  if (!closed && error === null) reader.cancel(new Error('oracle: recording stopped')).catch(() => {});
  const out = { chunks: normalise ? normaliseDevChunks(chunks) : chunks, closed };
  if (error !== null) out.error = { name: errorName(error), message: errorMessage(error) };
  return out;
}

// ---------------------------------------------------------------------------
// decode

export function errorMessage(e) {
  if (e !== null && typeof e === 'object' && 'message' in e) return String(e.message);
  return String(e);
}

export function errorName(e) {
  if (e !== null && typeof e === 'object' && typeof e.name === 'string') return e.name;
  return typeof e;
}

const LAZY_TYPE = Symbol.for('react.lazy');

function isThenable(v) {
  return v !== null && (typeof v === 'object' || typeof v === 'function') && typeof v.then === 'function';
}

// one then() call, no adoption of a thenable result
function settleOnce(thenable, ms) {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve({ status: 'timeout' }), ms);
    try {
      thenable.then(
        (value) => {
          clearTimeout(t);
          resolve({ status: 'fulfilled', value });
        },
        (reason) => {
          clearTimeout(t);
          resolve({ status: 'rejected', reason });
        }
      );
    } catch (reason) {
      clearTimeout(t);
      resolve({ status: 'rejected', reason });
    }
  });
}

// React's client thenables (chunks, with an own string `status`) are not settled with
// then(): the development build's then() resolves a native wrapper promise with the
// chunk's value, so a chunk fulfilled with itself ("0:\"$@0\"") makes V8 adopt it
// forever (microtask spin until the heap is exhausted).  Instead, as React's own use()
// does, read status/value/reason; a chunk in "resolved_model"/"resolved_module" state is
// initialised with the client's own readChunk (taken from a lazy it produced); other
// unsettled states are polled every macrotask until the timeout.
const readChunks = new Map(); // flavour -> the client's readChunk
let currentReadChunk = null;

async function settleReactThenable(chunk, ms) {
  const deadline = Date.now() + ms;
  for (;;) {
    const status = chunk.status;
    if (status === 'fulfilled') return { status: 'fulfilled', value: chunk.value };
    if (status === 'rejected') return { status: 'rejected', reason: chunk.reason };
    if ((status === 'resolved_model' || status === 'resolved_module') && currentReadChunk) {
      try {
        currentReadChunk(chunk);
      } catch {}
      if (chunk.status !== status) continue;
    }
    if (Date.now() >= deadline) return { status: 'timeout' };
    await new Promise((r) => setTimeout(r, 1));
  }
}

function settleStep(thenable, ms) {
  if (typeof thenable.status === 'string' && Object.prototype.hasOwnProperty.call(thenable, 'status')) {
    return settleReactThenable(thenable, ms);
  }
  return settleOnce(thenable, ms);
}

// Like `await` (a thenable fulfilled with a thenable is followed), but a cycle in that
// chain (which would spin the microtask queue forever) reports {status: 'timeout'}.
export async function safeAwait(thenable, ms) {
  const seen = new Set();
  let cur = thenable;
  for (;;) {
    if (seen.has(cur) || seen.size >= 1000) return { status: 'timeout', cycle: true };
    seen.add(cur);
    const r = await settleStep(cur, ms);
    if (r.status === 'fulfilled' && isThenable(r.value)) {
      cur = r.value;
      continue;
    }
    return r;
  }
}

// Client-side server references: the client builds them itself (no serverModuleMap) and
// keeps {id, bound} private; its $$FORM_ACTION hands them to our encodeFormAction option.
let capturedAction = null;
function encodeFormAction(id, boundPromise) {
  capturedAction = { id, boundPromise };
  return { name: 'oracle', method: 'POST', encType: 'multipart/form-data', data: null };
}
function describeClientServerReference(fn) {
  if (typeof fn.$$FORM_ACTION !== 'function') return null;
  capturedAction = null;
  try {
    fn.$$FORM_ACTION('');
  } catch {
    return null;
  }
  const c = capturedAction;
  capturedAction = null;
  if (c === null) return null;
  // React passes Promise.resolve([]) when the reference has bound === null
  const p = c.boundPromise;
  const unbound = p instanceof Promise && !Object.prototype.hasOwnProperty.call(p, 'status');
  return { id: c.id, boundSource: unbound ? null : p };
}

function makeClientTempSet() {
  // every "$<id>" resolves to a tagged object, created once per id and per decode
  const byKey = new Map();
  return {
    get(key) {
      let v = byKey.get(key);
      if (v === undefined) {
        v = {};
        Object.defineProperty(v, TEMP_MARK, { value: String(key).slice(1) });
        byKey.set(key, v);
      }
      return v;
    },
    has() {
      return true;
    },
    set() {},
  };
}

class ResponseSession extends NotationSession {
  computeKind(v) {
    if (v !== null && (typeof v === 'object' || typeof v === 'function')) {
      if (Object.prototype.hasOwnProperty.call(v, CLIENT_MARK)) {
        this.info.set(v, { ...v[CLIENT_MARK] });
        return 'clientReference';
      }
      if (typeof v === 'object' && v[MODULE_MARK] !== undefined) {
        this.info.set(v, { id: v[MODULE_MARK], name: '*' });
        return 'clientReference';
      }
      if (Object.prototype.hasOwnProperty.call(v, TEMP_MARK)) {
        this.info.set(v, v[TEMP_MARK]);
        return 'temporaryReference';
      }
      if (typeof v === 'object' && v.$$typeof === LAZY_TYPE) return 'lazy';
      if (typeof v === 'function') {
        const d = describeClientServerReference(v);
        if (d) {
          this.info.set(v, d);
          return 'serverReference';
        }
      }
    }
    return super.computeKind(v);
  }

  children(v) {
    const kind = this.classify(v);
    const info = this.info.get(v);
    switch (kind) {
      case 'lazy':
        if (info.status === 'fulfilled') return [info.value];
        if (info.status === 'rejected') return [info.reason];
        return [];
      case 'clientReference':
      case 'temporaryReference':
        return [];
      case 'serverReference':
        if (info.bound !== undefined) return info.bound === null ? [] : [...info.bound];
        if (info.boundResult.status === 'fulfilled') return [info.boundResult.value];
        if (info.boundResult.status === 'rejected') return [info.boundResult.reason];
        return [];
    }
    return super.children(v);
  }

  async settleOne(v, kind) {
    const ms = this.timeoutMs;
    switch (kind) {
      case 'promise': {
        const r = await safeAwait(v, ms);
        this.info.set(v, r);
        return;
      }
      case 'lazy': {
        let result;
        for (let i = 0; ; i++) {
          try {
            result = { status: 'fulfilled', value: v._init(v._payload) };
          } catch (x) {
            if (isThenable(x) && i < 100) {
              const r = await settleStep(x, ms);
              if (r.status === 'timeout') {
                result = { status: 'timeout' };
                break;
              }
              continue;
            }
            result = { status: 'rejected', reason: x };
          }
          break;
        }
        this.info.set(v, result);
        return;
      }
      case 'serverReference': {
        const info = this.info.get(v);
        if (info.boundSource === null) info.bound = null;
        else if (!isThenable(info.boundSource)) {
          // malformed streams only (an inline bound array): React uses Promise.resolve(bound)
          if (Array.isArray(info.boundSource)) info.bound = info.boundSource;
          else info.boundResult = { status: 'fulfilled', value: info.boundSource };
        } else {
          const r = await safeAwait(info.boundSource, ms);
          if (r.status === 'fulfilled' && Array.isArray(r.value)) info.bound = r.value;
          else info.boundResult = r; // malformed streams only
        }
        return;
      }
    }
    return super.settleOne(v, kind);
  }

  build(v, w) {
    const kind = this.classify(v);
    const info = this.info.get(v);
    switch (kind) {
      case 'lazy':
        if (info.status === 'fulfilled') return { lazy: { fulfilled: w(info.value) } };
        if (info.status === 'rejected') return { lazy: { rejected: w(info.reason) } };
        return { lazy: 'pending' };
      case 'clientReference':
        return { clientReference: { id: info.id, name: info.name } };
      case 'temporaryReference':
        return { temporaryReference: info };
      case 'serverReference': {
        let bound;
        if (info.bound !== undefined) bound = info.bound === null ? null : info.bound.map(w);
        else if (info.boundResult.status === 'fulfilled') bound = { promise: { fulfilled: w(info.boundResult.value) } };
        else if (info.boundResult.status === 'rejected') bound = { promise: { rejected: w(info.boundResult.reason) } };
        else bound = { promise: 'pending' };
        return { serverReference: { id: info.id, bound } };
      }
      case 'element': {
        // as the base writer, but a key that is not a string or null (malformed streams)
        // is written as notation
        const key = typeof v.key === 'string' || v.key === null ? v.key : w(v.key);
        return { element: { type: w(v.type), key, props: w(v.props) } };
      }
    }
    return super.build(v, w);
  }
}

export async function responseNotation(value, timeoutMs = TIMEOUT_MS) {
  const s = new ResponseSession({ timeoutMs });
  await s.settle(value);
  return s.write(value);
}

function toBytes(c) {
  if (typeof c === 'string') return base64ToBytes(c);
  return new Uint8Array(c);
}

function streamOf(list, close) {
  let i = 0;
  return new ReadableStream({
    pull(c) {
      if (i < list.length) c.enqueue(list[i++]);
      else if (close) c.close();
    },
  });
}

async function readChunkOf(F) {
  let rc = readChunks.get(F);
  if (rc === undefined) {
    const enc = new TextEncoder();
    const root = F.Client.createFromReadableStream(streamOf([enc.encode('0:"$L1"\n1:null\n')], true), {
      serverConsumerManifest,
    });
    const r = await settleOnce(root, 1000);
    if (r.status !== 'fulfilled' || !r.value || r.value.$$typeof !== LAZY_TYPE) {
      throw new Error('oracle: could not obtain the client readChunk');
    }
    rc = r.value._init;
    readChunks.set(F, rc);
  }
  return rc;
}

// -> {ok: true, value: <notation>} | {ok: false, error, errorName}
export async function decode(chunks, { dev = false, temporaryReferences = false, close = true } = {}) {
  const F = flavour(dev);
  currentReadChunk = await readChunkOf(F);
  const stream = streamOf(chunks.map(toBytes), close);
  const options = { serverConsumerManifest, encodeFormAction };
  if (temporaryReferences) options.temporaryReferences = makeClientTempSet();
  let root;
  try {
    const thenable = F.Client.createFromReadableStream(stream, options);
    const r = await safeAwait(thenable, TIMEOUT_MS);
    if (r.status === 'timeout') return { ok: true, value: { promise: 'pending' } };
    if (r.status === 'rejected') throw r.reason;
    root = r.value;
  } catch (e) {
    return { ok: false, error: errorMessage(e), errorName: errorName(e) };
  }
  return { ok: true, value: await responseNotation(root) };
}

export function chunksToBase64(chunks) {
  return chunks.map((c) => bytesToBase64(c));
}
