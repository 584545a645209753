// Value notation <-> JS values.  See oracle/README.md for the full description.
//
//   fromNotation(notation, env)        -> JS value (sync)
//   toNotation(value, options)          -> Promise<notation>
//
// toNotation first runs a "settle" pass (depth-first pre-order, children in notation
// order) that awaits every promise, drains every stream / iterator / async iterable
// (each step with a timeout), reads every Blob and describes every function.  Then a
// counting pass and a writing pass produce the notation with node/ref identity.

const ELEMENT_TYPE = Symbol.for('react.transitional.element');
const TEMP_REF_TAG = Symbol.for('react.temporary.reference');

export const TYPED_ARRAY_KINDS = {
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
  DataView,
};

export function bytesToBase64(bytes) {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

export function base64ToBytes(b64) {
  if (typeof b64 !== 'string') throw new TypeError('base64 must be a string');
  const buf = Buffer.from(b64, 'base64');
  // copy into a fresh, exactly sized ArrayBuffer
  const out = new Uint8Array(buf.length);
  out.set(buf);
  return out;
}

function one(n) {
  if (n === null || typeof n !== 'object' || Array.isArray(n)) {
    throw new TypeError('notation: expected a one-key object, got ' + JSON.stringify(n));
  }
  const keys = Object.keys(n);
  if (keys.length !== 1) {
    throw new TypeError('notation: expected exactly one key, got ' + JSON.stringify(keys));
  }
  return [keys[0], n[keys[0]]];
}

function namedClass(name) {
  const C = { [name]: class {
    constructor() {
      this.x = 1;
    }
  } }[name];
  return C;
}

// ---------------------------------------------------------------------------
// notation -> JS
//
// env: {
//   createServerReference(id) -> function   (the client's createServerReference)
//   createElement(type, props) -> element   (React.createElement)
//   onServerReference?(fn, id, bound)       (called for every server reference built)
// }
export function fromNotation(notation, env = {}) {
  const nodes = new Map();

  function read(n) {
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
      if (nodes.has(x[0])) throw new TypeError('notation: node ' + x[0] + ' defined twice');
      return build(x[1], x[0]);
    }
    if (k === 'ref') {
      if (!nodes.has(x)) throw new TypeError('notation: ref to unknown or unfinished node ' + x);
      return nodes.get(x);
    }
    return build(n, null);
  }

  function build(n, name) {
    const reg = (v) => {
      if (name !== null) nodes.set(name, v);
      return v;
    };
    if (n === null || typeof n !== 'object') return reg(read(n));
    const [k, x] = one(n);
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
        for (const item of x) a.push(read(item));
        return a;
      }
      case 'object': {
        const o = reg({});
        for (const [key, v] of x) {
          Object.defineProperty(o, key, {
            value: read(v),
            enumerable: true,
            writable: true,
            configurable: true,
          });
        }
        return o;
      }
      case 'map': {
        const m = reg(new Map());
        for (const [kk, vv] of x) {
          const key = read(kk);
          m.set(key, read(vv));
        }
        return m;
      }
      case 'set': {
        const s = reg(new Set());
        for (const item of x) s.add(read(item));
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
          else fd.append(key, read(v));
        }
        return fd;
      }
      case 'serverReference': {
        if (!env.createServerReference) throw new TypeError('notation: no createServerReference');
        const bound = x.bound === null ? null : x.bound.map(read);
        let fn = env.createServerReference(x.id);
        if (bound !== null) fn = fn.bind(null, ...bound);
        if (env.onServerReference) env.onServerReference(fn, x.id, bound);
        return reg(fn);
      }
      case 'errored': {
        // extension: a stream / async iterable that yields items, then fails
        const items = [];
        let error;
        let i = 0;
        let v;
        if (x.kind === 'readableStream') {
          v = reg(
            new ReadableStream({
              pull(c) {
                if (i < items.length) c.enqueue(items[i++]);
                else c.error(error);
              },
            })
          );
        } else if (x.kind === 'asyncIterable' || x.kind === 'asyncIterator') {
          const gen = async function* () {
            for (const item of items) yield item;
            throw error;
          };
          v = reg(x.kind === 'asyncIterable' ? { [Symbol.asyncIterator]: gen } : gen());
        } else throw new TypeError('notation: errored ' + x.kind + ' cannot be built');
        for (const item of x.items) items.push(read(item));
        error = read(x.error);
        return v;
      }
      case 'temporaryReference':
        throw new TypeError('notation: a temporaryReference cannot be built as an input');
      case 'promise': {
        if (x === 'pending') return reg(new Promise(() => {}));
        let resolve, reject;
        const p = reg(
          new Promise((res, rej) => {
            resolve = res;
            reject = rej;
          })
        );
        p.catch(() => {}); // handled: React attaches its own listeners
        const [pk, pv] = one(x);
        if (pk === 'fulfilled') resolve(read(pv));
        else if (pk === 'rejected') reject(read(pv));
        else throw new TypeError('notation: bad promise ' + pk);
        return p;
      }
      case 'iterator': {
        const items = [];
        const it = reg(
          (function* () {
            yield* items;
          })()
        );
        for (const item of x) items.push(read(item));
        return it;
      }
      case 'readableStream': {
        const items = [];
        let i = 0;
        const s = reg(
          new ReadableStream({
            pull(c) {
              if (i < items.length) c.enqueue(items[i++]);
              else c.close();
            },
          })
        );
        for (const item of x) items.push(read(item));
        return s;
      }
      case 'byteStream': {
        const chunks = x.map(base64ToBytes);
        let i = 0;
        return reg(
          new ReadableStream({
            type: 'bytes',
            pull(c) {
              if (i < chunks.length) c.enqueue(chunks[i++]);
              else {
                c.close();
                if (c.byobRequest) c.byobRequest.respond(0);
              }
            },
          })
        );
      }
      case 'asyncIterable':
      case 'asyncIterator': {
        const items = [];
        let ret;
        const gen = async function* () {
          for (const item of items) yield item;
          return ret;
        };
        const v = reg(k === 'asyncIterable' ? { [Symbol.asyncIterator]: gen } : gen());
        for (const item of x.items) items.push(read(item));
        ret = read(x.return);
        return v;
      }
      case 'error': {
        const e = reg(new Error(x.message));
        if (Object.prototype.hasOwnProperty.call(x, 'digest')) e.digest = x.digest;
        return e;
      }
      case 'instance': {
        if (x === null) {
          const o = Object.create(null);
          o.x = 1;
          return reg(o);
        }
        return reg(new (namedClass(x))());
      }
      case 'function':
        return reg({ [x]: function () {} }[x]);
      case 'element': {
        if (!env.createElement) throw new TypeError('notation: no createElement');
        const props = read(x.props);
        const config = { ...props };
        if (x.key !== null) config.key = x.key;
        return reg(env.createElement(read(x.type), config));
      }
    }
    throw new TypeError('notation: unknown kind ' + JSON.stringify(k));
  }

  return read(notation);
}

// ---------------------------------------------------------------------------
// JS -> notation
//
// options: {
//   timeoutMs (default 200): per await
//   temporaryReferences: the server's TemporaryReferenceSet (WeakMap) or undefined
//   describeFunction(fn) -> {id, bound: array|null} | null
// }

function withTimeout(thenable, ms) {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve({ status: 'timeout' }), ms);
    try {
      // like `await`: a thenable fulfilled with another thenable is followed (flattened)
      new Promise((res, rej) => thenable.then(res, rej)).then(
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

function isIdentity(v) {
  return (typeof v === 'object' && v !== null && !(v instanceof Date)) || typeof v === 'function';
}

function scalarNotation(v) {
  switch (typeof v) {
    case 'undefined':
      return { undefined: null };
    case 'boolean':
    case 'string':
      return v;
    case 'number':
      if (Number.isNaN(v)) return { number: 'NaN' };
      if (v === Infinity) return { number: 'Infinity' };
      if (v === -Infinity) return { number: '-Infinity' };
      if (Object.is(v, -0)) return { number: '-0' };
      return v;
    case 'bigint':
      return { bigint: v.toString(10) };
    case 'symbol': {
      const key = Symbol.keyFor(v);
      return key !== undefined ? { symbol: key } : { unregisteredSymbol: v.description ?? '' };
    }
    case 'object':
      if (v === null) return null;
      if (v instanceof Date) {
        return { date: Number.isNaN(v.getTime()) ? null : v.toISOString() };
      }
  }
  throw new TypeError('not a scalar: ' + typeof v);
}

class Session {
  constructor(options) {
    this.timeoutMs = options.timeoutMs ?? 200;
    this.tempSet = options.temporaryReferences;
    this.describeFunction = options.describeFunction ?? (() => null);
    this.kinds = new Map(); // object -> kind string
    this.info = new Map(); // object -> extra data (settled results etc.)
  }

  classify(v) {
    let kind = this.kinds.get(v);
    if (kind !== undefined) return kind;
    kind = this.computeKind(v);
    this.kinds.set(v, kind);
    return kind;
  }

  computeKind(v) {
    if (typeof v === 'function') {
      if (this.tempSet && this.tempSet.has(v) && v.$$typeof === TEMP_REF_TAG) {
        this.info.set(v, this.tempSet.get(v));
        return 'temporaryReference';
      }
      const d = this.describeFunction(v);
      if (d) {
        this.info.set(v, d);
        return 'serverReference';
      }
      return 'function';
    }
    if (Array.isArray(v)) return 'array';
    if (typeof v.then === 'function') return 'promise';
    if (v instanceof Map) return 'map';
    if (v instanceof Set) return 'set';
    if (v instanceof ArrayBuffer) return 'arrayBuffer';
    if (ArrayBuffer.isView(v)) return 'typedArray';
    if (typeof File === 'function' && v instanceof File) return 'file';
    if (v instanceof Blob) return 'blob';
    if (v instanceof FormData) return 'formData';
    if (v instanceof ReadableStream) {
      let bytes = false;
      try {
        v.getReader({ mode: 'byob' }).releaseLock();
        bytes = true;
      } catch {}
      return bytes ? 'byteStream' : 'readableStream';
    }
    if (v instanceof Error) return 'error';
    if (v.$$typeof === ELEMENT_TYPE) return 'element';
    if (typeof v[Symbol.asyncIterator] === 'function') {
      const it = v[Symbol.asyncIterator]();
      this.info.set(v, { iterator: it });
      return it === v ? 'asyncIterator' : 'asyncIterable';
    }
    if (
      typeof v.next === 'function' &&
      typeof v[Symbol.iterator] === 'function' &&
      v[Symbol.iterator]() === v
    ) {
      return 'iterator';
    }
    const proto = Object.getPrototypeOf(v);
    if (proto === Object.prototype) return 'object';
    return 'instance';
  }

  // Children in notation order.  Only valid after settle() visited v.
  children(v) {
    const kind = this.classify(v);
    const info = this.info.get(v);
    switch (kind) {
      case 'array': {
        const out = new Array(v.length);
        for (let i = 0; i < v.length; i++) out[i] = v[i];
        return out;
      }
      case 'object':
        return Object.keys(v).map((k) => v[k]);
      case 'map': {
        const out = [];
        for (const [k, val] of v) out.push(k, val);
        return out;
      }
      case 'set':
        return [...v];
      case 'formData':
        return info.entries.filter(([, val]) => typeof val !== 'string').map(([, val]) => val);
      case 'serverReference':
        return info.bound === null ? [] : [...info.bound];
      case 'promise':
        if (info.status === 'fulfilled') return [info.value];
        if (info.status === 'rejected') return [info.reason];
        return [];
      case 'iterator':
      case 'readableStream':
        return [...info.items, ...(info.status === 'errored' ? [info.error] : [])];
      case 'asyncIterable':
      case 'asyncIterator':
        return [
          ...info.items,
          ...(info.status === 'done' ? [info.return] : []),
          ...(info.status === 'errored' ? [info.error] : []),
        ];
      case 'byteStream':
        return info.status === 'errored' ? [info.error] : [];
      case 'element':
        return [v.type, v.props];
      default:
        return [];
    }
  }

  async settle(root) {
    const seen = new Set();
    const visit = async (v) => {
      if (!isIdentity(v) || seen.has(v)) return;
      seen.add(v);
      const kind = this.classify(v);
      await this.settleOne(v, kind);
      for (const c of this.children(v)) await visit(c);
    };
    await visit(root);
  }

  async settleOne(v, kind) {
    const ms = this.timeoutMs;
    switch (kind) {
      case 'promise': {
        const r = await withTimeout(v, ms);
        this.info.set(v, r);
        return;
      }
      case 'formData': {
        const entries = [];
        v.forEach((val, key) => entries.push([key, val]));
        this.info.set(v, { entries });
        return;
      }
      case 'blob':
      case 'file': {
        const bytes = new Uint8Array(await v.arrayBuffer());
        this.info.set(v, { bytes });
        return;
      }
      case 'iterator': {
        const items = [];
        for (;;) {
          const r = v.next();
          if (r.done) break;
          items.push(r.value);
        }
        this.info.set(v, { items, status: 'done' });
        return;
      }
      case 'readableStream':
      case 'byteStream': {
        const reader = v.getReader();
        const items = [];
        let status = 'done';
        let error;
        for (;;) {
          const r = await withTimeout(reader.read(), ms);
          if (r.status === 'timeout') {
            status = 'unclosed';
            break;
          }
          if (r.status === 'rejected') {
            status = 'errored';
            error = r.reason;
            break;
          }
          if (r.value.done) break;
          items.push(r.value.value);
        }
        this.info.set(v, { items, status, error });
        return;
      }
      case 'asyncIterable':
      case 'asyncIterator': {
        const it = this.info.get(v).iterator;
        const items = [];
        let status;
        let ret;
        let error;
        for (;;) {
          let step;
          try {
            step = it.next();
          } catch (e) {
            status = 'errored';
            error = e;
            break;
          }
          const r = await withTimeout(step, ms);
          if (r.status === 'timeout') {
            status = 'unclosed';
            break;
          }
          if (r.status === 'rejected') {
            status = 'errored';
            error = r.reason;
            break;
          }
          if (r.value.done) {
            status = 'done';
            ret = r.value.value;
            break;
          }
          items.push(r.value.value);
        }
        this.info.set(v, { iterator: it, items, status, return: ret, error });
        return;
      }
    }
  }

  write(root) {
    const counts = new Map();
    const count = (v) => {
      if (!isIdentity(v)) return;
      const c = counts.get(v) || 0;
      counts.set(v, c + 1);
      if (c === 0) for (const ch of this.children(v)) count(ch);
    };
    count(root);

    const names = new Map();
    let next = 0;
    const w = (v) => {
      if (!isIdentity(v)) return scalarNotation(v);
      if (names.has(v)) return { ref: names.get(v) };
      let name = null;
      if (counts.get(v) > 1) {
        name = 'n' + ++next;
        names.set(v, name);
      }
      const body = this.build(v, w);
      return name === null ? body : { node: [name, body] };
    };
    return w(root);
  }

  build(v, w) {
    const kind = this.classify(v);
    const info = this.info.get(v);
    switch (kind) {
      case 'array': {
        const out = [];
        for (let i = 0; i < v.length; i++) out.push(w(v[i]));
        return { array: out };
      }
      case 'object':
        return { object: Object.keys(v).map((k) => [k, w(v[k])]) };
      case 'map': {
        const out = [];
        for (const [k, val] of v) {
          const kn = w(k);
          out.push([kn, w(val)]);
        }
        return { map: out };
      }
      case 'set':
        return { set: [...v].map(w) };
      case 'arrayBuffer':
        return { arrayBuffer: bytesToBase64(new Uint8Array(v)) };
      case 'typedArray':
        return {
          typedArray: {
            kind: v instanceof DataView ? 'DataView' : v[Symbol.toStringTag],
            base64: bytesToBase64(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)),
          },
        };
      case 'blob':
        return { blob: { type: v.type, base64: bytesToBase64(info.bytes) } };
      case 'file':
        return { file: { name: v.name, type: v.type, base64: bytesToBase64(info.bytes) } };
      case 'formData':
        return {
          formData: info.entries.map(([k, val]) => [k, typeof val === 'string' ? val : w(val)]),
        };
      case 'serverReference':
        return {
          serverReference: { id: info.id, bound: info.bound === null ? null : info.bound.map(w) },
        };
      case 'temporaryReference':
        return { temporaryReference: info };
      case 'function':
        return { function: v.name };
      case 'promise':
        if (info.status === 'fulfilled') return { promise: { fulfilled: w(info.value) } };
        if (info.status === 'rejected') return { promise: { rejected: w(info.reason) } };
        return { promise: 'pending' };
      case 'iterator':
        return { iterator: info.items.map(w) };
      case 'readableStream':
      case 'byteStream': {
        const items =
          kind === 'byteStream'
            ? info.items.map((c) => bytesToBase64(new Uint8Array(c.buffer, c.byteOffset, c.byteLength)))
            : info.items.map(w);
        if (info.status === 'done') return { [kind]: items };
        if (info.status === 'unclosed') return { unclosed: { kind, items } };
        return { errored: { kind, items, error: w(info.error) } };
      }
      case 'asyncIterable':
      case 'asyncIterator': {
        const items = info.items.map(w);
        if (info.status === 'done') return { [kind]: { items, return: w(info.return) } };
        if (info.status === 'unclosed') return { unclosed: { kind, items } };
        return { errored: { kind, items, error: w(info.error) } };
      }
      case 'error': {
        const e = { message: String(v.message) };
        if ('digest' in v) e.digest = v.digest;
        return { error: e };
      }
      case 'element':
        return {
          element: { type: w(v.type), key: v.key, props: w(v.props) },
        };
      case 'instance': {
        const proto = Object.getPrototypeOf(v);
        if (proto === null) return { instance: null };
        const ctor = proto.constructor;
        return { instance: typeof ctor === 'function' ? ctor.name : null };
      }
    }
    throw new TypeError('cannot write kind ' + kind);
  }
}

export async function toNotation(value, options = {}) {
  const s = new Session(options);
  await s.settle(value);
  return s.write(value);
}

// Structural equality of two notation values (JSON data).
export function notationEqual(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

// The settling / writing session behind toNotation, and its await-with-timeout helper,
// exported so that lib/response.mjs can subclass it for response-only kinds
// (lazy, clientReference) without changing toNotation itself.
export { Session as NotationSession, withTimeout };
