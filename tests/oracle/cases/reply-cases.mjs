// Case list for gen-reply-vectors.mjs.
//
// Value case:  { name, description, options?, value: <notation> }
//          or  { name, description, options?, build: () => jsValue }   (a JS value that
//              notation cannot build directly: holes, subarray views, double bind, ...;
//              the vector's "value" is the notation of a fresh build())
//   jsNormalises: true  -> notation -> JS -> notation legitimately differs (JS reorders keys,
//                          rounds a number, flattens a promise); the check is skipped.
// Body case:   { name, description, options?, body: {string} | {formData: [[name, entry]…]} }
// Action case: { name, description, action: [[name, entry]…] | async () => [[name, entry]…] }
//
// Nothing here is an expected output: every result is computed by running React.
import { Client, React } from '../lib/react.mjs';
import { bodyOf, clientEnv } from '../lib/oracle.mjs';

// ---------------------------------------------------------------------------
// notation helpers
const U = { undefined: null };
const num = (s) => ({ number: s });
const big = (s) => ({ bigint: s });
const arr = (...xs) => ({ array: xs });
const obj = (...kvs) => ({ object: kvs });
const map = (...kvs) => ({ map: kvs });
const set = (...xs) => ({ set: xs });
const date = (s) => ({ date: s });
const node = (n, v) => ({ node: [n, v] });
const ref = (n) => ({ ref: n });
const b64 = (bytes) => Buffer.from(bytes).toString('base64');
const ta = (kind, bytes) => ({ typedArray: { kind, base64: b64(bytes) } });
const ab = (bytes) => ({ arrayBuffer: b64(bytes) });
const blob = (type, bytes) => ({ blob: { type, base64: b64(bytes) } });
const file = (name, type, bytes) => ({ file: { name, type, base64: b64(bytes) } });
const fd = (...entries) => ({ formData: entries });
const sref = (id, bound = null) => ({ serverReference: { id, bound } });
const ok = (v) => ({ promise: { fulfilled: v } });
const rej = (v) => ({ promise: { rejected: v } });
const err = (message) => ({ error: { message } });
const inst = (name) => ({ instance: name });
const el = (type, key, props) => ({ element: { type, key, props } });
const aiter = (items, ret = U) => ({ asyncIterable: { items, return: ret } });
const aiterator = (items, ret = U) => ({ asyncIterator: { items, return: ret } });
const utf8 = (s) => [...Buffer.from(s, 'utf8')];

// body helpers
const S = (string) => ({ string });
const F = (...entries) => ({ formData: entries });
const fileEntry = (name, type, bytes) => ({ file: { name, type, base64: b64(bytes) } });
const TEMP = { temporaryReferences: true };

function deepArray(depth) {
  let v = arr(0);
  for (let i = 1; i < depth; i++) v = arr(v);
  return v;
}
function deepObject(depth) {
  let v = obj(['v', 0]);
  for (let i = 1; i < depth; i++) v = obj(['o', v]);
  return v;
}
function range(n) {
  return Array.from({ length: n }, (_, i) => i);
}
function digits(n, first = '1') {
  // deterministic digit string of length n
  let s = first;
  for (let i = 1; i < n; i++) s += String((i * 7 + 3) % 10);
  return s;
}

const cases = [];
const add = (c) => cases.push(c);

// ---------------------------------------------------------------------------
// value-*
add({ name: 'value-null', description: 'root null', value: null });
add({ name: 'value-true', description: 'root true', value: true });
add({ name: 'value-false', description: 'root false', value: false });
add({ name: 'value-undefined-root', description: 'root undefined ($undefined)', value: U });
add({ name: 'value-integer-root', description: 'root number', value: 42 });
add({ name: 'value-empty-object', description: 'root {}', value: obj() });
add({ name: 'value-empty-array', description: 'root []', value: arr() });
add({
  name: 'value-object-basic',
  description: 'flat object with primitive values',
  value: obj(['a', 1], ['b', 'x'], ['c', true], ['d', null], ['e', false], ['f', -2.5]),
});
add({
  name: 'value-array-undefined',
  description: 'undefined entries in an array become $undefined and stay undefined',
  value: arr(U, 1, U, U, 3),
});
add({
  name: 'value-array-holes',
  description: 'array with holes [,1,,undefined,3]: holes are written as $undefined',
  build: () => [, 1, , undefined, 3], // eslint-disable-line no-sparse-arrays
});
add({
  name: 'value-object-undefined',
  description: 'object property with undefined is written as $undefined and deleted on decode',
  value: obj(['a', U], ['b', 1], ['c', U]),
});
add({
  name: 'value-nested',
  description: 'nested arrays and objects',
  value: obj(
    ['list', arr(1, arr(2, arr(3, obj(['x', arr()])))), ],
    ['o', obj(['p', obj(['q', obj(['r', 'deep'])])])],
    ['mixed', arr(obj(['a', arr(obj())]), null, 'z')]
  ),
});
add({
  name: 'value-object-integer-keys',
  description: 'integer-like keys {"b","2","1","a"}: JS orders integer keys first',
  value: obj(['b', 1], ['2', 2], ['1', 3], ['a', 4]),
  jsNormalises: true,
});
add({
  name: 'value-object-integer-like-keys-edge',
  description: 'keys "01","1.5","-1","4294967294","4294967295","10","9": only array-index keys are reordered',
  value: obj(
    ['01', 1],
    ['1.5', 2],
    ['-1', 3],
    ['4294967295', 4],
    ['4294967294', 5],
    ['10', 6],
    ['9', 7]
  ),
  jsNormalises: true,
});
add({
  name: 'value-object-proto-key',
  description: 'own "__proto__" key is written by the client and stripped by the server',
  value: obj(['__proto__', obj(['x', 1])], ['y', 2]),
});
add({
  name: 'value-object-proto-key-only',
  description: 'object whose only key is an own "__proto__"',
  value: obj(['__proto__', 5]),
});
add({
  name: 'value-object-key-colon',
  description: 'keys containing ":"',
  value: obj(['a:b', 1], [':', 2], ['x:', obj(['y:z', 3])]),
});
add({
  name: 'value-object-keys-special',
  description: 'keys "", "$", "$$x", "$undefined", " ", unicode: keys are never $-escaped',
  value: obj(['', 1], ['$', 2], ['$$x', 3], ['$undefined', 4], [' ', 5], ['é漢😀', 6], ['then', 7]),
});
add({ name: 'value-date-epoch', description: 'Date(0)', value: date('1970-01-01T00:00:00.000Z') });
add({
  name: 'value-date-ms',
  description: 'Date with millisecond precision',
  value: obj(['d', date('2024-01-02T03:04:05.006Z')]),
});
add({
  name: 'value-date-year-10000',
  description: 'Date in year 10000 (+010000-…)',
  value: arr(date('+010000-01-01T00:00:00.000Z')),
});
add({
  name: 'value-date-negative-year',
  description: 'Date before year 0 (-000001-…) and year 0',
  value: arr(date('-000001-06-15T12:00:00.000Z'), date('0000-01-01T00:00:00.000Z')),
});
add({
  name: 'value-date-extremes',
  description: 'largest and smallest valid Dates (±8.64e15 ms)',
  value: arr(date('+275760-09-13T00:00:00.000Z'), date('-271821-04-20T00:00:00.000Z')),
});
add({
  name: 'value-date-invalid',
  description: 'invalid Date: toJSON gives null',
  value: obj(['d', date(null)]),
});
add({
  name: 'value-date-root',
  description: 'Date as the root value',
  value: date('2000-02-29T23:59:59.999Z'),
});
add({
  name: 'value-date-shared',
  description: 'the same Date object twice is written twice (no path reference)',
  build: () => {
    const d = new Date(5);
    return [d, { d }];
  },
});
add({
  name: 'value-date-like-string',
  description: 'strings that look like dates are not tagged',
  value: arr('2024-01-02T03:04:05.006Z', '$D2024-01-02T03:04:05.006Z', 'Z'),
});
add({ name: 'value-bigint-zero', description: 'BigInt 0', value: big('0') });
add({ name: 'value-bigint-negative', description: 'BigInt -5', value: arr(big('-5')) });
add({
  name: 'value-bigint-1e30',
  description: 'BigInt 10^30',
  value: obj(['n', big('1' + '0'.repeat(30))]),
});
add({
  name: 'value-bigint-300-digits',
  description: 'BigInt with 300 digits (the server limit)',
  value: arr(big(digits(300))),
});
add({
  name: 'value-bigint-negative-300-chars',
  description: 'negative BigInt with 299 digits: 300 characters including the sign',
  value: arr(big('-' + digits(299))),
});
add({
  name: 'value-bigint-301-digits',
  description: 'BigInt with 301 digits: the client writes it, the server rejects it',
  value: arr(big(digits(301))),
});
add({
  name: 'value-deep-array-100',
  description: '100 nested arrays',
  value: deepArray(100),
});
add({
  name: 'value-deep-array-1000',
  description: '1000 nested arrays',
  value: deepArray(1000),
});
add({
  name: 'value-deep-object-100',
  description: '100 nested objects',
  value: deepObject(100),
});
add({
  name: 'value-deep-object-1000',
  description: '1000 nested objects',
  value: deepObject(1000),
});
add({
  name: 'value-wide-array-10000',
  description: 'array of 10 000 numbers',
  value: { array: range(10000).map((i) => (i * 37) % 1000) },
});
add({
  name: 'value-wide-object-2000',
  description: 'object with 2 000 keys',
  value: { object: range(2000).map((i) => ['k' + i, i]) },
});
add({
  name: 'value-map-basic',
  description: 'Map with string keys',
  value: map(['a', 1], ['b', 'two'], ['c', obj(['d', 3])]),
});
add({
  name: 'value-map-object-keys',
  description: 'Map with object, number, null and undefined keys',
  value: map([obj(['o', 1]), 'obj'], [1, 'one'], [null, 'null'], [U, 'undef'], [arr(1), 'arr']),
});
add({
  name: 'value-map-nested',
  description: 'Map inside Map (key and value)',
  value: map(['k', map(['inner', map(['deeper', 1])])], [map(), 'empty-map-key']),
});
add({ name: 'value-map-empty', description: 'empty Map', value: obj(['m', map()]) });
add({ name: 'value-map-root', description: 'Map as the root', value: map([1, 2]) });
add({
  name: 'value-set-basic',
  description: 'Set of primitives and an object',
  value: set(1, 'two', obj(['three', 3]), null, U),
});
add({ name: 'value-set-empty', description: 'empty Set', value: arr(set()) });
add({
  name: 'value-set-nested',
  description: 'Set containing a Set and a Map',
  value: set(set(1), map([1, set()])),
});
add({
  name: 'value-iterator',
  description: 'generator (its own iterator) becomes $i',
  value: obj(['it', { iterator: [1, 'a', obj(['b', 2])] }]),
});
add({
  name: 'value-iterator-empty',
  description: 'empty generator',
  value: { iterator: [] },
});
add({
  name: 'value-iterator-map-entries',
  description: 'Map.prototype.entries() iterator (its own iterator)',
  build: () => ({ it: new Map([[1, 'x'], [2, 'y']]).entries() }),
});
add({
  name: 'value-iterator-nested',
  description: 'iterator yielding Maps and iterators',
  value: { iterator: [map(['k', 'v']), { iterator: [1] }] },
});
add({
  name: 'value-many-parts-hex-ids',
  description: '12 outlined Sets: part ids 10, 11, 12 are referenced as $Wa, $Wb, $Wc',
  value: { array: range(12).map((i) => set(i)) },
});
add({
  name: 'value-mixed-everything',
  description: 'one object with most value kinds',
  value: obj(
    ['n', null],
    ['u', U],
    ['nan', num('NaN')],
    ['big', big('12')],
    ['d', date('2020-01-01T00:00:00.000Z')],
    ['m', map(['a', set(1)])],
    ['s', '$dollar'],
    ['bytes', ta('Uint8Array', [1, 2, 3])],
    ['f', sref('mod#echo')],
    ['p', ok('later')]
  ),
});

// ---------------------------------------------------------------------------
// number-*
const numberCases = [
  ['zero', 0],
  ['negative-zero', num('-0')],
  ['nan', num('NaN')],
  ['infinity', num('Infinity')],
  ['negative-infinity', num('-Infinity')],
  ['1e21', 1e21],
  ['negative-1e21', -1e21],
  ['1e20', 1e20],
  ['1e-7', 1e-7],
  ['1e-6', 1e-6],
  ['1-5e-7', 1.5e-7],
  ['5e-324', 5e-324],
  ['max-value', 1.7976931348623157e308],
  ['max-safe-integer', 9007199254740991],
  ['2-pow-53', 9007199254740992],
  ['0-1', 0.1],
  ['123456789-123', 123456789.123],
  ['negative-1-5e-10', -1.5e-10],
  ['1e300', 1e300],
  ['0-1-plus-0-2', 0.1 + 0.2],
  ['123e-20', 123e-20],
  ['negative-integer', -123456],
];
for (const [n, v] of numberCases) {
  add({ name: 'number-' + n, description: 'number ' + JSON.stringify(v) + ' inside an array', value: arr(v) });
}
add({
  name: 'number-9007199254740993',
  description: 'the literal 9007199254740993 is not a double: JS reads it as 9007199254740992',
  value: arr(9007199254740993), // eslint-disable-line no-loss-of-precision
});
add({
  name: 'number-all-in-one',
  description: 'every special number in one array',
  value: arr(num('-0'), 0, num('NaN'), num('Infinity'), num('-Infinity'), 1e21, 5e-324, 1e-7),
});
add({ name: 'number-root-negative-zero', description: 'root -0', value: num('-0') });
add({ name: 'number-root-nan', description: 'root NaN', value: num('NaN') });
add({ name: 'number-json-1e400', description: 'JSON number 1e400 in a string body', body: S('[1e400]') });
add({ name: 'number-json-negative-1e400', description: 'JSON number -1e400', body: S('[-1e400]') });
add({ name: 'number-json-1e-400', description: 'JSON number 1e-400 (underflows)', body: S('[1e-400,-1e-400]') });
add({ name: 'number-json-negative-zero-literal', description: 'root JSON literal -0', body: S('-0') });
add({ name: 'number-json-negative-zero-in-array', description: 'JSON -0 inside an array', body: S('[-0,0,-0.0]') });
add({
  name: 'number-json-9007199254740993',
  description: 'JSON 9007199254740993 rounds to 9007199254740992',
  body: S('[9007199254740993]'),
});
add({
  name: 'number-json-exponent-forms',
  description: 'JSON number spellings 1E5, 1e+2, 2.50, 0.0000001',
  body: S('[1E5,1e+2,2.50,0.0000001,1e-7,100e-2]'),
});
add({
  name: 'number-json-short-forms',
  description: 'server short forms $I, $N, $u, $-x, $Ifoo (only value[1] is read)',
  body: S('["$Infinity","$Ifoo","$NaN","$Nbar","$undefined","$ubaz","$-Infinity","$-x","$-0"]'),
});

// ---------------------------------------------------------------------------
// string-*
add({ name: 'string-empty', description: 'empty string', value: arr('') });
add({ name: 'string-dollar', description: '"$" becomes "$$"', value: arr('$') });
add({ name: 'string-double-dollar', description: '"$$" becomes "$$$"', value: arr('$$') });
add({ name: 'string-dollar-undefined', description: '"$undefined" is escaped', value: arr('$undefined') });
add({ name: 'string-dollar-1', description: '"$1" is escaped', value: arr('$1') });
add({ name: 'string-dollar-at', description: '"$@x" is escaped', value: arr('$@x') });
add({ name: 'string-at', description: '"@x" is not escaped', value: arr('@x', 'a$', 'x$y') });
add({
  name: 'string-dollar-tags',
  description: 'strings that look like every tag are escaped',
  value: arr('$T', '$Q1', '$W1', '$K1', '$h1', '$-0', '$NaN', '$Infinity', '$-Infinity', '$n5', '$D2020-01-01T00:00:00.000Z', '$B1', '$R1', '$r1', '$X1', '$x1', '$i1', '$A1', '$o1', '$0:a', '$F1', '$Z'),
});
add({ name: 'string-unicode', description: 'é 漢 😀', value: arr('é', '漢', '😀', 'aé漢😀z') });
add({ name: 'string-line-separators', description: 'U+2028 and U+2029 raw', value: arr('\u2028', 'a\u2029b') });
add({ name: 'string-lone-high-surrogate', description: 'lone "\\ud800"', value: arr('\ud800') });
add({ name: 'string-lone-low-surrogate', description: 'lone "\\udc00"', value: arr('\udc00') });
add({
  name: 'string-surrogates-mixed',
  description: 'lone surrogates mixed with text and a reversed pair',
  value: arr('a\ud800b', '\udc00\ud800', 'x\ud83dy', '\ud83d\ude00\ud800'),
});
add({
  name: 'string-control-chars',
  description: 'control characters, DEL, quotes, backslash',
  value: arr('\u0000\u0001\u001f\u007f', '\t\n\r\b\f', '"\\/', '\u0085\u00a0\ufeff\uffff'),
});
add({ name: 'string-root', description: 'root string', value: 'hello' });
add({ name: 'string-root-dollar', description: 'root string "$x"', value: '$x' });
add({
  name: 'string-long-100000',
  description: 'string of 100 000 characters',
  value: arr('abcdefghij'.repeat(10000)),
});
add({
  name: 'string-keys-and-values-dollar',
  description: 'object keys starting with $ are not escaped, values are',
  value: obj(['$k', '$v'], ['k', '$$']),
});

// ---------------------------------------------------------------------------
// ref-* (shared references and cycles)
add({
  name: 'ref-object-in-array-twice',
  description: 's={s:1}; [s, s, {deep:s}]',
  value: arr(node('n1', obj(['s', 1])), ref('n1'), obj(['deep', ref('n1')])),
});
add({
  name: 'ref-object-under-object',
  description: 'c={c:1}; {a:{b:{c}}, again:c}',
  value: obj(['a', obj(['b', obj(['c', node('n1', obj(['c', 1]))])])], ['again', ref('n1')]),
});
add({
  name: 'ref-self-cycle-object',
  description: 'root object referencing itself',
  value: node('n1', obj(['name', 'c'], ['self', ref('n1')])),
});
add({
  name: 'ref-self-cycle-array',
  description: 'a=[1]; a.push(a)',
  value: node('n1', arr(1, ref('n1'))),
});
add({
  name: 'ref-mutual',
  description: 'a.b=b, b.a=a; [a, b]',
  value: arr(node('n1', obj(['n', 'a'], ['b', node('n2', obj(['n', 'b'], ['a', ref('n1')]))])), ref('n2')),
});
add({
  name: 'ref-array-shared',
  description: 'arr=[1,2]; {x:arr, y:arr}',
  value: obj(['x', node('n1', arr(1, 2))], ['y', ref('n1')]),
});
add({
  name: 'ref-deep-path-with-index',
  description: 'shared object first seen at list[1].x',
  value: obj(['list', arr(obj(), obj(['x', node('n1', obj(['s', 1]))]))], ['again', ref('n1')]),
});
add({
  name: 'ref-root-then-map',
  description: 'shared object first in the root, then as a Map value',
  value: obj(['first', node('n1', obj(['s', 1]))], ['m', map(['k', ref('n1')])]),
});
add({
  name: 'ref-map-then-root',
  description: 'shared object first inside a Map part, then in the root',
  value: obj(['m', map(['k', node('n1', obj(['s', 1]))])], ['later', ref('n1')]),
});
add({
  name: 'ref-map-key-shared',
  description: 'the same object as a Map key and a Map value',
  value: map([node('n1', obj(['k', 1])), ref('n1')]),
});
add({
  name: 'ref-same-map-twice',
  description: 'the same Map twice',
  value: arr(node('n1', map([1, 2])), ref('n1')),
});
add({
  name: 'ref-same-set-twice',
  description: 'the same Set twice',
  value: arr(node('n1', set('x')), ref('n1')),
});
add({
  name: 'ref-same-typed-array-twice',
  description: 'the same Uint8Array twice: the path reference sees the null placeholder',
  value: arr(node('n1', ta('Uint8Array', [1, 2, 3, 4, 5, 6, 7])), ref('n1')),
});
add({
  name: 'ref-same-typed-array-in-object',
  description: 'the same typed array under two keys',
  value: obj(['a', node('n1', ta('Int32Array', [1, 0, 0, 0]))], ['b', ref('n1')]),
});
add({
  name: 'ref-same-arraybuffer-twice',
  description: 'the same ArrayBuffer twice',
  value: arr(node('n1', ab([9, 8])), ref('n1')),
});
add({
  name: 'ref-same-blob-twice',
  description: 'the same Blob twice',
  value: arr(node('n1', blob('text/plain', utf8('hi'))), ref('n1')),
});
add({
  name: 'ref-same-formdata-twice',
  description: 'the same FormData twice',
  value: arr(node('n1', fd(['a', '1'])), ref('n1')),
});
add({
  name: 'ref-same-iterator-twice',
  description: 'the same generator twice',
  value: arr(node('n1', { iterator: [1] }), ref('n1')),
});
add({
  name: 'ref-cycle-in-map',
  description: 'root Map containing itself as a value',
  value: node('n1', map(['self', ref('n1')])),
});
add({
  name: 'ref-cycle-in-set',
  description: 'root Set containing itself',
  value: node('n1', set(1, ref('n1'))),
});
add({
  name: 'ref-cycle-object-in-map',
  description: 'object containing a Map that points back at the object',
  value: node('n1', obj(['m', map(['back', ref('n1')])])),
});
add({
  name: 'ref-shared-in-set-and-root',
  description: 'shared object first in the root, then in a Set',
  value: obj(['o', node('n1', obj(['v', 1]))], ['s', set(ref('n1'))]),
});
add({
  name: 'ref-shared-in-promise-value',
  description: 'promise resolving to {x:s, y:s}',
  value: obj(['p', ok(obj(['x', node('n1', obj(['s', 1]))], ['y', ref('n1')]))]),
});
add({
  name: 'ref-promise-resolves-written-object',
  description: 'promise resolving to an object already written in the root',
  value: obj(['o', node('n1', obj(['o', 1]))], ['p', ok(ref('n1'))]),
});
add({
  name: 'ref-cycle-through-promise',
  description: 'o={}; p=Promise(o); o.p=p; {p}',
  value: obj(['p', node('n1', ok(obj(['p', ref('n1')])))]),
});
add({
  name: 'ref-shared-server-ref',
  description: 'same server reference three times',
  value: arr(node('n1', sref('mod#echo')), ref('n1'), obj(['f', ref('n1')])),
});
add({
  name: 'ref-key-colon-no-dedupe',
  description: 'an object under a key with ":" gets no path, so it is written twice',
  value: obj(['a:b', node('n1', obj(['v', 1]))], ['c', ref('n1')]),
});
add({
  name: 'ref-key-colon-cycle',
  description: 'cycle through a key with ":" (object below it has no path)',
  value: node('n1', obj(['x:y', obj(['back', ref('n1')])])),
});
add({
  name: 'ref-shared-map-in-promise',
  description: 'a Map written in the root and again as a promise value',
  value: obj(['m', node('n1', map(['a', 1]))], ['p', ok(ref('n1'))]),
});
add({
  name: 'ref-map-entries-path',
  description: 'body: path reference through a Map part entries array ($1:0:1)',
  body: F(['1', '[["k",{"s":1}]]'], ['0', '{"m":"$Q1","later":"$1:0:1"}']),
});
add({
  name: 'ref-path-array-length',
  description: 'body: path reference to an own "length" of an array',
  body: S('{"a":[1,2,3],"n":"$0:a:length"}'),
});
add({
  name: 'ref-path-forward',
  description: 'body: path reference to a later sibling of the root',
  body: S('{"x":"$0:y","y":{"v":1}}'),
});
add({
  name: 'ref-path-into-part',
  description: 'body: root referencing a key inside an outlined part',
  body: F(['1', '{"a":{"b":[10,20]}}'], ['0', '["$1:a:b:1","$1:a"]']),
});

// ---------------------------------------------------------------------------
// formdata-*
add({
  name: 'formdata-text',
  description: 'FormData with repeated text fields',
  value: obj(['fd', fd(['a', '1'], ['a', '2'], ['b', ''])], ['after', 'z']),
});
add({
  name: 'formdata-files',
  description: 'FormData with text, a File and a Blob (the Blob becomes File "blob")',
  value: obj(
    ['fd', fd(['a', '1'], ['f', file('x.txt', 'text/plain', utf8('xyz'))], ['b', blob('', utf8('bb'))])],
    ['after', 'z']
  ),
  jsNormalises: true, // a Blob appended to a FormData becomes a File named "blob"
});
add({ name: 'formdata-empty', description: 'empty FormData', value: obj(['fd', fd()]) });
add({ name: 'formdata-root', description: 'FormData as the root', value: fd(['x', 'y']) });
add({
  name: 'formdata-two',
  description: 'two FormData values',
  value: arr(fd(['x', '1']), fd(['y', '2'])),
});
add({
  name: 'formdata-field-names-special',
  description: 'field names with ":", "_", "$", "", unicode, a quote and CR/LF',
  value: arr(fd(['a:b', '1'], ['_1_x', '2'], ['$K1', '3'], ['', '4'], ['é漢', '5'], ['q"uote', '6'], ['line\r\nbreak', '7'])),
});
add({
  name: 'formdata-file-names-special',
  description: 'file names with a quote, unicode and CR/LF; a type with parameters',
  value: fd(
    ['f', file('a"b.txt', 'text/plain;charset=utf-8', utf8('1'))],
    ['g', file('é 漢.bin', 'application/x-custom', [0, 255])],
    ['h', file('x\r\ny', '', [])]
  ),
});
add({
  name: 'formdata-id-10-plus',
  description: 'array of 11 Sets then a FormData: its id is 12 (hex "c"), React looks for _c_ entries',
  value: { array: [...range(11).map((i) => set(i)), fd(['a', '1'], ['b', '2'])] },
});
add({
  name: 'formdata-id-10',
  description: 'FormData with part id exactly 10 ($Ka)',
  value: { array: [...range(9).map((i) => set(i)), fd(['k', 'v'])] },
});
add({
  name: 'formdata-in-map',
  description: 'FormData as a Map value',
  value: map(['form', fd(['q', 'r'])]),
});
add({
  name: 'formdata-text-values-special',
  description: 'text values that look like tags are not escaped inside FormData',
  value: fd(['a', '$1'], ['b', '$$'], ['c', '{"x":1}'], ['d', '\ud800'], ['e', '\r\n']),
  jsNormalises: true, // FormData values are USVStrings: the lone surrogate becomes U+FFFD
});

add({
  name: 'formdata-many-entries',
  description: 'FormData with 14 entries, text and files mixed (repeated names, an empty file, binary bytes)',
  value: obj(
    [
      'fd',
      fd(
        ['title', 'Quarterly report'],
        ['tag', 'a'],
        ['tag', 'b'],
        ['attachment', file('report.pdf', 'application/pdf', utf8('%PDF-1.4'))],
        ['note', ''],
        ['attachment', file('data.csv', 'text/csv', utf8('x,y\n1,2\n'))],
        ['count', '12'],
        ['empty', file('empty.bin', 'application/octet-stream', [])],
        ['tag', 'c'],
        ['image', file('pixel.png', 'image/png', [137, 80, 78, 71, 13, 10, 26, 10])],
        ['unicode', 'é漢😀'],
        ['raw', file('raw.bin', 'application/octet-stream', [0, 1, 2, 255])],
        ['json', '{"a":1}'],
        ['last', 'z']
      ),
    ],
    ['after', 'z']
  ),
});

// ---------------------------------------------------------------------------
// binary-*
add({ name: 'binary-arraybuffer', description: 'ArrayBuffer', value: obj(['buf', ab([1, 2, 3, 4])]) });
add({ name: 'binary-arraybuffer-empty', description: 'empty ArrayBuffer', value: ab([]) });
const typedKinds = [
  ['int8array', 'Int8Array', [0, 1, 127, 128, 255]],
  ['uint8array', 'Uint8Array', [0, 10, 255]],
  ['uint8clampedarray', 'Uint8ClampedArray', [0, 128, 255]],
  ['int16array', 'Int16Array', [1, 0, 0xff, 0xff, 0, 0x80]],
  ['uint16array', 'Uint16Array', [1, 0, 0xff, 0xff]],
  ['int32array', 'Int32Array', [1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]],
  ['uint32array', 'Uint32Array', [0xff, 0xff, 0xff, 0xff]],
  ['float32array', 'Float32Array', [0, 0, 0x80, 0x3f, 0, 0, 0xc0, 0x7f]],
  ['float64array', 'Float64Array', [0x18, 0x2d, 0x44, 0x54, 0xfb, 0x21, 0x09, 0x40, 0, 0, 0, 0, 0, 0, 0xf8, 0x7f]],
  ['bigint64array', 'BigInt64Array', [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]],
  ['biguint64array', 'BigUint64Array', [1, 2, 3, 4, 5, 6, 7, 8]],
  ['dataview', 'DataView', [1, 2, 3]],
];
for (const [n, kind, bytes] of typedKinds) {
  add({ name: 'binary-' + n, description: kind, value: obj(['v', ta(kind, bytes)]) });
}
add({
  name: 'binary-all-kinds',
  description: 'every typed array kind and DataView in one array (ids up to 12)',
  value: { array: typedKinds.map(([, kind, bytes]) => ta(kind, bytes)) },
});
add({
  name: 'binary-empty-uint8array',
  description: 'empty Uint8Array and empty Float64Array',
  value: arr(ta('Uint8Array', []), ta('Float64Array', [])),
});
add({
  name: 'binary-typed-array-root',
  description: 'Uint8Array as the root',
  value: ta('Uint8Array', [7, 7, 7]),
});
add({
  name: 'binary-large-5000-bytes',
  description: 'Uint8Array of 5000 bytes',
  value: ta('Uint8Array', range(5000).map((i) => (i * 31) & 255)),
});
add({
  name: 'binary-subarray-uint8',
  description: 'new Uint8Array([0..7]).subarray(2,5): only the view bytes are sent',
  build: () => ({ v: new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7]).subarray(2, 5) }),
});
add({
  name: 'binary-subarray-int32',
  description: 'new Int32Array([1,2,3,4]).subarray(1,3)',
  build: () => ({ v: new Int32Array([1, 2, 3, 4]).subarray(1, 3) }),
});
add({
  name: 'binary-dataview-offset',
  description: 'new DataView(buf, 2, 3)',
  build: () => ({ v: new DataView(new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7]).buffer, 2, 3) }),
});
add({
  name: 'binary-blob-typed',
  description: 'Blob with a type',
  value: obj(['b', blob('application/json', utf8('{"a":1}'))]),
});
add({
  name: 'binary-blob-untyped',
  description: 'Blob without a type (multipart says application/octet-stream)',
  value: arr(blob('', [0, 255])),
});
add({ name: 'binary-blob-empty', description: 'empty Blob', value: arr(blob('', [])) });
add({
  name: 'binary-file',
  description: 'File with a name and type',
  value: file('h.txt', 'text/plain', utf8('hello')),
});
add({
  name: 'binary-file-untyped',
  description: 'File with a name and no type',
  value: arr(file('data.bin', '', [1, 2, 3])),
});
add({
  name: 'binary-blob-and-typed-arrays-mixed',
  description: 'Blob, ArrayBuffer and typed arrays interleaved with a Map',
  value: arr(blob('text/plain', utf8('b')), map(['k', ta('Uint8Array', [1])]), ab([2])),
});

// ---------------------------------------------------------------------------
// server-ref-*
add({ name: 'server-ref-unbound', description: 'unbound server reference', value: obj(['f', sref('mod#echo')]) });
add({ name: 'server-ref-root', description: 'server reference as the root', value: sref('mod#echo') });
add({
  name: 'server-ref-bound-primitives',
  description: '.bind(null, 1, "a", true, null)',
  value: sref('mod#echo', [1, 'a', true, null]),
});
add({
  name: 'server-ref-bound-object',
  description: '.bind(null, 1, "a", {b:2})',
  value: arr(sref('mod#echo', [1, 'a', obj(['b', 2])])),
});
add({
  name: 'server-ref-bound-date-map',
  description: 'bound Date and Map',
  value: sref('mod#echo', [date('1970-01-01T00:00:00.000Z'), map([1, 2])]),
});
add({
  name: 'server-ref-bound-empty',
  description: '.bind(null) with no arguments: bound is []',
  value: sref('mod#echo', []),
});
add({
  name: 'server-ref-bound-twice',
  description: '.bind(null,1).bind(null,2): bound arguments are concatenated',
  build: () => {
    const fn = Client.createServerReference('mod#echo').bind(null, 1).bind(null, 2);
    // register it so the value notation names it as a server reference
    clientEnv().onServerReference(fn, 'mod#echo', [1, 2]);
    return fn;
  },
});
add({
  name: 'server-ref-bound-undefined',
  description: 'bound undefined and special numbers',
  value: sref('mod#echo', [U, num('NaN'), num('-0')]),
});
add({
  name: 'server-ref-bound-promise',
  description: 'a promise as a bound argument',
  value: sref('mod#echo', [ok('v')]),
});
add({
  name: 'server-ref-bound-shared',
  description: 'the same object twice in the bound arguments',
  value: sref('mod#echo', [node('n1', obj(['s', 1])), ref('n1')]),
});
add({
  name: 'server-ref-same-three-times',
  description: 'the same bound server reference three times',
  value: arr(node('n1', sref('mod#echo', [1])), ref('n1'), obj(['f', ref('n1')])),
});
add({
  name: 'server-ref-two-different',
  description: 'two references to the same id (different functions)',
  value: arr(sref('mod#echo'), sref('mod#echo'), sref('other#fn', [2])),
});
add({
  name: 'server-ref-ids-special',
  description: 'ids without "#", with two "#", empty, unicode',
  value: arr(sref('plainmodule'), sref('a#b#c'), sref(''), sref('mod#é漢'), sref('mod#')),
});
add({
  name: 'server-ref-in-map-key',
  description: 'server reference as a Map key',
  value: map([sref('mod#k'), 'v']),
});
add({
  name: 'server-ref-bound-1000',
  description: '1000 bound arguments (the limit)',
  value: sref('mod#echo', range(1000)),
});
add({
  name: 'server-ref-bound-1001',
  description: '1001 bound arguments: the server rejects',
  value: sref('mod#echo', range(1001)),
});
add({
  name: 'server-ref-bound-server-ref',
  description: 'a server reference bound with another server reference',
  value: sref('mod#outer', [sref('mod#inner', ['x'])]),
});

// ---------------------------------------------------------------------------
// promise-*
add({ name: 'promise-primitive', description: 'promise of a string', value: obj(['p', ok('v')]) });
add({ name: 'promise-object', description: 'promise of an object', value: obj(['p', ok(obj(['a', 1]))]) });
add({
  name: 'promise-nested',
  description: 'promise of an object containing a promise ... three levels',
  value: obj(['p', ok(obj(['q', ok(obj(['r', ok('deep')]))]))]),
});
add({ name: 'promise-undefined', description: 'promise of undefined', value: obj(['p', ok(U)]) });
add({ name: 'promise-null', description: 'promise of null', value: arr(ok(null)) });
add({ name: 'promise-root', description: 'promise as the root (await flattens it)', value: ok('root') });
add({
  name: 'promise-same-twice',
  description: 'the same promise twice: one part',
  value: arr(node('n1', ok(1)), ref('n1')),
});
add({
  name: 'promise-of-promise',
  description: 'a promise resolved with a promise is flattened by JS',
  value: obj(['p', ok(ok('inner'))]),
  jsNormalises: true,
});
add({
  name: 'promise-thenable',
  description: 'a custom thenable {then(r){r(5)}} is treated like a promise',
  build: () => ({ t: { then: (r) => r(5) } }),
});
add({
  name: 'promise-many',
  description: 'array of 12 promises (part ids up to c)',
  value: { array: range(12).map((i) => ok(i)) },
});
add({
  name: 'promise-of-map-and-set',
  description: 'promise values that are a Map and a Set',
  value: arr(ok(map(['k', 1])), ok(set(2))),
});
add({
  name: 'promise-of-typed-array',
  description: 'promise resolving to a Uint8Array',
  value: obj(['p', ok(ta('Uint8Array', [5, 6]))]),
});
add({
  name: 'promise-of-bigint-date',
  description: 'promise values BigInt and Date',
  value: arr(ok(big('7')), ok(date('2001-01-01T00:00:00.000Z'))),
});
add({
  name: 'promise-of-server-ref',
  description: 'promise resolving to a server reference',
  value: obj(['p', ok(sref('mod#echo'))]),
});
add({
  name: 'promise-in-map',
  description: 'promise as a Map value',
  value: map(['p', ok('x')]),
});
add({
  name: 'promise-of-formdata',
  description: 'promise resolving to a FormData',
  value: obj(['p', ok(fd(['a', 'b']))]),
});
add({
  name: 'promise-of-dollar-string',
  description: 'promise of "$x": the part is the JSON string "$$x"',
  value: arr(ok('$x')),
});

// ---------------------------------------------------------------------------
// stream-*
add({
  name: 'stream-readable-values',
  description: 'ReadableStream of "a", {b:1}, 3',
  value: obj(['s', { readableStream: ['a', obj(['b', 1]), 3] }]),
});
add({ name: 'stream-readable-empty', description: 'empty ReadableStream', value: { readableStream: [] } });
add({
  name: 'stream-readable-special-chunks',
  description: 'stream chunks: undefined, null, "$x", a Map, a Date',
  value: { readableStream: [U, null, '$x', map([1, 2]), date('1970-01-01T00:00:00.001Z')] },
});
add({
  name: 'stream-readable-uint8-chunks',
  description: 'non-byte stream of Uint8Arrays: each chunk points at a blob part',
  value: { readableStream: [ta('Uint8Array', [1, 2]), ta('Uint8Array', [3])] },
});
add({
  name: 'stream-byte',
  description: 'byte stream: all chunks joined into one blob part',
  value: obj(['s', { byteStream: [b64([0, 1, 2]), b64([3, 4])] }]),
});
add({ name: 'stream-byte-empty', description: 'empty byte stream', value: { byteStream: [] } });
add({
  name: 'stream-byte-1501',
  description: 'byte stream with one 1501-byte chunk (read 1024 at a time)',
  value: { byteStream: [b64(range(1501).map((i) => i & 255))] },
});
add({
  name: 'stream-async-iterable',
  description: 'async iterable (not its own iterator) $X',
  value: obj(['it', aiter(['a', 'b'])]),
});
add({
  name: 'stream-async-iterable-return',
  description: 'async iterable with a return value',
  value: aiter([1], 'done'),
});
add({ name: 'stream-async-iterable-empty', description: 'empty async iterable', value: aiter([]) });
add({
  name: 'stream-async-iterator',
  description: 'async generator (its own iterator) $x',
  value: obj(['g', aiterator(['x', obj(['y', 1])])]),
});
add({
  name: 'stream-async-iterator-return',
  description: 'async generator with a return value',
  value: aiterator(['x'], obj(['final', true])),
});
add({
  name: 'stream-async-iterator-return-dollar',
  description: 'async generator returning "$done" and yielding undefined',
  value: aiterator([U], '$done'),
});
add({
  name: 'stream-async-iterator-yields-promise',
  description: 'an async generator awaits the promises it yields (and returns)',
  jsNormalises: true,
  value: aiterator([{ promise: { fulfilled: 1 } }, 2, { promise: { fulfilled: obj(['p', 3]) } }], { promise: { fulfilled: 'r' } }),
});
add({
  name: 'stream-readable-promise-chunk',
  description: 'a ReadableStream does not await a promise chunk: it is written as $@',
  value: { readableStream: [{ promise: { fulfilled: 1 } }, 2] },
});
add({
  name: 'stream-chunk-refs-root',
  description: 'a stream chunk that is an object already written in the root',
  value: obj(['o', node('n1', obj(['v', 1]))], ['s', { readableStream: [ref('n1'), obj(['again', ref('n1')])] }]),
});
add({
  name: 'stream-two-interleaved',
  description: 'two streams and a promise: their rows interleave',
  value: arr({ readableStream: [1, 2, 3] }, aiter(['a', 'b', 'c']), ok('p')),
});
add({
  name: 'stream-nested-promise-chunk',
  description: 'stream chunk containing a promise',
  value: { readableStream: [obj(['p', ok('inner')])] },
});
add({
  name: 'stream-ids-10-plus',
  description: '10 Sets then a stream and a promise (S11 and part 12)',
  value: { array: [...range(10).map((i) => set(i)), { readableStream: ['x'] }, ok('p')] },
});

// ---------------------------------------------------------------------------
// temp-* (temporaryReferences option on both sides)
add({
  name: 'temp-class-instance',
  description: 'class instance becomes $T with the option',
  options: TEMP,
  value: obj(['inst', inst('Foo')], ['n', 1]),
});
add({
  name: 'temp-null-prototype',
  description: 'Object.create(null) becomes $T',
  options: TEMP,
  value: obj(['o', inst(null)]),
});
add({
  name: 'temp-function',
  description: 'plain function becomes $T',
  options: TEMP,
  value: obj(['fn', { function: 'localFn' }]),
});
add({
  name: 'temp-symbol-for',
  description: 'Symbol.for symbol becomes $T',
  options: TEMP,
  value: obj(['sym', { symbol: 'reg' }]),
});
add({
  name: 'temp-symbol-local',
  description: 'local Symbol becomes $T',
  options: TEMP,
  value: obj(['sym', { unregisteredSymbol: 'local' }]),
});
add({
  name: 'temp-element',
  description: 'React element becomes $T',
  options: TEMP,
  value: obj(['el', el('div', 'k', obj(['className', 'x']))]),
});
add({
  name: 'temp-root-element',
  description: 'React element as the root becomes $T (id "0")',
  options: TEMP,
  value: el('span', null, obj()),
});
add({
  name: 'temp-root-instance',
  description: 'class instance as the root becomes $T (id "0")',
  options: TEMP,
  value: inst('Root'),
});
add({
  name: 'temp-root-function',
  description: 'plain function as the root: no parent path, so it still throws',
  options: TEMP,
  value: { function: 'rootFn' },
});
add({
  name: 'temp-root-symbol',
  description: 'symbol as the root: no parent path, so it still throws',
  options: TEMP,
  value: { symbol: 'rootSym' },
});
add({
  name: 'temp-element-key-colon',
  description: 'React element under a key with ":": client throws (no path for $T)',
  options: TEMP,
  value: obj(['a:b', el('div', null, obj())]),
});
add({
  name: 'temp-instance-key-colon',
  description: 'class instance under a key with ":": $T is written but has no path, decode fails',
  options: TEMP,
  value: obj(['a:b', inst('Foo')]),
});
add({
  name: 'temp-in-array',
  description: '$T entries in an array (ids 0:0, 0:1, …)',
  options: TEMP,
  value: arr(inst('A'), { function: 'f' }, { symbol: 's' }),
});
add({
  name: 'temp-in-map',
  description: '$T as a Map value (id 1:0:1)',
  options: TEMP,
  value: map(['k', inst('Foo')]),
});
add({
  name: 'temp-shared',
  description: 'the same instance twice: the second is a path reference to the proxy',
  options: TEMP,
  value: obj(['inst', node('n1', inst('Foo'))], ['arr', arr(ref('n1'))]),
});
add({
  name: 'temp-roundtrip-mix',
  description: 'instance, function, symbol, element and plain values together',
  options: TEMP,
  value: obj(
    ['inst', node('n1', inst('Foo'))],
    ['fn', { function: 'fn' }],
    ['sym', { symbol: 's' }],
    ['el', el('div', null, obj())],
    ['plain', obj(['keep', 1])],
    ['arr', arr(ref('n1'))]
  ),
});
add({
  name: 'temp-in-promise',
  description: 'promise resolving to an instance: part "1" is $T (id 1)',
  options: TEMP,
  value: obj(['p', ok(inst('Foo'))]),
});
add({
  name: 'temp-in-stream',
  description: '$T inside a stream chunk cannot be resolved: the stream errors',
  options: TEMP,
  value: obj(['s', { readableStream: [obj(['i', inst('Foo')])] }]),
});
add({
  name: 'temp-plain-values',
  description: 'plain values with the option on are unchanged',
  options: TEMP,
  value: obj(['a', arr(1, obj(['b', map(['c', 2])]))], ['f', sref('mod#echo')]),
});
add({
  name: 'temp-error-object',
  description: 'an Error object becomes $T',
  options: TEMP,
  value: obj(['e', err('boom')]),
});
add({
  name: 'temp-rejected-promise',
  description: 'a rejected promise still rejects with the option',
  options: TEMP,
  value: obj(['p', rej(err('nope'))]),
});

// ---------------------------------------------------------------------------
// reject-* (encodeReply rejects)
add({ name: 'reject-promise', description: 'rejected promise: encodeReply rejects with its reason', value: obj(['p', rej(err('nope'))]) });
add({ name: 'reject-promise-root', description: 'rejected promise as the root', value: rej(err('root nope')) });
add({
  name: 'reject-promise-nested',
  description: 'rejected promise inside a fulfilled promise value',
  value: obj(['p', ok(obj(['q', rej(err('inner nope'))]))]),
});
add({
  name: 'reject-promise-string-reason',
  description: 'promise rejected with a string',
  value: arr(rej('plain reason')),
});
add({
  name: 'reject-promise-digest',
  description: 'promise rejected with an Error that has a digest',
  value: arr(rej({ error: { message: 'with digest', digest: 'D1' } })),
});
add({ name: 'reject-class-instance', description: 'class instance without the option', value: obj(['inst', inst('Foo')]) });
add({ name: 'reject-class-instance-root', description: 'class instance as the root', value: inst('Foo') });
add({ name: 'reject-null-prototype', description: 'Object.create(null) nested', value: obj(['o', inst(null)]) });
add({ name: 'reject-null-prototype-root', description: 'Object.create(null) as the root', value: inst(null) });
add({ name: 'reject-error-object', description: 'an Error object as a value', value: obj(['e', err('x')]) });
add({ name: 'reject-function', description: 'plain function', value: obj(['fn', { function: 'f' }]) });
add({ name: 'reject-function-root', description: 'plain function as the root', value: { function: 'f' } });
add({ name: 'reject-symbol-registered', description: 'Symbol.for symbol', value: obj(['s', { symbol: 'reg' }]) });
add({ name: 'reject-symbol-local', description: 'local Symbol', value: obj(['s', { unregisteredSymbol: 'local' }]) });
add({ name: 'reject-symbol-root', description: 'symbol as the root', value: { symbol: 'reg' } });
add({ name: 'reject-element', description: 'React element', value: obj(['el', el('div', null, obj())]) });
add({ name: 'reject-element-root', description: 'React element as the root', value: el('div', 'k', obj(['id', 'x'])) });
add({
  name: 'reject-instance-in-map',
  description: 'class instance as a Map value',
  value: map(['k', inst('Foo')]),
});
add({
  name: 'reject-stream-error',
  description: 'ReadableStream that errors after one chunk',
  value: { errored: { kind: 'readableStream', items: ['a'], error: err('stream boom') } },
});
add({
  name: 'reject-async-iterator-error',
  description: 'async generator that throws after one item',
  value: obj(['g', { errored: { kind: 'asyncIterator', items: [1], error: err('iter boom') } }]),
});
add({
  name: 'reject-after-valid-parts',
  description: 'valid Map and Set before a rejected promise',
  value: arr(map([1, 2]), set(3), rej(err('late'))),
});

// ---------------------------------------------------------------------------
// malformed-* (hand-written bodies)
add({ name: 'malformed-json-bad-object', description: 'string body "{bad"', body: S('{bad') });
add({ name: 'malformed-json-empty', description: 'empty string body', body: S('') });
add({ name: 'malformed-json-trailing-comma', description: '"[1,]"', body: S('[1,]') });
add({ name: 'malformed-json-leading-zero', description: '"01"', body: S('01') });
add({ name: 'malformed-json-trailing-garbage', description: '"[1] x"', body: S('[1] x') });
add({ name: 'malformed-json-single-quotes', description: "\"['a']\"", body: S("['a']") });
add({ name: 'malformed-json-whitespace', description: 'whitespace around valid JSON is fine', body: S(' \n\t[1] \r\n') });
add({ name: 'malformed-no-root', description: 'FormData without "0"', body: F(['1', '"x"']) });
add({ name: 'malformed-empty-formdata', description: 'FormData with no entries', body: F() });
add({ name: 'malformed-missing-part', description: '"$1" with no part 1', body: S('"$1"') });
add({
  name: 'malformed-missing-promise-part',
  description: '{"p":"$@1"} with no part 1: decode succeeds, p rejects',
  body: S('{"p":"$@1"}'),
});
add({
  name: 'malformed-missing-promise-parts-two',
  description: 'two missing promise parts share one "Connection closed." error',
  body: S('["$@1","$@2"]'),
});
add({ name: 'malformed-unknown-tag-z1', description: '"$Z1" is read as a hex reference (NaN)', body: S('["$Z1"]') });
add({ name: 'malformed-unknown-tag-zfoo', description: '"$Zfoo"', body: S('"$Zfoo"') });
add({ name: 'malformed-lone-dollar', description: 'lone "$"', body: S('["$"]') });
add({ name: 'malformed-id-1zz', description: '"$1zz": parseInt reads part 1', body: F(['1', '"one"'], ['0', '["$1zz"]']) });
add({ name: 'malformed-id-01', description: '"$01" is part 1', body: F(['1', '"one"'], ['0', '["$01"]']) });
add({ name: 'malformed-id-space-1', description: '"$ 1" is part 1 (parseInt skips spaces)', body: F(['1', '"one"'], ['0', '["$ 1"]']) });
add({ name: 'malformed-id-zz', description: '"$zz" is NaN', body: F(['1', '"one"'], ['0', '["$zz"]']) });
add({ name: 'malformed-id-f1', description: '"$F1" is part 0xF1 = 241', body: F(['241', '"two-four-one"'], ['0', '["$F1"]']) });
add({ name: 'malformed-id-f1-missing', description: '"$F1" with no part 241', body: F(['1', '"x"'], ['0', '["$F1"]']) });
add({ name: 'malformed-id-hex-uppercase', description: '"$A" is ArrayBuffer, "$a" is part 10', body: F(['10', '"ten"'], ['0', '["$a"]']) });
add({ name: 'malformed-root-is-blob', description: 'part "0" is a file', body: F(['0', fileEntry('blob', '', utf8('"x"'))]) });
add({ name: 'malformed-blob-ref-string-part', description: '"$B1" where part 1 is a string', body: F(['1', 'x'], ['0', '"$B1"']) });
add({ name: 'malformed-blob-ref-missing', description: '"$B1" with no part 1', body: S('["$B1"]') });
add({
  name: 'malformed-blob-ref-twice',
  description: 'the same blob part referenced twice ($B is not single-use)',
  body: F(['1', fileEntry('f.txt', 'text/plain', utf8('x'))], ['0', '["$B1","$B1"]']),
});
add({ name: 'malformed-typed-array-no-blob', description: '"$o1" with no blob', body: S('["$o1"]') });
add({ name: 'malformed-typed-array-string-part', description: '"$o1" where part 1 is a string', body: F(['1', 'AAAA'], ['0', '["$o1"]']) });
add({
  name: 'malformed-typed-array-misaligned',
  description: '"$S1" (Int16Array) with a 3-byte blob',
  body: F(['1', fileEntry('blob', '', [1, 2, 3])], ['0', '["$S1"]']),
});
add({
  name: 'malformed-float64-misaligned',
  description: '"$g1" (Float64Array) with a 4-byte blob',
  body: F(['1', fileEntry('blob', '', [1, 2, 3, 4])], ['0', '{"a":"$g1"}']),
});
add({
  name: 'malformed-typed-array-twice',
  description: '["$o1","$o1"]',
  body: F(['1', fileEntry('blob', '', [1])], ['0', '["$o1","$o1"]']),
});
add({ name: 'malformed-map-non-array', description: '"$Q1" over an object', body: F(['1', '{"a":1}'], ['0', '"$Q1"']) });
add({ name: 'malformed-set-non-array', description: '"$W1" over a string', body: F(['1', '"abc"'], ['0', '"$W1"']) });
add({ name: 'malformed-iterator-non-array', description: '"$i1" over a number', body: F(['1', '5'], ['0', '"$i1"']) });
add({ name: 'malformed-map-bad-entries', description: '"$Q1" over [1,2] (entries are not pairs)', body: F(['1', '[1,2]'], ['0', '"$Q1"']) });
add({ name: 'malformed-map-twice', description: '"$Q1" used twice', body: F(['1', '[[1,2]]'], ['0', '["$Q1","$Q1"]']) });
add({ name: 'malformed-set-twice', description: '"$W1" used twice', body: F(['1', '[1]'], ['0', '["$W1","$W1"]']) });
add({ name: 'malformed-iterator-twice', description: '"$i1" used twice', body: F(['1', '[1]'], ['0', '["$i1","$i1"]']) });
add({ name: 'malformed-map-and-set-same-part', description: '"$Q1" and "$W1" over the same part', body: F(['1', '[[1,2]]'], ['0', '["$Q1","$W1"]']) });
add({ name: 'ref-set-part-also-referenced', description: '"$W1" and "$1": a Set and the array it was built from', body: F(['1', '[1,2,1]'], ['0', '["$W1","$1"]']) });
add({ name: 'ref-map-part-pair-referenced', description: '"$Q1" and "$1:0": a Map and one of the pairs it was built from', body: F(['1', '[["a",1],["b",2]]'], ['0', '["$Q1","$1:0"]']) });
add({ name: 'ref-iterator-part-referenced-first', description: '"$1" then "$i1" over the same part', body: F(['1', '[1,2]'], ['0', '["$1","$i1"]']) });
add({ name: 'ref-set-part-also-promised', description: '"$W1" and "$@1" over the same part', body: F(['1', '[1]'], ['0', '["$W1","$@1"]']) });
add({ name: 'ref-map-part-from-other-part', description: '"$Q1" whose part is also reached through a path from part 2', body: F(['1', '[["a",{"x":1}]]'], ['2', '{"m":"$1:0:1"}'], ['0', '["$Q1","$2"]']) });
add({ name: 'malformed-stream-twice', description: '"$R1" used twice', body: F(['S1', '"a"'], ['S1', 'C'], ['0', '["$R1","$R1"]']) });
add({
  name: 'malformed-stream-no-rows',
  description: '"$R1" with no S1 rows: the stream never closes',
  body: S('{"s":"$R1"}'),
});
add({
  name: 'malformed-async-iterable-no-rows',
  description: '"$X1" with no S1 rows: never closes',
  body: S('["$X1"]'),
});
add({
  name: 'malformed-bytes-stream-non-binary',
  description: '"$r1" given a string chunk: the stream errors',
  body: F(['S1', '"x"'], ['S1', 'C'], ['0', '{"s":"$r1"}']),
});
add({
  name: 'malformed-stream-bad-json-chunk',
  description: 'stream chunk that is not JSON',
  body: F(['S1', '"a"'], ['S1', '{bad'], ['S1', 'C'], ['0', '"$R1"']),
});
add({
  name: 'malformed-stream-chunk-after-close',
  description: 'S1 rows "a", C, "b": rows after C are ignored',
  body: F(['S1', '"a"'], ['S1', 'C'], ['S1', '"b"'], ['0', '"$R1"']),
});
add({
  name: 'malformed-stream-close-with-value',
  description: 'ReadableStream closed with C"x" (value ignored)',
  body: F(['S1', '1'], ['S1', 'C"x"'], ['0', '"$R1"']),
});
add({
  name: 'malformed-async-iterator-return-object',
  description: '"$x1" closed with C{"a":1}',
  body: F(['S1', '"x"'], ['S1', 'C{"a":1}'], ['0', '"$x1"']),
});
add({
  name: 'malformed-stream-rows-without-reference',
  description: 'S1 rows but no $R1: ignored',
  body: F(['S1', '"a"'], ['S1', 'C'], ['0', '[1]']),
});
add({
  name: 'malformed-stream-file-row',
  description: 'an S1 row that is a file is ignored',
  body: F(['S1', fileEntry('blob', '', utf8('"a"'))], ['S1', '"b"'], ['S1', 'C'], ['0', '"$R1"']),
});
{
  // Objects of 20 keys (past the builder's 16-key fast check), each with one
  // thing that makes the server drop, move or merge a key.
  const keys = (extra) => '{' + Array.from({ length: 20 }, (_, i) => `"k${i}":${i}`).concat(extra).join(',') + '}';
  add({ name: 'value-object-20-keys', description: '20 distinct keys, nothing to drop or move', body: S(keys([])) });
  add({ name: 'value-object-20-keys-repeat', description: '20 keys, then "k3" again: first position, last value', body: S(keys(['"k3":"x"'])) });
  add({ name: 'value-object-20-keys-proto', description: '20 keys and "__proto__"', body: S(keys(['"__proto__":{"x":1}'])) });
  add({ name: 'value-object-20-keys-index', description: '20 keys and array-index keys "7" and "01"', body: S(keys(['"7":"i"', '"01":"j"'])) });
  add({ name: 'value-object-20-keys-undefined', description: '20 keys, one "$undefined"', body: S(keys(['"u":"$undefined"'])) });
  add({ name: 'value-object-20-keys-ref', description: '20 keys, one a reference resolved later', body: S(keys(['"r":"$0:k5"'])) });
}
add({ name: 'malformed-path-proto', description: 'path reference through __proto__', body: S('{"a":{"b":1},"c":"$0:a:__proto__"}') });
add({ name: 'malformed-path-constructor', description: 'path reference through constructor', body: S('{"a":{"b":1},"c":"$0:a:constructor"}') });
add({ name: 'malformed-path-missing-key', description: 'path reference to a missing key', body: S('{"a":{"b":1},"c":"$0:a:zz"}') });
add({ name: 'malformed-path-through-string', description: 'path reference into a string ("length")', body: S('{"a":"str","c":"$0:a:length"}') });
add({
  name: 'malformed-path-through-map',
  description: 'path reference through a Map object',
  body: F(['1', '[["k",{"s":1}]]'], ['0', '{"m":"$Q1","x":"$0:m:0"}']),
});
add({ name: 'malformed-path-to-missing-part', description: 'path reference into a missing part', body: S('{"x":"$1:a"}') });
add({ name: 'malformed-path-empty-segment', description: 'path reference "$0::a"', body: S('{"":{"a":1},"x":"$0::a"}') });
add({ name: 'malformed-self-reference-root', description: 'root "$0"', body: S('"$0"') });
add({ name: 'malformed-bigint-301', description: '"$n" + 301 digits', body: S(JSON.stringify(['$n' + digits(301)])) });
add({ name: 'malformed-bigint-300', description: '"$n" + 300 digits', body: S(JSON.stringify(['$n' + digits(300)])) });
add({ name: 'malformed-bigint-abc', description: '"$nabc"', body: S('["$nabc"]') });
add({ name: 'malformed-bigint-leading-zeros', description: '"$n007"', body: S('["$n007"]') });
add({ name: 'malformed-bigint-empty', description: '"$n" (empty)', body: S('["$n"]') });
add({ name: 'malformed-bigint-negative-zero', description: '"$n-0"', body: S('["$n-0"]') });
add({ name: 'malformed-bigint-hex', description: '"$n0x1f" and "$n 5 "', body: S('["$n0x1f","$n 5 "]') });
add({ name: 'malformed-date-garbage', description: '"$Dgarbage" gives an invalid Date', body: S('["$Dgarbage","$D","$D2020"]') });
add({
  name: 'malformed-server-ref-unknown',
  description: '$h with an id missing from the manifest',
  body: F(['1', '{"id":"nope#x","bound":null}'], ['0', '"$h1"']),
});
add({
  name: 'malformed-server-ref-inline-bound',
  description: '$h with an inline bound array: ignored, the function is unbound',
  body: F(['1', '{"id":"m#f","bound":[1,2]}'], ['0', '"$h1"']),
});
add({
  name: 'malformed-server-ref-non-string-id',
  description: '$h with a numeric id gives null',
  body: F(['1', '{"id":5,"bound":null}'], ['0', '["$h1"]']),
});
add({
  name: 'malformed-server-ref-then-key',
  description: 'a server reference under the key "then" gives null',
  body: F(['1', '{"id":"m#f","bound":null}'], ['0', '{"then":"$h1","ok":"$h1"}']),
});
add({
  name: 'malformed-server-ref-bound-not-array',
  description: '$h with bound promise resolving to a number: treated as []',
  body: F(['2', '5'], ['1', '{"id":"m#f","bound":"$@2"}'], ['0', '"$h1"']),
});
add({
  name: 'malformed-server-ref-bound-missing',
  description: '$h with a bound promise part that is missing',
  body: F(['1', '{"id":"m#f","bound":"$@2"}'], ['0', '{"f":"$h1"}']),
});
add({
  name: 'malformed-server-ref-missing-part',
  description: '$h pointing at a missing part',
  body: S('{"f":"$h1"}'),
});
add({
  name: 'malformed-server-ref-no-hash-unknown',
  description: '$h with an unknown id without "#"',
  body: F(['1', '{"id":"nopemodule","bound":null}'], ['0', '"$h1"']),
});
add({ name: 'malformed-temp-without-option', description: '$T without a temporary reference set', body: S('{"x":"$T"}') });
add({
  name: 'malformed-temp-with-option',
  description: '$T with the option: proxies with path ids',
  options: TEMP,
  body: S('{"x":"$T","y":["$T",{"z":"$T"}],"w:v":{"q":1}}'),
});
add({
  name: 'malformed-temp-under-colon-key',
  description: '$T under a key with ":" (no path) with the option',
  options: TEMP,
  body: S('{"a:b":"$T"}'),
});
add({ name: 'malformed-cyclic-thenable', description: '"$@1" with part 1 = "$@1"', body: F(['1', '"$@1"'], ['0', '"$@1"']) });
add({
  name: 'malformed-cyclic-thenable-nested',
  description: '{"p":"$@1"} with part 1 = "$@1"',
  body: F(['1', '"$@1"'], ['0', '{"p":"$@1"}']),
});
add({
  name: 'malformed-promise-cycle-1-2',
  description: 'part 1 = "$@2", part 2 = "$@1"',
  body: F(['1', '"$@2"'], ['2', '"$@1"'], ['0', '{"p":"$@1"}']),
});
add({
  name: 'malformed-outlined-cycle-1-2',
  description: 'part 1 = "$2", part 2 = "$1"',
  body: F(['1', '"$2"'], ['2', '"$1"'], ['0', '{"p":"$1"}']),
});
add({
  name: 'malformed-promise-part-bad-json',
  description: 'promise part that is not JSON',
  body: F(['1', '{bad'], ['0', '{"p":"$@1"}']),
});
add({
  name: 'malformed-outlined-part',
  description: '"$1" outlined plain part (what React.lazy produces)',
  body: F(['1', '{"x":[1,2]}'], ['0', '{"l":"$1"}']),
});
add({
  name: 'malformed-outlined-then-function',
  description: 'outlined server reference under "then" via $<hex>',
  body: F(['2', '{"id":"m#f","bound":null}'], ['1', '"$h2"'], ['0', '{"then":"$1"}']),
});
add({ name: 'malformed-duplicate-part-names', description: 'part "1" twice: the last wins', body: F(['1', '"first"'], ['1', '"second"'], ['0', '["$1"]']) });
add({ name: 'malformed-duplicate-root', description: 'part "0" twice: the last wins', body: F(['0', '"first"'], ['0', '"second"']) });
add({
  name: 'malformed-duplicate-blob',
  description: 'blob part "1" twice: the last wins',
  body: F(['1', fileEntry('a.txt', 'text/plain', utf8('a'))], ['1', fileEntry('b.txt', 'text/plain', utf8('b'))], ['0', '["$B1"]']),
});
add({
  name: 'malformed-part-string-and-blob',
  description: 'part "1" as a string and as a blob: both stores keep theirs',
  body: F(['1', '[[1,2]]'], ['1', fileEntry('blob', '', [1, 2])], ['0', '["$Q1","$B1"]']),
});
add({
  name: 'malformed-formdata-out-of-order',
  description: '_2_y before _1_x with ["$K1","$K2"]',
  body: F(['_2_y', '2'], ['_1_x', '1'], ['0', '["$K1","$K2"]']),
});
add({
  name: 'malformed-formdata-interleaved',
  description: '_1_a, _2_b, _1_c with ["$K1","$K2"]',
  body: F(['_1_a', '1'], ['_2_b', '2'], ['_1_c', '3'], ['0', '["$K1","$K2"]']),
});
add({
  name: 'malformed-formdata-k1-twice',
  description: '"$K1" twice: the second is empty',
  body: F(['_1_a', '1'], ['0', '["$K1","$K1"]']),
});
add({
  name: 'malformed-formdata-hex-prefix',
  description: '"$Ka" reads entries named _a_… (hex text, not decimal)',
  body: F(['_10_x', 'decimal'], ['_a_y', 'hex'], ['0', '["$Ka"]']),
});
add({
  name: 'malformed-formdata-unused-entries',
  description: '_1_ entries with no $K reference are ignored',
  body: F(['_1_a', '1'], ['0', '{"x":1}']),
});
add({
  name: 'malformed-formdata-file-entry',
  description: '$K entries with a file',
  body: F(['_1_f', fileEntry('n.txt', 'text/plain', utf8('n'))], ['_1_t', 'text'], ['0', '"$K1"']),
});
add({
  name: 'malformed-unknown-fields',
  description: 'extra unrelated fields are ignored',
  body: F(['x', 'y'], ['$ACTION_ID_a', ''], ['0', '[1]'], ['S', 'C'], ['_', '_']),
});
add({
  name: 'malformed-array-size-limit',
  description: '10 path references to a 1000-char array: each adds the (growing) count, past the 1e6 arraySizeLimit',
  body: S(JSON.stringify([['x'.repeat(1000)], ...Array.from({ length: 10 }, () => '$0:0')])),
});
add({
  name: 'malformed-array-size-under-limit',
  description: 'the same with 9 references (still under the limit)',
  body: S(JSON.stringify([['x'.repeat(1000)], ...Array.from({ length: 9 }, () => '$0:0')])),
});
add({
  name: 'malformed-proto-key-body',
  description: 'JSON with "__proto__" keys at several depths',
  body: S('{"__proto__":{"polluted":1},"a":{"__proto__":[1],"b":2},"c":[{"__proto__":null}]}'),
});
add({
  name: 'malformed-undefined-object-value',
  description: '{"a":"$undefined","b":1} deletes a',
  body: S('{"a":"$undefined","b":1,"c":"$u"}'),
});
add({
  name: 'malformed-dollar-escapes',
  description: 'server side of "$$", "$$$", "$$undefined"',
  body: S('["$$","$$$","$$undefined","$$1"]'),
});
add({
  name: 'malformed-root-dollar-string',
  description: 'root string "$$x"',
  body: S('"$$x"'),
});
add({
  name: 'malformed-root-primitive-strings',
  description: 'root JSON true',
  body: S('true'),
});
add({
  name: 'malformed-large-part-id',
  description: 'reference to part 0x7fffffff that is missing',
  body: S('["$7fffffff"]'),
});
add({
  name: 'malformed-promise-part-value-undefined',
  description: 'promise part "$undefined"',
  body: F(['1', '"$undefined"'], ['0', '["$@1"]']),
});
add({
  name: 'malformed-typed-array-shared-blob-path',
  description: '["$o1","$0:0"] by hand',
  body: F(['1', fileEntry('blob', '', [1, 2])], ['0', '["$o1","$0:0"]']),
});

// ---------------------------------------------------------------------------
// action-* (decodeAction / decodeFormState)

// What React DOM SSR does for <form action={ref}>: $$FORM_ACTION(prefix) -> {name, data}.
async function formAction(reference, prefix) {
  for (;;) {
    try {
      return reference.$$FORM_ACTION(prefix);
    } catch (x) {
      if (x !== null && typeof x === 'object' && typeof x.then === 'function') {
        await x.then(
          () => {},
          () => {}
        );
        continue;
      }
      throw x;
    }
  }
}
async function actionFields(reference, prefix) {
  const { name, data } = await formAction(reference, prefix);
  const out = [[name, '']];
  if (data) out.push(...(await bodyOf(data)).formData);
  return out;
}
const echo = () => Client.createServerReference('mod#echo');
const userFields = [['title', 'hello']];

add({
  name: 'action-id-unbound',
  description: '<form action={echo}>: $ACTION_ID_mod#echo',
  action: async () => [...(await actionFields(echo(), '1')), ...userFields],
});
add({
  name: 'action-ref-bound',
  description: "<form action={echo.bind(null,'x',2)}>",
  action: async () => [...(await actionFields(echo().bind(null, 'x', 2), '1')), ...userFields],
});
add({
  name: 'action-ref-bound-object',
  description: 'bound {deep:[1]}',
  action: async () => [...(await actionFields(echo().bind(null, { deep: [1] }), '1')), ...userFields],
});
add({
  name: 'action-ref-bound-date-map',
  description: 'bound Date and Map (extra parts under the prefix)',
  action: async () => [
    ...(await actionFields(echo().bind(null, new Date(0), new Map([['k', 1]])), '1')),
    ...userFields,
  ],
});
add({
  name: 'action-ref-bound-promise',
  description: 'bound promise argument',
  action: async () => [...(await actionFields(echo().bind(null, Promise.resolve('later')), '1')), ...userFields],
});
add({
  name: 'action-ref-bound-empty',
  description: 'echo.bind(null): bound []',
  action: async () => [...(await actionFields(echo().bind(null), '1')), ...userFields],
});
add({
  name: 'action-ref-bound-null',
  description: '$ACTION_REF_1 with {"id":…,"bound":null}: unbound',
  action: [['$ACTION_REF_1', ''], ['$ACTION_1:0', '{"id":"mod#echo","bound":null}'], ...userFields],
});
add({
  name: 'action-prefix-p3',
  description: 'identifierPrefix P3: $ACTION_REF_P3 / $ACTION_P3:n',
  action: async () => [...(await actionFields(echo().bind(null, 1), 'P3')), ...userFields],
});
add({
  name: 'action-none',
  description: 'no $ACTION_ fields: null',
  action: [['title', 'hello'], ['x', 'y']],
});
add({
  name: 'action-empty-body',
  description: 'empty form: null',
  action: [],
});
add({
  name: 'action-last-wins',
  description: 'two $ACTION_ID_ fields: the last one is used',
  action: [['$ACTION_ID_mod#first', ''], ['$ACTION_ID_mod#second', ''], ...userFields],
});
add({
  name: 'action-ref-then-id',
  description: '$ACTION_REF_1 then $ACTION_ID_: the ID (last) is used',
  action: [
    ['$ACTION_REF_1', ''],
    ['$ACTION_1:0', '{"id":"mod#ref","bound":"$@1"}'],
    ['$ACTION_1:1', '[1]'],
    ['$ACTION_ID_mod#id', ''],
  ],
});
add({
  name: 'action-id-then-ref',
  description: '$ACTION_ID_ then $ACTION_REF_1: the REF (last) is used',
  action: [
    ['$ACTION_ID_mod#id', ''],
    ['$ACTION_REF_1', ''],
    ['$ACTION_1:0', '{"id":"mod#ref","bound":"$@1"}'],
    ['$ACTION_1:1', '[1]'],
  ],
});
add({
  name: 'action-id-value-ignored',
  description: 'the value of $ACTION_ID_ is ignored',
  action: [['$ACTION_ID_mod#echo', 'ignored value'], ...userFields],
});
add({
  name: 'action-id-unknown',
  description: '$ACTION_ID_ with an id missing from the manifest',
  action: [['$ACTION_ID_nope#x', ''], ...userFields],
});
add({
  name: 'action-ref-unknown',
  description: '$ACTION_REF_ whose id is missing from the manifest',
  action: [['$ACTION_REF_1', ''], ['$ACTION_1:0', '{"id":"nope#x","bound":null}']],
});
add({
  name: 'action-ref-missing-part0',
  description: '$ACTION_REF_1 with no $ACTION_1:0',
  action: [['$ACTION_REF_1', ''], ...userFields],
});
add({
  name: 'action-ref-root-number',
  description: '$ACTION_1:0 = 5',
  action: [['$ACTION_REF_1', ''], ['$ACTION_1:0', '5']],
});
add({
  name: 'action-ref-root-null',
  description: '$ACTION_1:0 = null',
  action: [['$ACTION_REF_1', ''], ['$ACTION_1:0', 'null']],
});
add({
  name: 'action-ref-bad-json',
  description: '$ACTION_1:0 is not JSON',
  action: [['$ACTION_REF_1', ''], ['$ACTION_1:0', '{bad']],
});
add({
  name: 'action-ref-prefix-mismatch',
  description: '$ACTION_REF_A with parts under $ACTION_B:',
  action: [['$ACTION_REF_A', ''], ['$ACTION_B:0', '{"id":"mod#echo","bound":null}']],
});
add({
  name: 'action-ref-bound-missing-part',
  description: 'bound "$@1" with no $ACTION_1:1',
  action: [['$ACTION_REF_1', ''], ['$ACTION_1:0', '{"id":"mod#echo","bound":"$@1"}']],
});
add({
  name: 'action-ref-1000-bound',
  description: '1000 bound arguments',
  action: async () => actionFields(echo().bind(null, ...range(1000)), '1'),
});
add({
  name: 'action-ref-1001-bound',
  description: '1001 bound arguments: rejected',
  action: async () => actionFields(echo().bind(null, ...range(1001)), '1'),
});
add({
  name: 'action-with-files',
  description: 'user fields include files; they pass through',
  action: async () => [
    ...(await actionFields(echo(), '1')),
    ['doc', fileEntry('a.txt', 'text/plain', utf8('A'))],
    ['title', 'hello'],
    ['doc', fileEntry('blob', '', [])],
  ],
});
add({
  name: 'action-fields-stripped',
  description: 'every $ACTION_ field is removed from the FormData given to the action',
  action: [
    ['a', '1'],
    ['$ACTION_ID_mod#echo', ''],
    ['$ACTION_KEY', 'k1'],
    ['$ACTION_FOO', 'bar'],
    ['$ACTION_1:0', 'x'],
    ['b', '2'],
    ['a', '3'],
  ],
});
add({
  name: 'action-user-fields-first',
  description: 'user fields before the action fields',
  action: async () => [...userFields, ['n', '2'], ...(await actionFields(echo().bind(null, 'b'), '1'))],
});
add({
  name: 'action-form-state',
  description: 'useActionState(counterRef, {count:0}): $ACTION_KEY present',
  action: async () => [
    ...(await actionFields(Client.createServerReference('mod#counter').bind(null, { count: 0 }), '1')),
    ['$ACTION_KEY', 'k1982680605'],
  ],
});
add({
  name: 'action-form-state-permalink',
  description: 'useActionState with a permalink: key "p/counter"',
  action: async () => [
    ...(await actionFields(Client.createServerReference('mod#counter').bind(null, { count: 2 }), '1')),
    ['$ACTION_KEY', 'p/counter'],
  ],
});
add({
  name: 'action-form-state-id-only',
  description: '$ACTION_KEY with an $ACTION_ID_ form: decodeFormState gives null',
  action: [['$ACTION_ID_mod#counter', ''], ['$ACTION_KEY', 'k1']],
});
add({
  name: 'action-form-state-bound-null',
  description: '$ACTION_KEY with a REF whose bound is null: null',
  action: [['$ACTION_REF_1', ''], ['$ACTION_1:0', '{"id":"mod#counter","bound":null}'], ['$ACTION_KEY', 'k1']],
});
add({
  name: 'action-form-state-bound-empty',
  description: '$ACTION_KEY with bound []: boundLength -1',
  action: async () => [
    ...(await actionFields(Client.createServerReference('mod#counter').bind(null), '1')),
    ['$ACTION_KEY', 'k2'],
  ],
});
add({
  name: 'action-form-state-two-bound',
  description: '$ACTION_KEY with two bound arguments: boundLength 1',
  action: async () => [
    ...(await actionFields(Client.createServerReference('mod#counter').bind(null, 'a', 'b'), 'Q')),
    ['$ACTION_KEY', 'kQ'],
    ['field', 'v'],
  ],
});

export default cases;
