/**
 * PyTorch's own class scores for the import fixtures (test/fixtures/import/reference.npy, written by
 * scripts/make-import-fixtures.py) and the comparison of an imported model's forward pass with them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { readNpy } from '../../src/core/data';
import { predict } from '../../src/core/train/predict';
import type { TrainedModel } from '../../src/core/model/trained';

export const IMPORT_FIXTURES = join(__dirname, '..', 'fixtures', 'import');
const DATA = join(__dirname, '..', '..', 'examples', 'data', 'fashion-mnist-small');
const images = gunzipSync(readFileSync(join(DATA, 't10k-images-idx3-ubyte.gz'))).subarray(16);

/** Classes agreeing with PyTorch's (`referenceFile`'s scores), and the largest score difference, over the first `n`
 *  bundled test images. */
export function compareWithTorch(trained: TrainedModel, n: number, referenceFile = 'reference.npy'): { agree: number; maxDiff: number } {
  const reference = readNpy(join(IMPORT_FIXTURES, referenceFile));
  if (reference.shape[0] < n) throw new Error(`${referenceFile} holds ${reference.shape[0]} samples, fewer than ${n}`);
  const p = predict(trained, images, n);
  let agree = 0;
  let maxDiff = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < 10; c++) if (reference.data[i * 10 + c] > reference.data[i * 10 + best]) best = c;
    if (best === p.classes[i]) agree++;
    for (let c = 0; c < 10; c++) maxDiff = Math.max(maxDiff, Math.abs(reference.data[i * 10 + c] - p.scores[i][c]));
  }
  return { agree, maxDiff };
}
