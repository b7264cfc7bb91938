#!/usr/bin/env node
// Regenerates examples/data/fashion-mnist-small/ from the full Fashion-MNIST of Debian's package
// `dataset-fashion-mnist` (sudo apt-get install dataset-fashion-mnist): the first 600 training and the first 100 test
// images of each class, in file order, kept in their original relative order. Deterministic: same input → same bytes.
//
//   node scripts/make-bundled-data.mjs [--src /usr/share/datasets/fashion-mnist] [--train-per-class 600] [--test-per-class 100]
import { readFileSync, writeFileSync, mkdirSync, renameSync } from 'node:fs';
import { gunzipSync, gzipSync, constants } from 'node:zlib';
import * as path from 'node:path';

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const src = opt('--src', '/usr/share/datasets/fashion-mnist');
const trainPerClass = Number(opt('--train-per-class', '600'));
const testPerClass = Number(opt('--test-per-class', '100'));
const out = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', 'examples', 'data', 'fashion-mnist-small');

// Deliberately self-contained (plain .mjs, no TypeScript build needed); the strict parser is src/core/data/idx.ts and
// the unit tests load the result through it.
function readIdx(file, rank) {
  let b;
  try { b = readFileSync(file); } catch (e) { throw new Error(`${file}: ${e.code === 'ENOENT' ? 'not found — install the Debian package dataset-fashion-mnist or pass --src' : e.message}`); }
  if (b[0] === 0x1f && b[1] === 0x8b) b = gunzipSync(b);
  if (b[0] !== 0 || b[1] !== 0 || b[2] !== 8 || b[3] !== rank) throw new Error(`${file}: not a u8 IDX file of rank ${rank}`);
  const dims = Array.from({ length: rank }, (_, i) => b.readUInt32BE(4 + 4 * i));
  const size = dims.reduce((x, y) => x * y, 1);
  const data = b.subarray(4 + 4 * rank);
  if (data.length !== size) throw new Error(`${file}: ${data.length} data bytes, dims ${dims.join('x')} need ${size}`);
  return { dims, data };
}

function writeIdx(file, dims, data) {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = 8;
  header[3] = dims.length;
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  // The committed image files were then recompressed with `zopfli --i15 <file>` (Debian's zopfli): the same bytes
  // inflated, 57 KB smaller, which the 5 MB per-platform .vsix budget needs (README). Do the same after regenerating.
  const gz = gzipSync(Buffer.concat([header, data]), { level: constants.Z_BEST_COMPRESSION });
  writeFileSync(`${file}.tmp`, gz);
  renameSync(`${file}.tmp`, file);
  return gz.length;
}

function subset(prefix, perClass) {
  const imgs = readIdx(path.join(src, `${prefix}-images-idx3-ubyte.gz`), 3);
  const labels = readIdx(path.join(src, `${prefix}-labels-idx1-ubyte.gz`), 1);
  const [n, h, w] = imgs.dims;
  if (labels.dims[0] !== n) throw new Error(`${prefix}: ${labels.dims[0]} labels for ${n} images`);
  const taken = new Array(10).fill(0);
  const pick = [];
  for (let i = 0; i < n && pick.length < perClass * 10; i++) {
    const l = labels.data[i];
    if (taken[l] < perClass) { taken[l]++; pick.push(i); }
  }
  if (taken.some((t) => t !== perClass)) throw new Error(`${prefix}: not enough samples per class (${taken.join(',')})`);
  const per = h * w;
  const outImgs = Buffer.alloc(pick.length * per);
  const outLabels = Buffer.alloc(pick.length);
  pick.forEach((j, k) => { labels.data.copy(outLabels, k, j, j + 1); imgs.data.copy(outImgs, k * per, j * per, (j + 1) * per); });
  const a = writeIdx(path.join(out, `${prefix}-images-idx3-ubyte.gz`), [pick.length, h, w], outImgs);
  const b = writeIdx(path.join(out, `${prefix}-labels-idx1-ubyte.gz`), [pick.length], outLabels);
  console.log(`${prefix}: ${pick.length} samples (${perClass} per class, source indices ${pick[0]}..${pick[pick.length - 1]}), ${a + b} bytes gzip'd`);
}

mkdirSync(out, { recursive: true });
subset('train', trainPerClass);
subset('t10k', testPerClass);
console.log(`wrote ${out}`);
