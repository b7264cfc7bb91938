/**
 * A small synthetic-but-learnable image set: each class is a fixed random prototype pattern; samples are the
 * prototype with per-pixel noise. A linear model separates it easily; chance is 1/classes.
 */
import type { TrainingData } from '../../src/core/train/data';
import { Rng } from '../../src/core/train/rng';

export function syntheticData(opts: { shape: number[]; classes: number; train: number; test?: number; seed?: number; noise?: number }): TrainingData {
  const rng = new Rng(opts.seed ?? 1);
  const size = opts.shape.reduce((a, b) => a * b, 1);
  const protos = Array.from({ length: opts.classes }, () => Uint8Array.from({ length: size }, () => (rng.next() < 0.5 ? 40 : 215)));
  const noise = opts.noise ?? 90;
  const make = (count: number) => {
    const images = new Uint8Array(count * size);
    const labels = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      const c = rng.int(opts.classes);
      labels[i] = c;
      for (let j = 0; j < size; j++) images[i * size + j] = Math.max(0, Math.min(255, Math.round(protos[c][j] + (rng.next() * 2 - 1) * noise)));
    }
    return { images, labels, count };
  };
  return { name: 'synthetic', shape: opts.shape, classes: opts.classes, train: make(opts.train), test: opts.test ? make(opts.test) : undefined };
}
