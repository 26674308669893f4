// A seeded 32-bit linear congruential generator: reproducible operands for
// tests that compare two implementations on many values.

export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s;
  };
}
