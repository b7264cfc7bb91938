import { Mulberry32 } from '../data/prng';

/** The trainer's seeded PRNG (data/prng.ts's mulberry32) so initialisation and shuffling are identical run to run for a seed. */
export class Rng {
  private readonly m: Mulberry32;
  constructor(seed: number) {
    this.m = new Mulberry32((seed >>> 0) ^ 0x9e3779b9);
  }
  /** Uniform in [0, 1). */
  next(): number {
    return this.m.nextFloat();
  }
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

/** Derives an independent seed for a purpose (e.g. the shuffle of epoch 7) from the run's seed. */
export function deriveSeed(seed: number, ...parts: number[]): number {
  let h = (seed >>> 0) ^ 0x85ebca6b;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0xcc9e2d51);
    h = (h << 15) | (h >>> 17);
    h = Math.imul(h, 0x1b873593) ^ 0xe6546b64;
  }
  return h >>> 0;
}

export function permutation(n: number, rng: Rng): Uint32Array {
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}
