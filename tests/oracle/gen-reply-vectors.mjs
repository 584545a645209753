// Generates spec/vectors/reply/*.json by running React 19.3.1.
//   cd oracle && npm run gen        (= node --conditions react-server gen-reply-vectors.mjs)
// Options: --out DIR (default ../../spec/vectors/reply), --only SUBSTRING (no deletion of stale files).
import { readdirSync, mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as O from './lib/oracle.mjs';
import { notationEqual } from './lib/notation.mjs';
import cases from './cases/reply-cases.mjs';

process.on('unhandledRejection', () => {});

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const argValue = (flag) => {
  const i = args.indexOf(flag);
  return i === -1 ? undefined : args[i + 1];
};
const outDir = resolve(argValue('--out') ?? join(here, '..', '..', 'spec', 'vectors', 'reply'));
const only = argValue('--only');

// Pretty printer: 2-space indentation; an array/object is printed on one line when it
// fits in 100 columns, when all its members are scalars, or below nesting depth 6.
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

function decodeResult(rec, r, okKey, errKey) {
  if (r.ok) rec[okKey] = r.value;
  else if ('errorName' in r) rec[errKey] = { name: r.errorName, message: r.error };
  else throw new Error('oracle failure: ' + r.error);
}

async function runCase(c) {
  const tr = !!(c.options && c.options.temporaryReferences);
  const rec = {
    name: c.name,
    description: c.description,
    react: O.reactVersion,
    options: { temporaryReferences: tr },
  };
  if ('action' in c) {
    const entries = typeof c.action === 'function' ? await c.action() : c.action;
    rec.action = { formData: entries };
    rec.multipart = await O.multipartOf(O.formDataFromEntries(entries));
    decodeResult(rec, await O.opDecodeAction(rec.action), 'decodedAction', 'decodeActionError');
    if (entries.some(([name]) => name === '$ACTION_KEY')) {
      decodeResult(rec, await O.opDecodeFormState(rec.action), 'formState', 'formStateError');
    }
    return rec;
  }
  if ('value' in c || 'build' in c) {
    if ('value' in c) {
      rec.value = c.value;
      const again = await O.inputNotation(O.buildValue(c.value));
      if (!c.jsNormalises && !notationEqual(again, c.value)) {
        throw new Error(
          'round trip mismatch:\n  ' + JSON.stringify(c.value).slice(0, 500) + '\n  ' + JSON.stringify(again).slice(0, 500)
        );
      }
    } else {
      rec.value = await O.inputNotation(c.build());
    }
    const enc = 'value' in c ? await O.opEncode(c.value, tr) : await O.encodeJs(c.build(), tr);
    if (!enc.ok) {
      rec.encodeError = enc.error;
      return rec;
    }
    rec.body = enc.body;
    if (enc.multipart) rec.multipart = enc.multipart;
  } else if ('body' in c) {
    rec.body = c.body;
    if (c.body.formData) rec.multipart = await O.multipartOf(O.formDataFromEntries(c.body.formData));
  } else {
    throw new Error('case has no value, build, body or action');
  }
  decodeResult(rec, await O.opDecode(rec.body, tr), 'decoded', 'decodeError');
  return rec;
}

function summary(rec) {
  if (rec.encodeError !== undefined) return 'encodeError: ' + rec.encodeError;
  if (rec.decodeError) return 'decodeError: ' + rec.decodeError.name + ': ' + rec.decodeError.message;
  if (rec.decodeActionError) return 'decodeActionError: ' + rec.decodeActionError.message;
  const v = 'decoded' in rec ? rec.decoded : rec.decodedAction;
  let s = JSON.stringify(v);
  if ('formState' in rec) s += ' formState=' + JSON.stringify(rec.formState);
  if (rec.formStateError) s += ' formStateError=' + rec.formStateError.message;
  return s.length > 150 ? s.slice(0, 150) + '…' : s;
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
    if (process.env.VERBOSE) console.log(c.name.padEnd(44) + ' ' + summary(rec));
  }
  console.log('wrote ' + n + ' vectors to ' + outDir);
}

await main();
// React or a test value may leave timers or never-settling streams behind.
process.exit();
