// The benchmark payloads P1–P9 of issue 5, as JavaScript values.
//
// The same definitions are written in Rust in benches/payloads/mod.rs; both
// must stay identical (benches/README.md lists them). Equal values give equal
// wire bytes, and `bash benches/compare.sh` (or `--check`) checks that React's
// encodeReply / renderToReadableStream bytes for these values equal
// flight-codec's bytes for the Rust values.
//
// Randomness: xorshift32 (13, 17, 5) on a uint32 state, one generator per
// payload seeded with the payload's SEEDS entry. `below(n)` is `next() % n`.
// Never Math.random.

export class Rng {
  constructor(seed) {
    this.x = seed >>> 0;
    if (this.x === 0) throw new Error('xorshift32 needs a non-zero seed');
  }
  next() {
    let x = this.x;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.x = x >>> 0;
    return this.x;
  }
  below(n) {
    return this.next() % n;
  }
}

export const SEEDS = {
  records: 0x9e3779b9,
  P4: 0x0badf00d,
  P5: 0x5eed0005,
  P6: 0x5eed0006,
  P7: 0x5eed0007,
  P9: 0x5eed0009,
};

const ALPHA = 'abcdefghijklmnopqrstuvwxyz';
const TAGS = ['red', 'green', 'blue', 'new', 'sale', 'eco', 'xl', 's'];
const EPOCH = 1_600_000_000_000;

function word(rng, n) {
  let s = '';
  for (let i = 0; i < n; i++) s += ALPHA[rng.below(26)];
  return s;
}

// A date: EPOCH + next() * 16 ms (about two years of spread, whole milliseconds).
function date(rng) {
  return new Date(EPOCH + rng.next() * 16);
}

/** P1: one form action's arguments, about 150 B. No randomness. */
export function p1() {
  return [
    {
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      age: 36,
      tags: ['math', 'poetry'],
      subscribed: true,
      createdAt: new Date(1_700_000_000_000),
    },
  ];
}

/**
 * P2 / P3: `n` records {id, name, price, tags, created, meta}. Per record, in
 * this order: name = 20 × ALPHA[below(26)]; price = below(1_000_000) / 100;
 * tags = 3 × TAGS[below(8)]; created = date(); meta.a = below(1000) - 500;
 * meta.b = below(2) === 1; meta.c = null. id = the index.
 */
export function records(n) {
  const rng = new Rng(SEEDS.records);
  const out = [];
  for (let i = 0; i < n; i++) {
    const name = word(rng, 20);
    const price = rng.below(1_000_000) / 100;
    const tags = [TAGS[rng.below(8)], TAGS[rng.below(8)], TAGS[rng.below(8)]];
    const created = date(rng);
    const a = rng.below(1000) - 500;
    const b = rng.below(2) === 1;
    out.push({ id: i, name, price, tags, created, meta: { a, b, c: null } });
  }
  return out;
}

/**
 * P4: {file: Uint8Array of 16 MiB, samples: Float64Array of 1,000,000}.
 * file: each 4 bytes are next() little-endian; then samples[i] =
 * (next() - 2^31) / 65536 (exact).
 */
export function p4() {
  const rng = new Rng(SEEDS.P4);
  const file = new Uint8Array(16 << 20);
  const dv = new DataView(file.buffer);
  for (let i = 0; i < file.length; i += 4) dv.setUint32(i, rng.next(), true);
  const samples = new Float64Array(1_000_000);
  for (let i = 0; i < samples.length; i++) samples[i] = (rng.next() - 2147483648) / 65536;
  return { file, samples };
}

/**
 * P5: a Map of 10,000 entries, key "item-<i>-" + 6 × ALPHA[below(26)], value a
 * Set of 5 numbers: for k in 0..5, (below(1_000_000) * 5 + k) / 8 (distinct).
 */
export function p5() {
  const rng = new Rng(SEEDS.P5);
  const m = new Map();
  for (let i = 0; i < 10_000; i++) {
    const key = 'item-' + i + '-' + word(rng, 6);
    const s = new Set();
    for (let k = 0; k < 5; k++) s.add((rng.below(1_000_000) * 5 + k) / 8);
    m.set(key, s);
  }
  return m;
}

/**
 * P6: 10,000 strings of about 1 KB (UTF-8). Per string: "$" first when
 * below(4) === 0; then, while the UTF-8 length is under 1000, one character
 * per r = below(100): r < 60 ALPHA[r % 26]; < 70 " "; < 78 "é"; < 86 "漢";
 * < 94 "😀"; < 97 '"'; < 99 "\\"; else "\n".
 */
export function p6() {
  const rng = new Rng(SEEDS.P6);
  const out = [];
  for (let i = 0; i < 10_000; i++) {
    let s = rng.below(4) === 0 ? '$' : '';
    let bytes = s.length;
    while (bytes < 1000) {
      const r = rng.below(100);
      if (r < 60) {
        s += ALPHA[r % 26];
        bytes += 1;
      } else if (r < 70) {
        s += ' ';
        bytes += 1;
      } else if (r < 78) {
        s += 'é';
        bytes += 2;
      } else if (r < 86) {
        s += '漢';
        bytes += 3;
      } else if (r < 94) {
        s += '😀';
        bytes += 4;
      } else if (r < 97) {
        s += '"';
        bytes += 1;
      } else if (r < 99) {
        s += '\\';
        bytes += 1;
      } else {
        s += '\n';
        bytes += 1;
      }
    }
    out.push(s);
  }
  return out;
}

/**
 * P7: an object with 1,000 keys "k0".."k999", each an already-fulfilled promise
 * of {id: i, name: 8 × ALPHA[below(26)], ok: below(2) === 1}.
 */
export function p7() {
  const rng = new Rng(SEEDS.P7);
  const o = {};
  for (let i = 0; i < 1000; i++) {
    const name = word(rng, 8);
    const ok = rng.below(2) === 1;
    o['k' + i] = Promise.resolve({ id: i, name, ok });
  }
  return o;
}

/**
 * P8: 500 levels of alternating objects and arrays. Level d (0..499) is
 * {depth: d, next: <level d+1>} for even d and [d, <level d+1>] for odd d;
 * level 500 is null.
 */
export function p8() {
  let v = null;
  for (let d = 499; d >= 0; d--) v = d % 2 === 0 ? { depth: d, next: v } : [d, v];
  return v;
}

/**
 * P9: an array of 100,000 values; per value r = below(6): 0 a bigint
 * (hi = next() >>> 11, lo = next(), magnitude hi * 2^32 + lo, negative when
 * below(2) === 1); 1 date(); 2 NaN; 3 -0; 4 below(2) === 1 ? Infinity :
 * -Infinity; 5 undefined.
 */
export function p9() {
  const rng = new Rng(SEEDS.P9);
  const out = [];
  for (let i = 0; i < 100_000; i++) {
    let v;
    switch (rng.below(6)) {
      case 0: {
        const hi = rng.next() >>> 11;
        const lo = rng.next();
        const mag = BigInt(hi) * 4294967296n + BigInt(lo);
        v = rng.below(2) === 1 ? -mag : mag;
        break;
      }
      case 1:
        v = date(rng);
        break;
      case 2:
        v = NaN;
        break;
      case 3:
        v = -0;
        break;
      case 4:
        v = rng.below(2) === 1 ? Infinity : -Infinity;
        break;
      default:
        v = undefined;
    }
    out.push(v);
  }
  return out;
}

/** name -> () => a fresh value. */
export const PAYLOADS = {
  P1: p1,
  P2: () => records(1_000),
  P3: () => records(50_000),
  P4: p4,
  P5: p5,
  P6: p6,
  P7: p7,
  P8: p8,
  P9: p9,
};
