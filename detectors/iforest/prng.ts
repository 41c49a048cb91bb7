// Seeded pseudo-random numbers for the isolation forest, so the same seed trains the same forest.
// In: a 32-bit integer seed. Out: a generator of floats in [0, 1) and integers in [0, n).
// sfc32 (Chris Doty-Humphrey's Small Fast Chaotic generator, from PractRand) seeded through splitmix32: fast,
// passes PractRand to large sizes, and every seed (0 included) gives a well-mixed state. Not cryptographic.

export interface Prng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export function createPrng(seed: number): Prng {
  if (!Number.isInteger(seed)) throw new RangeError(`prng seed must be an integer, got ${seed}`);
  const init = splitmix32(seed);
  let a = init();
  let b = init();
  let c = init();
  let d = init();
  const u32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t >>> 0;
  };
  // Discard the first outputs: sfc32's state needs a few rounds to decorrelate from the seed.
  for (let i = 0; i < 12; i++) u32();
  const next = (): number => u32() / 4294967296;
  return { next, int: (n: number) => Math.floor(next() * n) };
}
