// Case list for gen-response-vectors.mjs (response direction).
//
// Value case:  { name, description, options?, schedule?, value: <notation> }
//   The value is rendered by the production and the development server
//   (renderToReadableStream), and each stream is decoded by the client of the same
//   flavour.  `schedule` (see README "Timing") names nodes of `value` (promises, streams,
//   async iterables) that settle step by step instead of at once.
// Stream case: { name, description, options?, stream: [chunk…], flavours?: ['prod','dev'],
//                close?: bool (default true) }
//   A hand-written byte stream (chunks: strings are UTF-8 encoded; arrays of numbers and
//   Uint8Arrays are raw bytes) decoded by the clients listed in `flavours` (default both).
// Mutated case: { name, description, from: {value, schedule?, options?},
//                 mutate: (chunks: Uint8Array[], flavour) => chunk[], flavours?, close? }
//   The rendered stream of each flavour, changed by `mutate`, then decoded.
//
// Nothing here is an expected output: every result is computed by running React.

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
const sym = (s) => ({ symbol: s });
const node = (n, v) => ({ node: [n, v] });
const ref = (n) => ({ ref: n });
const b64 = (bytes) => Buffer.from(bytes).toString('base64');
const ta = (kind, bytes) => ({ typedArray: { kind, base64: b64(bytes) } });
const ab = (bytes) => ({ arrayBuffer: b64(bytes) });
const blob = (type, bytes) => ({ blob: { type, base64: b64(bytes) } });
const file = (name, type, bytes) => ({ file: { name, type, base64: b64(bytes) } });
const fd = (...entries) => ({ formData: entries });
const sref = (id, bound = null) => ({ serverReference: { id, bound } });
const cref = (id, name) => ({ clientReference: { id, name } });
const tref = (id) => ({ temporaryReference: id });
const comp = (name) => ({ component: name });
const ok = (v) => ({ promise: { fulfilled: v } });
const rej = (v) => ({ promise: { rejected: v } });
const PENDING = { promise: 'pending' };
const err = (message) => ({ error: { message } });
const inst = (name) => ({ instance: name });
const el = (type, key, ...props) => ({ element: { type, key, props: obj(...props) } });
const aiter = (items, ret = U) => ({ asyncIterable: { items, return: ret } });
const aiterator = (items, ret = U) => ({ asyncIterator: { items, return: ret } });
const rs = (...items) => ({ readableStream: items });
const bs = (...chunks) => ({ byteStream: chunks.map(b64) });
const errored = (kind, items, error) => ({ errored: { kind, items, error } });
const iter = (...items) => ({ iterator: items });
const FRAGMENT = sym('react.fragment');
const SUSPENSE = sym('react.suspense');
const TEMP = { temporaryReferences: true };

function pattern(n, seed = 7) {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed) & 255;
  return out;
}
function digits(n, first = '1') {
  let s = first;
  for (let i = 1; i < n; i++) s += String((i * 7 + 3) % 10);
  return s;
}
const cat = (...parts) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));
const latin1 = (s) => Buffer.from(s, 'latin1');

const cases = [];
const add = (c) => cases.push(c);

// ---------------------------------------------------------------------------
// value-*: scalars
add({ name: 'value-null', description: 'root null', value: null });
add({ name: 'value-booleans', description: 'array of true and false', value: arr(true, false) });
add({ name: 'value-undefined-root', description: 'root undefined ($undefined)', value: U });
add({ name: 'value-integer-root', description: 'root number', value: 42 });
add({
  name: 'value-number-edges',
  description: 'number edge cases: -0, NaN, infinities, exponent formatting, extremes',
  value: arr(0, num('-0'), num('NaN'), num('Infinity'), num('-Infinity'), 1.5, -1e-7, 1e-6, 1e21, 1e20, 5e-324,
    1.7976931348623157e308, 9007199254740992, -9007199254740991, 0.1, 123456789.125),
});
add({ name: 'value-negative-zero-root', description: 'root -0', value: num('-0') });
add({ name: 'value-nan-root', description: 'root NaN', value: num('NaN') });
add({ name: 'value-infinity-root', description: 'root Infinity', value: num('Infinity') });
add({
  name: 'value-bigint',
  description: 'bigints: zero, negative, 2^64, a 300-digit value',
  value: arr(big('0'), big('-5'), big('18446744073709551616'), big(digits(300))),
});
add({ name: 'value-bigint-root', description: 'root bigint', value: big('-123456789012345678901234567890') });
add({
  name: 'value-dates',
  description: 'dates: epoch, milliseconds, invalid date, 6-digit year, negative year',
  value: obj(['epoch', date('1970-01-01T00:00:00.000Z')], ['ms', date('2024-01-02T03:04:05.006Z')],
    ['invalid', date(null)], ['far', date('+010000-01-01T00:00:00.000Z')], ['bc', date('-000001-01-01T00:00:00.000Z')]),
});
add({ name: 'value-date-root', description: 'root Date', value: date('2024-05-06T07:08:09.010Z') });
add({ name: 'value-string-root', description: 'root string', value: 'hello' });
add({ name: 'value-string-empty', description: 'root empty string', value: '' });
add({
  name: 'value-string-dollar',
  description: 'strings starting with $ are escaped with one more $',
  value: arr('$', '$$', '$a', '$undefined', '$@1', '$L1', '$S1', '$h1', '$Z', '@x', 'a$', '$1:a'),
});
add({ name: 'value-string-dollar-root', description: 'root string "$"', value: '$' });
add({
  name: 'value-string-unicode',
  description: 'non-ASCII strings, U+2028/2029, control characters, NUL',
  value: arr('é', '日本語', '😀', '\u2028\u2029', '\u0000\u0001\u001f', 'tab\there', 'new\nline', 'quote"back\\slash'),
});
add({
  name: 'value-string-lone-surrogates',
  description: 'lone surrogates in short strings (JSON-escaped)',
  value: arr('\ud800', '\udc00', 'a\ud800b', '\udbff\udfff', '\udfff\ud800'),
});
add({
  name: 'value-string-looks-like-date',
  description: 'a string ending in Z that is not a Date',
  value: obj(['s', '2024-01-01T00:00:00.000Z']),
});
add({
  name: 'value-symbol-for',
  description: 'Symbol.for values, the same symbol twice ($S row referenced twice)',
  value: obj(['a', sym('my.sym')], ['b', sym('my.sym')], ['c', sym('other')]),
});
add({ name: 'value-symbol-root', description: 'root Symbol.for', value: sym('root.sym') });
add({ name: 'value-symbol-react-fragment', description: 'Symbol.for("react.fragment") as a plain value', value: arr(FRAGMENT) });
add({ name: 'value-symbol-empty-name', description: 'Symbol.for("")', value: arr(sym('')) });

// value-*: containers
add({ name: 'value-empty-object', description: 'root {}', value: obj() });
add({ name: 'value-empty-array', description: 'root []', value: arr() });
add({
  name: 'value-object-nested',
  description: 'nested objects and arrays',
  value: obj(['a', 1], ['b', obj(['c', arr(1, 2, arr(3, obj(['d', null])))])], ['e', arr()], ['f', obj()]),
});
add({
  name: 'value-object-odd-keys',
  description: 'keys: empty, integer-like (JS orders them first), with ":" and "$", "then", "toJSON"-free',
  value: obj(['', 1], ['b', 2], ['a:b', 3], ['$k', 4], ['then', 5], ['__proto', 6], ['10', 7], ['2', 8]),
});
add({
  name: 'value-object-proto-key',
  description: 'an own "__proto__" key',
  value: obj(['__proto__', obj(['polluted', true])], ['y', 2]),
});
add({
  name: 'value-undefined-members',
  description: 'undefined as object member and array items',
  value: obj(['u', U], ['a', arr(U, 1, U)]),
});
add({
  name: 'value-map',
  description: 'Map with string, number, object, null keys',
  value: map(['k', 1], [2, 'two'], [obj(['o', 1]), 'obj'], [null, U]),
});
add({ name: 'value-map-empty', description: 'empty Map', value: map() });
add({ name: 'value-set', description: 'Set of mixed values', value: set(1, 'two', obj(['three', 3]), null) });
add({ name: 'value-set-empty', description: 'empty Set', value: set() });
add({
  name: 'value-map-set-nested',
  description: 'Map containing a Set containing a Map',
  value: map(['s', set(map(['inner', arr(1, 2)]), 'x')]),
});
add({
  name: 'value-formdata',
  description: 'FormData with repeated names, a File and a Blob',
  value: fd(['a', '1'], ['a', '2'], ['f', file('x.txt', 'text/plain', [0x78, 0x79, 0x7a])], ['b', file('blob', '', [0x62, 0x62])]),
});
add({ name: 'value-formdata-empty', description: 'empty FormData', value: fd() });
add({ name: 'value-blob', description: 'Blob with a type', value: blob('text/plain', Buffer.from('hello')) });
add({ name: 'value-blob-empty', description: 'empty Blob, no type', value: blob('', []) });
add({ name: 'value-blob-binary', description: 'Blob of 5000 bytes (more than one 4096 view)', value: blob('application/octet-stream', pattern(5000)) });
add({ name: 'value-file', description: 'a File (sent as a Blob: the name is lost)', value: file('h.txt', 'text/plain', Buffer.from('hi')) });
add({ name: 'value-arraybuffer', description: 'ArrayBuffer', value: ab([1, 2, 3, 4]) });
add({ name: 'value-arraybuffer-empty', description: 'empty ArrayBuffer', value: ab([]) });
add({ name: 'value-iterator', description: 'a generator (its own iterator) -> $i', value: obj(['it', iter(1, 'a', obj(['b', 2]))]) });
add({ name: 'value-iterator-empty', description: 'an exhausted-at-once generator', value: iter() });
add({
  name: 'value-typed-arrays-all',
  description: 'one of every typed array kind and a DataView in one array',
  value: arr(ta('Int8Array', [0xff, 1]), ta('Uint8Array', [1, 2, 3]), ta('Uint8ClampedArray', [255, 0]),
    ta('Int16Array', [0xfe, 0xff]), ta('Uint16Array', [1, 0]), ta('Int32Array', [0xff, 0xff, 0xff, 0xff]),
    ta('Uint32Array', [1, 0, 0, 0]), ta('Float32Array', [0, 0, 0xc0, 0x7f]), ta('Float64Array', [0, 0, 0, 0, 0, 0, 0xf8, 0x3f]),
    ta('BigInt64Array', [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), ta('BigUint64Array', [1, 0, 0, 0, 0, 0, 0, 0]),
    ta('DataView', [9, 8])),
});

// binary-*: each typed array kind on its own, and sizes
const KINDS = [
  ['int8', 'Int8Array', 1], ['uint8', 'Uint8Array', 1], ['uint8-clamped', 'Uint8ClampedArray', 1],
  ['int16', 'Int16Array', 2], ['uint16', 'Uint16Array', 2], ['int32', 'Int32Array', 4], ['uint32', 'Uint32Array', 4],
  ['float32', 'Float32Array', 4], ['float64', 'Float64Array', 8], ['bigint64', 'BigInt64Array', 8],
  ['biguint64', 'BigUint64Array', 8], ['dataview', 'DataView', 1],
];
for (const [slug, kind, size] of KINDS) {
  add({
    name: 'binary-' + slug,
    description: kind + ' of ' + 4 * size + ' bytes (4 elements), inside an object',
    value: obj(['v', ta(kind, pattern(4 * size, size))]),
  });
}
add({ name: 'binary-float64-nan-bits', description: 'Float64Array holding NaN, -0 and Infinity bit patterns', value: ta('Float64Array', [...new Uint8Array(new Float64Array([NaN, -0, Infinity]).buffer)]) });
for (const n of [0, 1, 4095, 4096, 4097, 100000]) {
  add({ name: 'binary-uint8-' + n, description: 'Uint8Array of ' + n + ' bytes', value: obj(['v', ta('Uint8Array', pattern(n))]) });
}
add({ name: 'binary-uint8-root', description: 'root Uint8Array', value: ta('Uint8Array', [10, 58, 44, 10]) });
add({ name: 'binary-int32-4100', description: 'Int32Array of 4100 bytes (over 4096: written as its own chunk)', value: ta('Int32Array', pattern(4100)) });
add({ name: 'binary-newline-bytes', description: 'bytes that look like row syntax (":", "\\n", ",")', value: arr(ta('Uint8Array', Buffer.from('\n:,\n0:"x"\n')), 'after') });

// text-*: strings that become T rows
const ascii = (n, c = 'x') => c.repeat(n);
for (const n of [1023, 1024, 1025]) {
  add({ name: 'text-ascii-' + n, description: n + ' ASCII characters (T row from 1024 UTF-16 units)', value: obj(['s', ascii(n)]) });
}
for (const n of [1023, 1024]) {
  add({ name: 'text-2byte-' + n, description: n + ' x "é" (2 UTF-8 bytes each)', value: obj(['s', 'é'.repeat(n)]) });
}
add({ name: 'text-3byte-1024', description: '1024 x "日" (3 UTF-8 bytes each)', value: obj(['s', '日'.repeat(1024)]) });
add({ name: 'text-emoji-512', description: '512 emoji = 1024 UTF-16 units, 2048 bytes', value: obj(['s', '😀'.repeat(512)]) });
add({ name: 'text-emoji-511-plus-one', description: '511 emoji + "a" = 1023 units: stays inline', value: obj(['s', '😀'.repeat(511) + 'a']) });
add({ name: 'text-dollar-1101', description: 'a 1101-character string starting with "$" (no escaping in T rows)', value: obj(['s', '$' + 'y'.repeat(1100)]) });
add({ name: 'text-newlines-1024', description: 'a long string full of newlines and row-like text', value: obj(['s', ('0:"x"\n1:T5,abcde').repeat(64) + 'z'.repeat(64)]) });
add({ name: 'text-root-2000', description: 'a long string as the root', value: 'r'.repeat(2000) });
add({ name: 'text-lone-surrogate-1024', description: 'a 1024-unit string with a lone surrogate (UTF-8 encoding of the T row)', value: obj(['s', '\ud800' + 'a'.repeat(1023)]) });
add({ name: 'text-100000', description: 'a 100000-character string', value: obj(['s', 'abcdefghij'.repeat(10000)]) });
add({ name: 'text-twice', description: 'the same long string twice (strings have no identity)', value: arr(ascii(1500, 'q'), ascii(1500, 'q')) });
add({ name: 'text-map-key', description: 'a long string as a Map key', value: map([ascii(1024, 'k'), 1]) });

// ref-*: shared and cyclic values
add({ name: 'ref-shared-object-array', description: 'shared object in an array and nested', value: arr(node('s', obj(['s', 1])), ref('s'), obj(['deep', ref('s')])) });
add({ name: 'ref-shared-deep-path', description: 'shared object first seen deep', value: obj(['a', obj(['b', obj(['c', node('c', obj(['c', 1]))])])], ['again', ref('c')]) });
add({ name: 'ref-cycle-object', description: 'object that contains itself', value: node('c', obj(['name', 'c'], ['self', ref('c')])) });
add({ name: 'ref-cycle-array', description: 'array that contains itself', value: node('a', arr(1, ref('a'))) });
add({ name: 'ref-mutual', description: 'two objects referencing each other', value: arr(node('a', obj(['n', 'a'], ['b', node('b', obj(['n', 'b'], ['a', ref('a')]))])), ref('b')) });
add({ name: 'ref-shared-array', description: 'the same array twice', value: obj(['x', node('arr', arr(1, 2))], ['y', ref('arr')]) });
add({ name: 'ref-key-with-colon', description: 'shared object under a key containing ":" (no path reference)', value: obj(['a:b', node('o', obj(['v', 1]))], ['c', ref('o')]) });
add({ name: 'ref-map-self', description: 'Map containing itself as a value', value: node('m', map(['self', ref('m')])) });
add({ name: 'ref-map-shared-key-value', description: 'the same object as Map key and value, and in the root', value: obj(['o', node('o', obj(['k', 1]))], ['m', map([ref('o'), ref('o')])]) });
add({ name: 'ref-set-self', description: 'Set containing itself', value: node('s', set(1, ref('s'))) });
add({ name: 'ref-map-twice', description: 'the same Map twice', value: arr(node('m', map(['a', 1])), ref('m')) });
add({ name: 'ref-set-twice', description: 'the same Set twice', value: arr(node('s', set(1)), ref('s')) });
add({ name: 'ref-typed-array-twice', description: 'the same Uint8Array twice', value: arr(node('t', ta('Uint8Array', [1, 2, 3])), ref('t')) });
add({ name: 'ref-blob-twice', description: 'the same Blob twice', value: arr(node('b', blob('text/plain', Buffer.from('bb'))), ref('b')) });
add({ name: 'ref-formdata-twice', description: 'the same FormData twice', value: arr(node('f', fd(['a', '1'])), ref('f')) });
add({ name: 'ref-first-inside-map', description: 'object first written inside a Map, later in the root', value: obj(['m', map(['k', node('s', obj(['s', 1]))])], ['later', ref('s')]) });
add({ name: 'ref-in-set-and-root', description: 'object in a Set and in the root', value: obj(['first', node('s', obj(['s', 1]))], ['set', set(ref('s'))]) });
add({ name: 'ref-date-twice', description: 'the same Date object twice (Dates have no identity in notation)', value: arr(date('2020-01-01T00:00:00.000Z'), date('2020-01-01T00:00:00.000Z')) });
add({
  name: 'ref-promise-value-already-written',
  description: 'promise resolving (later) to an object already written',
  value: obj(['o', node('o', obj(['o', 1]))], ['p', node('p', ok(ref('o')))]),
  schedule: [['p']],
});
add({ name: 'ref-promise-twice', description: 'the same promise twice', value: arr(node('p', ok(1)), ref('p')) });
add({ name: 'ref-cycle-through-promise', description: 'object whose promise resolves to the object itself', value: node('o', obj(['p', node('p', ok(ref('o')))])), schedule: [['p']] });
add({ name: 'ref-shared-in-stream-chunks', description: 'object in the root and inside stream chunks', value: obj(['o', node('o', obj(['v', 1]))], ['s', node('s', rs(ref('o'), ref('o')))]), schedule: [['s'], ['s'], ['s']] });
add({ name: 'ref-shared-element-props', description: 'the same object as two element props', value: el('div', null, ['a', node('o', obj(['v', 1]))], ['b', ref('o')]) });
add({ name: 'ref-element-twice', description: 'the same element object twice', value: arr(node('e', el('span', null, ['children', 'x'])), ref('e')) });
add({ name: 'ref-bound-arg-shared', description: 'a bound argument that is also in the root', value: obj(['o', node('o', obj(['v', 1]))], ['f', sref('mod#echo', [ref('o')])]) });
add({ name: 'ref-async-iterable-items-shared', description: 'the same object yielded twice by an async iterable', value: obj(['o', node('o', obj(['v', 1]))], ['it', aiter([ref('o'), ref('o')])]) });
add({ name: 'ref-shared-iterator-item', description: 'object in the root and yielded by a generator ($i)', value: obj(['o', node('o', obj(['v', 1]))], ['it', iter(ref('o'), ref('o'))]) });
add({ name: 'ref-shared-across-promises', description: 'two promises resolving to the same object', value: arr(node('a', ok(node('o', obj(['v', 1])))), node('b', ok(ref('o')))), schedule: [['b'], ['a']] });
add({ name: 'ref-cycle-array-map', description: 'array containing a Map that contains the array', value: node('a', arr(map(['back', ref('a')]))) });
add({ name: 'ref-bound-function-twice', description: 'the same bound server reference twice', value: arr(node('f', sref('mod#echo', [1])), ref('f')) });
add({ name: 'ref-shared-async-iterator-return', description: 'async iterator whose return value is an object already yielded', value: aiterator([node('o', obj(['v', 1]))], ref('o')) });
add({ name: 'ref-stream-twice', description: 'the same ReadableStream twice', value: arr(node('s', rs('a')), ref('s')) });

// element-*
add({ name: 'element-host', description: 'host element with props', value: el('div', null, ['className', 'x'], ['id', 'main']) });
add({ name: 'element-host-key', description: 'host element with a key', value: el('li', 'k1', ['children', 'one']) });
add({
  name: 'element-nested',
  description: 'nested host elements and text children',
  value: el('div', null, ['className', 'x'], ['children', arr('hi', el('b', null, ['children', 1]), el('i', null, ['children', arr('a', 'b')]))]),
});
add({ name: 'element-keyed-list', description: 'a list of keyed children', value: el('ul', null, ['children', arr(el('li', 'a', ['children', 'A']), el('li', 'b', ['children', 'B']), el('li', 'c', ['children', 'C']))]) });
add({ name: 'element-unkeyed-list', description: 'a list of children without keys (dev key warning)', value: el('ul', null, ['children', arr(el('li', null, ['children', 'A']), el('li', null, ['children', 'B']))]) });
add({ name: 'element-fragment-keyed', description: 'keyed Fragment inside a host element', value: el('div', null, ['children', arr(el(FRAGMENT, 'f', ['children', arr('a', 'b')]))]) });
add({ name: 'element-fragment-root', description: 'unkeyed Fragment at the root (rendered as its children)', value: el(FRAGMENT, null, ['children', arr('a', el('b', null))]) });
add({
  name: 'element-fragment-childless-twice',
  description: 'an unkeyed Fragment without children, used twice: written as $undefined (deleting its key), then referred to by that path, which React cannot resolve (found by fuzzing)',
  value: obj(['a', node('f', el(FRAGMENT, null, ['x', 1]))], ['b', ref('f')]),
});
add({ name: 'element-no-props', description: 'element with no props', value: el('br', null) });
add({
  name: 'element-special-props',
  description: 'props with Date, bigint, undefined, -0, a Map and a $-string',
  value: el('div', null, ['d', date('2020-01-01T00:00:00.000Z')], ['n', big('12')], ['u', U], ['z', num('-0')], ['m', map(['k', 'v'])], ['s', '$x']),
});
add({ name: 'element-in-map-and-promise', description: 'elements as a Map value and as a promise value', value: obj(['m', map(['e', el('p', null, ['children', 'in map'])])], ['p', ok(el('p', null, ['children', 'in promise']))]) });
add({
  name: 'element-suspense-pending-child',
  description: 'Suspense with an async child that resolves in a later step',
  value: el(SUSPENSE, null, ['fallback', 'loading'], ['children', arr(el(comp('Await'), null, ['value', node('p', ok('slow'))]), el(FRAGMENT, 'f', ['children', arr('a', 'b')]))]),
  schedule: [['p']],
});
add({
  name: 'element-suspense-never',
  description: 'Suspense whose async child never resolves (stream stays open)',
  value: el(SUSPENSE, null, ['fallback', 'loading'], ['children', el(comp('Await'), null, ['value', PENDING])]),
});
add({ name: 'element-suspense-list-symbol', description: 'SuspenseList and Profiler symbol types', value: arr(el(sym('react.suspense_list'), null, ['children', 'x']), el(sym('react.profiler'), null, ['id', 'p'], ['children', 'y'])) });
add({ name: 'element-server-component', description: 'a server component returning its children', value: el(comp('Echo'), null, ['children', el('span', null, ['children', 'echo'])]) });
add({ name: 'element-server-component-creates-element', description: 'a server component that creates an element (dev owner)', value: el(comp('Box'), null, ['children', 'boxed']) });
add({ name: 'element-server-component-keyed', description: 'a keyed server component', value: arr(el(comp('Echo'), 'k', ['children', 'a'])) });
add({ name: 'element-async-component', description: 'an async server component resolving later', value: el('div', null, ['children', el(comp('Await'), null, ['value', node('p', ok(el('b', null, ['children', 'done'])))])]), schedule: [['p']] });
add({ name: 'element-async-component-root', description: 'an async server component at the root', value: el(comp('Await'), null, ['value', node('p', ok('root'))]), schedule: [['p']] });
add({ name: 'element-async-iterable-child', description: 'an async iterable as element children', value: el('div', null, ['children', aiter(['a', 'b'])]) });
add({ name: 'element-large-row', description: '400 children: the row grows past MAX_ROW_SIZE (3200)', value: el('ul', null, ['children', { array: Array.from({ length: 400 }, (_, i) => el('li', 'k' + i, ['children', 'item ' + i])) }]) });
add({ name: 'element-deep', description: '60 nested divs', value: (() => { let v = 'leaf'; for (let i = 0; i < 60; i++) v = el('div', null, ['children', v]); return v; })() });
add({ name: 'element-in-array-root', description: 'array of elements at the root', value: arr(el('a', null), el('b', null)) });
add({ name: 'element-type-temporary-reference', description: 'a temporary reference as element type', options: TEMP, value: el(tref('0:Comp'), null, ['x', 1]) });

// client-*: client references
const BUTTON = cref('components/client/Button.js', 'Button');
add({ name: 'client-component', description: 'client component element ($L + I row; long module id outlined)', value: el(BUTTON, null, ['label', 'x']) });
add({ name: 'client-component-short-id', description: 'client component with a module id under 16 chars (inline in the I row)', value: el(cref('btn', 'Button'), null, ['label', 'x']) });
add({ name: 'client-component-twice', description: 'the same client component twice (one I row)', value: arr(el(BUTTON, '1', ['label', 'a']), el(BUTTON, '2', ['label', 'b'])) });
add({ name: 'client-component-chunks', description: 'client component whose module has two chunks (long chunk names outlined)', value: el(cref('chunked/Widget', 'Widget'), null) });
add({ name: 'client-component-async-module', description: 'client component from an async module (4-entry I row)', value: el(cref('async/Lazy', 'Lazy'), null) });
add({ name: 'client-component-default-export', description: 'client reference with export name "default"', value: el(cref('mod', 'default'), null) });
add({ name: 'client-reference-value', description: 'client references as plain values (not element types)', value: obj(['c', BUTTON], ['d', BUTTON], ['e', cref('other', 'Thing')]) });
add({ name: 'client-reference-star', description: 'client reference with export name "*" (the whole module)', value: obj(['m', cref('mod-star', '*')]) });
add({ name: 'client-reference-missing', description: 'client reference whose module is not in the manifest', value: obj(['c', cref('nope/Missing', 'X')]) });
add({ name: 'client-component-missing', description: 'client component element whose module is missing', value: el('div', null, ['children', el(cref('nope/Missing', 'X'), null)]) });
add({ name: 'client-component-children', description: 'client component with element children and a nested client component', value: el(BUTTON, null, ['children', arr(el('b', null, ['children', 'bold']), el(cref('components/client/Icon.js', 'Icon'), null, ['name', 'star']))]) });

// server-ref-*
add({ name: 'server-ref-unbound', description: 'unbound server reference', value: obj(['f', sref('mod#echo')]) });
add({ name: 'server-ref-bound', description: 'server reference bound to 1, "a", {b:2}', value: obj(['f', sref('mod#echo', [1, 'a', obj(['b', 2])])]) });
add({ name: 'server-ref-bound-empty', description: 'server reference bound with no arguments (bound: [])', value: obj(['f', sref('mod#echo', [])]) });
add({ name: 'server-ref-bound-rich', description: 'bound Date, Map and bigint', value: sref('mod#echo', [date('1970-01-01T00:00:00.000Z'), map([1, 2]), big('7')]) });
add({ name: 'server-ref-twice', description: 'the same server reference three times', value: arr(node('f', sref('mod#echo')), ref('f'), obj(['f', ref('f')])) });
add({ name: 'server-ref-no-hash', description: 'server reference id without "#"', value: sref('plainid') });
add({ name: 'server-ref-root', description: 'root server reference', value: sref('mod#root') });

// temp-*
add({ name: 'temp-ref', description: 'temporary references with a set on both sides', options: TEMP, value: obj(['echoed', tref('0')], ['inst', tref('0:inst')], ['again', tref('0:inst')]) });
add({ name: 'temp-ref-root', description: 'a temporary reference as the root', options: TEMP, value: tref('1:0:1') });
add({ name: 'temp-ref-without-set', description: 'a temporary reference rendered without a set (error)', value: obj(['t', tref('0')]) });

// promise-*
add({ name: 'promise-resolved', description: 'already resolved promise', value: obj(['p', ok('v')]) });
add({ name: 'promise-resolved-later', description: 'promise resolved in a later step', value: obj(['p', node('p', ok(obj(['late', true])))]), schedule: [['p']] });
add({ name: 'promise-rejected', description: 'rejected promise (E row)', value: obj(['p', rej(err('nope'))]) });
add({ name: 'promise-rejected-later', description: 'promise rejected in a later step', value: obj(['p', node('p', rej(err('later nope')))]), schedule: [['p']] });
add({ name: 'promise-rejected-string', description: 'promise rejected with a string', value: obj(['p', rej('plain reason')]) });
add({ name: 'promise-rejected-digest', description: 'rejected with an Error carrying its own digest property', value: obj(['p', rej({ error: { message: 'm', digest: 'own' } })]) });
add({
  name: 'promise-order-reverse',
  description: 'three promises settled in reverse order, one per step',
  value: arr(node('a', ok('A')), node('b', ok('B')), node('c', ok('C'))),
  schedule: [['c'], ['b'], ['a']],
});
add({
  name: 'promise-order-same-step',
  description: 'three promises settled in one step (b, a, c)',
  value: arr(node('a', ok('A')), node('b', ok('B')), node('c', ok('C'))),
  schedule: [['b', 'a', 'c']],
});
add({ name: 'promise-nested', description: 'chain of promises inside values', value: obj(['p', node('p1', ok(obj(['q', node('p2', ok(obj(['r', node('p3', ok('deep'))])))])))]), schedule: [['p1'], ['p2'], ['p3']] });
add({ name: 'promise-of-promise', description: 'a promise resolved with another promise (JS adopts it)', value: obj(['p', ok(node('inner', ok('inner value')))]), schedule: [['inner']] });
add({ name: 'promise-root', description: 'root promise', value: node('p', ok('root value')), schedule: [['p']] });
add({ name: 'promise-root-rejected', description: 'root promise rejected', value: node('p', rej(err('root failed'))), schedule: [['p']] });
add({ name: 'promise-root-resolved', description: 'root promise already resolved', value: ok(arr(1, 2)) });
add({ name: 'promise-pending', description: 'a promise that never settles (stream stays open)', value: obj(['p', PENDING], ['x', 1]) });
add({ name: 'promise-typed-array', description: 'promise resolving to a typed array', value: obj(['p', node('p', ok(ta('Uint8Array', [7])))]), schedule: [['p']] });
add({ name: 'promise-long-string', description: 'promise resolving to a 1500-character string', value: obj(['p', node('p', ok(ascii(1500, 'p')))]), schedule: [['p']] });
add({ name: 'promise-short-string', description: 'promise resolving to a short string', value: obj(['p', node('p', ok('short'))]), schedule: [['p']] });
add({ name: 'promise-map', description: 'promise resolving to a Map', value: obj(['p', node('p', ok(map(['k', 1])))]), schedule: [['p']] });
add({ name: 'promise-undefined', description: 'promise resolving to undefined', value: obj(['p', ok(U)]) });
add({ name: 'promise-in-map', description: 'promise as a Map value and Set member', value: obj(['m', map(['p', ok(1)])], ['s', set(ok(2))]) });
add({ name: 'promise-many', description: 'twenty promises settled in a scrambled order', value: { array: Array.from({ length: 20 }, (_, i) => node('p' + i, ok(i))) }, schedule: [[3, 17, 5], [0, 19], [11, 2, 8, 13], [1, 4, 6, 7, 9, 10, 12, 14, 15, 16, 18]].map((s) => s.map((i) => 'p' + i)) });

// stream-*
add({ name: 'stream-values', description: 'ReadableStream of values, read as fast as React pulls', value: obj(['s', rs('a', obj(['b', 1]), 3, U, null)]) });
add({ name: 'stream-values-stepped', description: 'ReadableStream, one chunk per step', value: obj(['s', node('s', rs('a', obj(['b', 1]), 3))]), schedule: [['s'], ['s'], ['s'], ['s']] });
add({ name: 'stream-empty', description: 'empty ReadableStream', value: rs() });
add({ name: 'stream-strings', description: 'string chunks (T rows, unescaped), incl. "$x" and a long string', value: node('s', rs('$x', '', 'é', ascii(1030, 's'))), schedule: [['s'], ['s'], ['s'], ['s'], ['s']] });
add({ name: 'stream-escaped-object', description: 'an object chunk with a $-string (JSON rows are escaped)', value: node('s', rs(obj(['o', '$y']))), schedule: [['s'], ['s']] });
add({ name: 'stream-typed-array-chunks', description: 'non-byte stream whose chunks are typed arrays', value: node('s', rs(ta('Uint8Array', [1, 2]), ta('Int16Array', [0xfe, 0xff]))), schedule: [['s'], ['s'], ['s']] });
add({ name: 'stream-bytes', description: 'byte stream [1,2], [3] (b rows)', value: obj(['s', node('s', bs([1, 2], [3]))]), schedule: [['s'], ['s'], ['s']] });
add({ name: 'stream-bytes-unscheduled', description: 'byte stream read as fast as React pulls', value: bs([1, 2, 3], [4, 5], [6]) });
add({ name: 'stream-bytes-empty', description: 'empty byte stream', value: bs() });
add({ name: 'stream-bytes-large', description: 'byte stream with a 5000-byte chunk', value: node('s', bs(pattern(5000), [9])), schedule: [['s'], ['s'], ['s']] });
add({ name: 'stream-errored', description: 'stream that yields one chunk and then errors', value: node('s', errored('readableStream', ['ok'], err('stream broke'))), schedule: [['s'], ['s']] });
add({ name: 'stream-bytes-errored', description: 'byte stream that errors after one chunk', value: node('s', errored('byteStream', [b64([1])], err('bytes broke'))), schedule: [['s'], ['s']] });
add({ name: 'stream-unclosed', description: 'stream that yields one chunk and never closes', value: node('s', rs('first', 'never')), schedule: [['s']] });
add({ name: 'stream-promise-chunk', description: 'a stream chunk that is a promise', value: node('s', rs(node('p', ok('in stream')))), schedule: [['s'], ['p'], ['s']] });
add({ name: 'stream-two-interleaved', description: 'two streams advanced alternately', value: obj(['a', node('a', rs('a1', 'a2'))], ['b', node('b', rs('b1', 'b2'))]), schedule: [['a'], ['b'], ['b'], ['a'], ['a', 'b']] });
add({ name: 'stream-with-promise-sibling', description: 'a stream and a promise settling in between its chunks', value: obj(['s', node('s', rs(1, 2))], ['p', node('p', ok('P'))]), schedule: [['s'], ['p'], ['s'], ['s']] });

// iter-*
add({ name: 'iter-async-iterable', description: 'async iterable (not its own iterator): $X? / X row', value: obj(['it', node('it', aiter(['a', 'b'], 'done'))]), schedule: [['it'], ['it'], ['it']] });
add({ name: 'iter-async-iterator', description: 'async iterator (its own iterator) with a return value', value: obj(['g', node('g', aiterator([1, 2], 'done'))]), schedule: [['g'], ['g'], ['g']] });
add({ name: 'iter-async-generator-unscheduled', description: 'async generator read as fast as React pulls', value: aiterator([1, obj(['x', 2]), '$s'], obj(['r', 1])) });
add({ name: 'iter-async-iterable-empty', description: 'async iterable with no items and undefined return', value: aiter([]) });
add({ name: 'iter-async-errored', description: 'async iterable that throws after one item', value: node('it', errored('asyncIterable', ['one'], err('iteration failed'))), schedule: [['it'], ['it']] });
add({ name: 'iter-async-unclosed', description: 'async iterator that never finishes', value: node('it', aiterator(['only', 'never'])), schedule: [['it']] });
add({ name: 'iter-async-long-text-items', description: 'string items (T rows) and a typed array item', value: node('it', aiter(['short', ascii(1100, 't'), ta('Uint8Array', [5])], 'r')), schedule: [['it'], ['it'], ['it'], ['it']] });
add({ name: 'iter-async-return-object', description: 'async iterator whose return value is an object', value: aiterator([], obj(['done', true])) });

// error-*
add({ name: 'error-component-throws-root', description: 'a server component that throws, at the root', value: el(comp('Throw'), null, ['message', 'boom']) });
add({ name: 'error-component-throws-nested', description: 'a throwing server component as a child ($L + E row)', value: el('div', null, ['children', el(comp('Throw'), null, ['message', 'component failed'])]) });
add({ name: 'error-async-component-rejects', description: 'an async component whose promise rejects later', value: el('div', null, ['children', el(comp('Await'), null, ['value', node('p', rej(err('async failed')))])]), schedule: [['p']] });
add({ name: 'error-value', description: 'an Error as a plain value ($Z)', value: obj(['e', err('just a value')]) });
add({ name: 'error-value-root', description: 'an Error as the root value', value: err('root error value') });
add({ name: 'error-function', description: 'a plain function (not allowed)', value: obj(['fn', { function: 'helper' }]) });
add({ name: 'error-event-handler', description: 'an onClick function prop', value: el('button', null, ['onClick', { function: 'handler' }]) });
add({ name: 'error-class-instance', description: 'a class instance', value: obj(['i', inst('Foo')]) });
add({ name: 'error-null-prototype', description: 'an object with a null prototype', value: obj(['i', { instance: null }]) });
add({ name: 'error-unregistered-symbol', description: 'a local Symbol', value: obj(['a', { unregisteredSymbol: 'local' }]) });
add({ name: 'error-function-root', description: 'a plain function at the root', value: { function: 'rootFn' } });
add({ name: 'error-in-stream', description: 'an unsupported value as a stream chunk', value: node('s', rs(1, { function: 'bad' })), schedule: [['s'], ['s'], ['s']] });

// hint-*: ReactDOM resource hints from a component
const hint = (...calls) => el(comp('Hint'), null, ['calls', { array: calls.map((c) => ({ array: c })) }], ['children', 'content']);
add({ name: 'hint-preload', description: 'ReactDOM.preload (H row)', value: hint(['preload', '/style.css', obj(['as', 'style'])]) });
add({ name: 'hint-preconnect-dns', description: 'preconnect and prefetchDNS', value: hint(['preconnect', 'https://cdn.example'], ['prefetchDNS', 'https://dns.example']) });
add({ name: 'hint-preinit', description: 'preinit style and script, preinitModule, preloadModule', value: hint(['preinit', '/s.css', obj(['as', 'style'], ['precedence', 'high'])], ['preinit', '/s.js', obj(['as', 'script'])], ['preinitModule', '/m.js'], ['preloadModule', '/m2.js']) });
add({ name: 'hint-dedupe', description: 'the same preload twice (one hint row)', value: hint(['preload', '/a.png', obj(['as', 'image'])], ['preload', '/a.png', obj(['as', 'image'])]) });

// console-*: dev console replay
add({ name: 'console-log', description: 'a component calling console.log (dev W row)', value: el('div', null, ['children', el(comp('Log'), null, ['args', arr('hello from server', obj(['n', 1]))])]) });

// abort-*
add({ name: 'abort-pending-promise', description: 'abort (with an Error) while a promise is pending', value: obj(['p', PENDING], ['x', 1]), schedule: [[{ abort: err('stopped') }]] });
add({ name: 'abort-string-reason', description: 'abort with a string reason while a promise is pending', value: obj(['p', PENDING]), schedule: [[{ abort: 'just stop' }]] });
add({ name: 'abort-stream', description: 'abort after one chunk of a stream', value: obj(['s', node('s', rs('a', 'b'))]), schedule: [['s'], [{ abort: err('abort stream') }]] });
add({ name: 'abort-async-iterable', description: 'abort while an async iterable is waiting', value: node('it', aiter(['a', 'b'])), schedule: [['it'], [{ abort: err('abort iterable') }]] });
add({ name: 'abort-suspense', description: 'abort while an async component is pending', value: el(SUSPENSE, null, ['fallback', 'f'], ['children', el(comp('Await'), null, ['value', PENDING])]), schedule: [[{ abort: err('abort render') }]] });
add({ name: 'abort-after-complete', description: 'abort after everything completed (no effect)', value: obj(['p', node('p', ok(1))]), schedule: [['p'], [{ abort: err('too late') }]] });

// lazy-*: React.lazy-shaped values on the server
add({ name: 'lazy-value', description: 'a settled lazy as a plain value (rendered as its value)', value: obj(['l', { lazy: { fulfilled: obj(['v', 1]) } }]) });
add({ name: 'lazy-element-child', description: 'a settled lazy element as a child', value: el('div', null, ['children', { lazy: { fulfilled: el('b', null, ['children', 'lazy']) } }]) });
add({ name: 'lazy-rejected', description: 'a lazy whose init throws an Error', value: el('div', null, ['children', { lazy: { rejected: err('lazy failed') } }]) });

// ---------------------------------------------------------------------------
// resp-*: hand-written and mutated streams
add({ name: 'resp-root-self-promise', description: 'row 0 is a promise of itself (React hangs; reported pending)', stream: ['0:"$@0"\n'] });
add({ name: 'resp-promise-cycle-two', description: 'two rows that are promises of each other', stream: ['0:"$@1"\n1:"$@0"\n'] });
add({ name: 'resp-row-id-overflow-aliases-root', description: 'row id 100000000 (32-bit shift overflow) aliases row 0', stream: ['100000000:"evil"\n'] });
add({ name: 'resp-row-id-overflow-then-root', description: 'row 100000000 then row 0', stream: ['100000000:"evil"\n0:"good"\n'] });
add({ name: 'resp-text-length-ffffffff', description: 'T row with length ffffffff', stream: ['1:Tffffffff,abc', '0:"$1"\n'] });
add({ name: 'resp-binary-length-ffffffff', description: 'o row with length ffffffff', stream: ['1:offffffff,abc', '0:"$1"\n'] });
add({ name: 'resp-unknown-row-tag', description: 'unknown uppercase row tag Y', stream: ['0:Y{"a":1}\n'] });
add({ name: 'resp-unknown-row-tag-hash', description: 'row tag "#"', stream: ['1:#x\n0:"ok"\n'] });
add({ name: 'resp-truncated-json-row', description: 'stream ends inside a JSON row', stream: ['0:{"a":'] });
add({ name: 'resp-truncated-text-row', description: 'stream ends inside a T row', stream: ['0:"$1"\n1:T10,abc'] });
add({ name: 'resp-truncated-binary-row', description: 'stream ends inside an o row', stream: ['0:"$1"\n1:o10,ab'] });
add({ name: 'resp-truncated-open', description: 'stream stops inside a row but is not closed', stream: ['0:{"a":'], close: false });
add({ name: 'resp-invalid-utf8', description: 'invalid UTF-8 bytes in a JSON string', stream: [cat('0:"a', [0xff, 0xfe], 'b"\n')] });
add({ name: 'resp-invalid-utf8-text-row', description: 'invalid UTF-8 in a T row', stream: [cat('1:T4,', [0xc3, 0x28, 0xff, 0x41], '0:"$1"\n')] });
add({ name: 'resp-invalid-utf8-split', description: 'a UTF-8 lead byte at the end of one chunk, an invalid continuation at the start of the next', stream: [cat('0:"a', [0xc3]), cat('(b"\n')] });
add({ name: 'resp-split-utf8-json', description: 'a 2-byte character split across two chunks in a JSON row', stream: [cat('0:"a', [0xc3]), cat([0xa9], 'b"\n')] });
add({ name: 'resp-split-utf8-text-row', description: 'a 3-byte character split across chunks in a T row', stream: [cat('1:T3,', [0xe6, 0x97]), cat([0xa5], '0:"$1"\n')] });
add({ name: 'resp-split-everywhere', description: 'a row split into 1-byte chunks', stream: [...'0:{"a":[1,"b"]}\n'].map((c) => c) });
add({ name: 'resp-misaligned-float64', description: 'g row with 3 bytes', stream: [cat('1:g3,', [1, 2, 3], '0:"$1"\n')] });
add({ name: 'resp-misaligned-int32', description: 'L row with 6 bytes', stream: [cat('1:L6,', [1, 2, 3, 4, 5, 6], '0:"$1"\n')] });
add({ name: 'resp-misaligned-dataview', description: 'V row with 3 bytes (DataView has no alignment)', stream: [cat('1:V3,', [1, 2, 3], '0:"$1"\n')] });
add({ name: 'resp-duplicate-row', description: 'row 0 twice', stream: ['0:"first"\n0:"second"\n'] });
add({ name: 'resp-duplicate-promise-row', description: 'a promise row written twice', stream: ['0:{"p":"$@1"}\n1:"a"\n1:"b"\n'] });
add({ name: 'resp-missing-row', description: 'reference to a row that never comes, stream closed', stream: ['0:{"a":"$1"}\n'] });
add({ name: 'resp-missing-row-open', description: 'reference to a row that never comes, stream left open', stream: ['0:{"a":"$1"}\n'], close: false });
add({ name: 'resp-missing-promise-row', description: 'promise whose row never comes, stream closed', stream: ['0:{"p":"$@1"}\n'] });
add({ name: 'resp-empty-stream', description: 'no bytes at all', stream: [] });
add({ name: 'resp-forward-reference', description: 'row 0 refers to row 1 sent later', stream: ['0:{"a":"$1"}\n', '1:{"b":2}\n'] });
add({ name: 'resp-halted-row', description: 'empty row "1:" (halted) referenced by the root', stream: ['1:\n0:{"a":"$1"}\n'] });
add({ name: 'resp-error-row-root', description: 'prod-format E row for the root', stream: ['0:E{"digest":"d1"}\n'] });
add({ name: 'resp-error-row-child', description: 'prod-format E row behind a promise', stream: ['0:{"p":"$@1"}\n1:E{"digest":"d2"}\n'] });
add({ name: 'resp-dev-rows-to-prod-client', description: 'dev-only rows (:N, D) fed to both clients', stream: [':N1.5\n0:D{"time":1}\n0:"x"\n'] });
add({ name: 'resp-dollar-w', description: '"$w" value tag', stream: ['0:{"a":"$w","b":1}\n'] });
add({ name: 'resp-bigint-huge', description: '$n with 100000 digits (no limit in the client)', stream: ['0:"$n' + digits(100000) + '"\n'] });
add({ name: 'resp-bigint-garbage', description: '$n with a non-numeric text', stream: ['0:"$nabc"\n'] });
add({ name: 'resp-path-proto-walk', description: 'path reference through __proto__', stream: ['0:{"a":{"b":1},"c":"$0:a:__proto__"}\n'] });
add({ name: 'resp-path-missing-key', description: 'path reference to a missing key', stream: ['0:{"a":{"b":1},"c":"$0:a:zz"}\n'] });
add({ name: 'resp-path-length', description: 'path reference to an array length', stream: ['0:{"a":[1,2,3],"c":"$0:a:length"}\n'] });
add({ name: 'resp-text-row-root', description: 'a T row as row 0', stream: ['0:T3,abc'] });
add({ name: 'resp-binary-row-root', description: 'an o row as row 0', stream: ['0:o3,abc'] });
add({ name: 'resp-temp-ref-without-set', description: '$T decoded without a temporary reference set', stream: ['0:{"t":"$T0:inst"}\n'] });
add({ name: 'resp-temp-ref-with-set', description: '$T decoded with a set', options: TEMP, stream: ['0:{"t":"$T0:inst","u":"$T7"}\n'] });
add({ name: 'resp-server-ref-inline-bound', description: 'server reference row with an inline bound array', stream: ['1:{"id":"a#b","bound":[1,2]}\n0:"$h1"\n'] });
add({ name: 'resp-server-ref-nonstring-id', description: 'server reference row with a numeric id', stream: ['1:{"id":5,"bound":null}\n0:{"f":"$h1"}\n'] });
add({ name: 'resp-server-ref-bound-missing', description: 'server reference whose bound promise row never comes', stream: ['1:{"id":"a#b","bound":"$@2"}\n0:{"f":"$h1"}\n'] });
add({ name: 'resp-stream-chunk-after-close', description: 'stream rows after its C row', stream: ['1:R\n0:"$1"\n1:"a"\n1:C\n1:"b"\n'] });
add({ name: 'resp-stream-no-close', description: 'stream start row without C, body closed', stream: ['1:R\n0:"$1"\n1:"a"\n'] });
add({ name: 'resp-close-without-stream', description: 'C row for a plain model row', stream: ['0:"$1"\n1:C\n'] });
add({ name: 'resp-bytes-stream-json-chunk', description: 'byte stream (r) given a JSON chunk', stream: ['1:r\n0:"$1"\n1:"text"\n1:C\n'] });
add({ name: 'resp-element-short-tuple', description: 'element tuple with only 2 entries', stream: ['0:["$","div"]\n'] });
add({ name: 'resp-element-lazy-error', description: 'element child behind $L that is an E row', stream: ['0:["$","div",null,{"children":"$L1"}]\n1:E{"digest":"x"}\n'] });
add({ name: 'resp-lazy-plain-value', description: '$L pointing at a plain model row', stream: ['0:{"l":"$L1"}\n1:{"v":1}\n'] });
add({ name: 'resp-import-row-as-value', description: 'I row used as a plain value', stream: ['1:I["mod",[],"Thing"]\n0:{"c":"$1"}\n'] });
add({ name: 'resp-crlf', description: 'CRLF line endings', stream: ['0:"a"\r\n'] });
add({ name: 'resp-leading-newline', description: 'an empty line before the root row', stream: ['\n0:"x"\n'] });
add({ name: 'resp-uppercase-row-id', description: 'row id with an uppercase hex digit', stream: ['A:"upper"\n0:"$a"\n'] });
add({ name: 'resp-map-bad-initializer', description: '$Q pointing at a non-array row', stream: ['1:{"a":1}\n0:"$Q1"\n'] });
add({ name: 'resp-map-odd-entries', description: '$Q entries of odd shapes', stream: ['1:[[1],[2,3,4],[]]\n0:"$Q1"\n'] });
add({ name: 'resp-symbol-row-inline', description: '"$Sname" inline instead of in its own row', stream: ['0:{"s":"$Sinline"}\n'] });
add({ name: 'resp-json-garbage', description: 'invalid JSON in row 0', stream: ['0:{bad\n'] });

// mutated streams
add({
  name: 'resp-rechunk-one-byte',
  description: 'a rendered stream (nested values, T row, binary row, promise) re-cut into 1-byte chunks',
  from: { value: obj(['s', ascii(1100, 'w')], ['u', ta('Uint8Array', [10, 58, 10])], ['p', ok('x')], ['m', map(['k', arr(1)])], ['e', el('b', null, ['children', 'é'])]) },
  mutate: (chunks) => {
    const all = Buffer.concat(chunks);
    return [...all].map((b) => [b]);
  },
});
add({
  name: 'resp-rechunk-merged',
  description: 'a rendered multi-chunk stream merged into one chunk',
  from: { value: obj(['p', node('p', ok('late'))], ['s', node('s', rs('a', 'b'))]), schedule: [['p'], ['s'], ['s'], ['s']] },
  mutate: (chunks) => [Buffer.concat(chunks)],
});
add({
  name: 'resp-truncated-rendered',
  description: 'a rendered stream cut in the middle of its T row',
  from: { value: obj(['s', ascii(2000, 'c')], ['n', 1]) },
  mutate: (chunks) => {
    const all = Buffer.concat(chunks);
    const at = all.indexOf(Buffer.from(':T')) + 500;
    return [all.subarray(0, at)];
  },
});
add({
  name: 'resp-error-row-prod-to-dev',
  description: 'the prod stream of a rejected promise fed to the dev client too',
  from: { value: obj(['p', rej(err('nope'))]) },
  mutate: (chunks, flavour, render) => render.prod,
});
add({
  name: 'resp-dev-stream-to-prod-client',
  description: 'the dev stream of a simple value fed to the prod client too',
  from: { value: obj(['a', 1], ['e', el('i', null)]) },
  mutate: (chunks, flavour, render) => render.dev,
});

export default cases;
