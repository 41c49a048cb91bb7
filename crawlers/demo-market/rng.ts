// Deterministic randomness for the demo marketplace: every value is a pure function of (seed, keys...), so
// listing i or room r can be generated alone, in any order, on any machine, with nothing stored.
// In: integer seed and integer/string keys. Out: a small PRNG (`rngFor`) and hashing helpers.

/** 32-bit avalanche mix (murmur3 fmix32). */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function keyToInt(k: number | string): number {
  if (typeof k === 'number') {
    // Split into two 32-bit halves so indices above 2^32 (and negative seeds) still differ.
    const hi = Math.floor(k / 4294967296);
    return fmix((k >>> 0) ^ Math.imul(hi | 0, 0x9e3779b1));
  }
  let h = 0x811c9dc5; // FNV-1a
  for (let j = 0; j < k.length; j++) h = Math.imul(h ^ k.charCodeAt(j), 0x01000193);
  return h >>> 0;
}

/** A uint32 hash of the keys. */
export function hashKeys(...keys: (number | string)[]): number {
  let h = 0x2545f491;
  for (const k of keys) h = fmix(Math.imul(h ^ keyToInt(k), 0x27d4eb2d) + 0x165667b1);
  return h;
}

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [0, n). */
  int(n: number): number;
  /** Integer in [lo, hi] inclusive. */
  range(lo: number, hi: number): number;
  float(lo: number, hi: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  digits(n: number): string;
}

/**
 * mulberry32 stream seeded by the hash of the keys. A class rather than closures: generators make one per
 * listing, and per-call closures (each wrapped by the loader's name helper) dominated the cost.
 */
class Mulberry implements Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  float(lo: number, hi: number): number {
    return lo + this.next() * (hi - lo);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('rng.pick from an empty list');
    return items[this.int(items.length)] as T;
  }
  digits(n: number): string {
    let s = '';
    for (let j = 0; j < n; j++) s += String(this.int(10));
    return s;
  }
}

export function rngFor(...keys: (number | string)[]): Rng {
  return new Mulberry(hashKeys(...keys));
}
