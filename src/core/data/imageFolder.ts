/**
 * Image folders in Keras' image_dataset_from_directory layout: `root/<class>/…/*.png|jpg|jpeg|bmp|gif`, or with `train/` and
 * `test/` (or `val/`, `validation/`) sub-roots holding the class folders. Classes are the sorted sub-folder names and
 * files are taken sorted, sub-folders included, as Keras indexes them. Each image becomes the model's input by
 * imageDecode.ts's exact rules; the decoded tensors are cached (`.bnn/cache/`), keyed by file path, size and mtime.
 *
 * A corrupt or truncated image is skipped and counted in a warning that names the first ones (a few bad frames in a
 * camera dump should not stop a run; Edge Impulse skips them too); a class left without any readable image is an error.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { checkDataSize } from './arrays';
import { DataError } from './errors';
import { convertChannels, decodeImage, resizeImage, CHANNEL_RULE, DEFAULT_RESIZE, type ResizeMode } from './imageDecode';
import { datasetFromArrays, type ArrayPart, type DataReadOptions } from './preprocess';
import type { Dataset } from './dataset';

/** What Keras' image_dataset_from_directory lists, all decoded (imageDecode.ts). */
export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.bmp', '.gif'];
const TRAIN_DIRS = ['train', 'training'];
const TEST_DIRS = ['test', 'val', 'validation'];

/** The image input shape of a model: [H, W, C] as is, [H, W] as one channel; a vector input has none. */
export function modelImageShape(input: readonly number[]): [number, number, number] | undefined {
  if (input.length === 3) return [input[0], input[1], input[2]];
  if (input.length === 2) return [input[0], input[1], 1];
  return undefined;
}

/** The decoded-tensor cache of a workspace: `.bnn/cache/`, beside `.bnn/experiments/`. */
export function cacheDirFor(experimentsDir: string): string {
  return path.join(path.dirname(experimentsDir), 'cache');
}

export interface ImageFolderLocation {
  root: string;
  train: string;
  test?: string;
}

function subdirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  } catch {
    return [];
  }
}

const isImage = (name: string): boolean => IMAGE_EXTENSIONS.includes(path.extname(name).toLowerCase());

function hasClassFolders(dir: string): boolean {
  return subdirs(dir).some((c) => {
    try {
      return readdirSync(path.join(dir, c)).some(isImage);
    } catch {
      return false;
    }
  });
}

/** The layout of `dir` when it is an image folder dataset, else undefined. */
export function imageFolderLayout(dir: string): ImageFolderLocation | undefined {
  const subs = subdirs(dir);
  const train = TRAIN_DIRS.find((d) => subs.includes(d) && hasClassFolders(path.join(dir, d)));
  if (train) {
    const test = TEST_DIRS.find((d) => subs.includes(d) && hasClassFolders(path.join(dir, d)));
    return { root: dir, train: path.join(dir, train), test: test ? path.join(dir, test) : undefined };
  }
  return hasClassFolders(dir) ? { root: dir, train: dir } : undefined;
}

interface ImageFile {
  file: string;
  label: number;
  size: number;
  mtimeMs: number;
}

function walk(dir: string, out: string[]): void {
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (isImage(e.name)) out.push(p);
  }
}

function listImages(dir: string, classNames: string[]): ImageFile[] {
  const files: ImageFile[] = [];
  classNames.forEach((c, label) => {
    const found: string[] = [];
    const classDir = path.join(dir, c);
    try {
      walk(classDir, found);
    } catch {
      return; // a test sub-root need not have every class
    }
    if (found.length === 0) {
      throw new DataError(`class folder '${c}' has no images (${IMAGE_EXTENSIONS.join(', ')})`, classDir, 'Remove the empty folder or put its images in: every sub-folder is a class, as in Keras.');
    }
    for (const f of found) {
      const st = statSync(f);
      files.push({ file: f, label, size: st.size, mtimeMs: st.mtimeMs });
    }
  });
  return files;
}

interface CacheHeader {
  version: 1;
  shape: number[];
  resize: ResizeMode;
  entries: { rel: string; size: number; mtimeMs: number }[];
}

function cachePath(cacheDir: string, root: string, shape: number[], resize: ResizeMode): string {
  const key = createHash('sha256').update(JSON.stringify({ root: path.resolve(root), shape, resize })).digest('hex').slice(0, 16);
  return path.join(cacheDir, `images-${key}.bin`);
}

/** Cached tensors by relative path, for the files whose size and mtime are unchanged. */
function readCache(file: string, shape: number[], resize: ResizeMode): Map<string, Uint8Array> {
  const hits = new Map<string, Uint8Array>();
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return hits;
  }
  try {
    const len = bytes.readUInt32LE(0);
    const h = JSON.parse(bytes.subarray(4, 4 + len).toString('utf8')) as CacheHeader;
    const per = shape.reduce((a, b) => a * b, 1);
    if (h.version !== 1 || h.shape.join() !== shape.join() || h.resize !== resize || bytes.length !== 4 + len + h.entries.length * per) return hits;
    h.entries.forEach((e, i) => hits.set(`${e.rel}\0${e.size}\0${e.mtimeMs}`, bytes.subarray(4 + len + i * per, 4 + len + (i + 1) * per)));
  } catch {
    // an unreadable cache is only slower: decode again
  }
  return hits;
}

function writeCache(file: string, header: CacheHeader, data: Uint8Array[]): void {
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    const json = Buffer.from(JSON.stringify(header), 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32LE(json.length, 0);
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, Buffer.concat([len, json, ...data]));
    renameSync(tmp, file);
  } catch {
    // a read-only workspace still trains, only without the cache
  }
}

export interface DecodeReport {
  decoded: number;
  cached: number;
  resized: number;
  corrupt: { file: string; reason: string }[];
}

/** Told how far a long load has come (the Datasets view and Run on Emulated Board show it). */
export type LoadProgress = (done: number, total: number, message: string) => void;

/** Images between two progress calls: often enough for a bar, rare enough to cost nothing. */
const PROGRESS_EVERY = 200;

function decodeAll(root: string, partDir: string, files: ImageFile[], shape: [number, number, number], resize: ResizeMode, cacheDir: string | undefined, report: DecodeReport, progress?: LoadProgress): { data: Uint8Array[]; kept: ImageFile[] } {
  const [h, w, c] = shape;
  // one cache file per sub-root (train/, test/), so reading one part never evicts the other
  const cacheFile = cacheDir ? cachePath(cacheDir, partDir, shape, resize) : undefined;
  const hits = cacheFile ? readCache(cacheFile, shape, resize) : new Map<string, Uint8Array>();
  const data: Uint8Array[] = [];
  const kept: ImageFile[] = [];
  const what = `decoding images of ${path.relative(root, partDir) || path.basename(root)}`;
  for (const [i, f] of files.entries()) {
    if (progress && i % PROGRESS_EVERY === 0) progress(i, files.length, what);
    const rel = path.relative(root, f.file);
    const hit = hits.get(`${rel}\0${f.size}\0${f.mtimeMs}`);
    if (hit) {
      data.push(hit);
      kept.push(f);
      report.cached++;
      continue;
    }
    let img;
    try {
      img = decodeImage(readFileSync(f.file));
    } catch (err) {
      report.corrupt.push({ file: f.file, reason: (err as Error).message });
      continue;
    }
    if (img.width !== w || img.height !== h) report.resized++;
    data.push(resizeImage(convertChannels(img, c), img.width, img.height, c, w, h, resize));
    kept.push(f);
    report.decoded++;
  }
  if (cacheFile && report.decoded > 0) {
    writeCache(cacheFile, { version: 1, shape, resize, entries: kept.map((f) => ({ rel: path.relative(root, f.file), size: f.size, mtimeMs: f.mtimeMs })) }, data);
  }
  return { data, kept };
}

/** The input shape when no model gives one: the first readable image's size, one channel if it is grey, else three. */
function shapeFromFirstImage(files: ImageFile[]): [number, number, number] {
  for (const f of files) {
    try {
      const img = decodeImage(readFileSync(f.file));
      return [img.height, img.width, img.grey ? 1 : 3];
    } catch {
      // corrupt: counted when the images are decoded
    }
  }
  throw new DataError('no readable image', files[0]?.file);
}

function part(root: string, dir: string, classNames: string[], shape: [number, number, number], resize: ResizeMode, read: DataReadOptions, report: DecodeReport, progress?: LoadProgress): ArrayPart {
  const files = listImages(dir, classNames);
  checkDataSize(dir, files.length * shape[0] * shape[1] * shape[2], `the decoded images (${files.length} of ${shape.join('×')})`);
  const { data, kept } = decodeAll(root, dir, files, shape, resize, read.cacheDir, report, progress);
  const x = new Uint8Array(kept.length * shape[0] * shape[1] * shape[2]);
  data.forEach((d, i) => x.set(d, i * d.length));
  const name = path.relative(root, dir) || path.basename(root);
  return {
    x: { shape: [kept.length, ...shape], data: x, integer: true },
    y: { shape: [kept.length], data: Uint8Array.from(kept, (f) => f.label), integer: true },
    xWhere: { file: dir, name: `images of ${name}` }, yWhere: { file: dir, name: `class folders of ${name}` },
  };
}

/** The training part's image files of each class, in Keras' order (the preview decodes only the first few). */
export function imageFolderFiles(loc: ImageFolderLocation): { classNames: string[]; files: string[][] } {
  const classNames = subdirs(loc.train);
  const files = classNames.map(() => [] as string[]);
  for (const f of listImages(loc.train, classNames)) files[f.label].push(f.file);
  return { classNames, files };
}

/** An image folder from its listing and first image alone (the Datasets view): no image but the first is decoded. */
export function describeImageFolder(loc: ImageFolderLocation): { classNames: string[]; shape: [number, number, number]; train: number[]; test?: number[]; warnings: string[] } {
  const classNames = subdirs(loc.train);
  const perClass = (dir: string): number[] => {
    const counts = new Array<number>(classNames.length).fill(0);
    for (const f of listImages(dir, classNames)) counts[f.label]++;
    return counts;
  };
  const train = perClass(loc.train);
  const test = loc.test ? perClass(loc.test) : undefined;
  const extra = loc.test ? subdirs(loc.test).filter((c) => !classNames.includes(c)) : [];
  if (extra.length) throw new DataError(`class folder${extra.length > 1 ? 's' : ''} ${extra.map((c) => `'${c}'`).join(', ')} not among the training classes (${classNames.join(', ')})`, loc.test);
  if (classNames.length < 2) throw new DataError(`only one class folder ('${classNames[0]}'): a classifier needs at least two classes`, loc.train);
  const shape = shapeFromFirstImage(listImages(loc.train, classNames.slice(0, 1)));
  return { classNames, shape, train, test, warnings: [] };
}

export function loadImageFolderDataset(loc: ImageFolderLocation, read: DataReadOptions = {}, progress?: LoadProgress): Dataset {
  const classNames = subdirs(loc.train);
  const resize = read.resize ?? DEFAULT_RESIZE;
  if (loc.test) {
    const extra = subdirs(loc.test).filter((c) => !classNames.includes(c));
    if (extra.length) throw new DataError(`class folder${extra.length > 1 ? 's' : ''} ${extra.map((c) => `'${c}'`).join(', ')} not among the training classes (${classNames.join(', ')})`, loc.test);
  }
  const shape = read.imageShape ?? shapeFromFirstImage(listImages(loc.train, classNames.slice(0, 1)));
  const report: DecodeReport = { decoded: 0, cached: 0, resized: 0, corrupt: [] };
  const train = part(loc.root, loc.train, classNames, shape, resize, read, report, progress);
  const test = loc.test ? part(loc.root, loc.test, classNames, shape, resize, read, report, progress) : undefined;
  const trainCounts = new Array<number>(classNames.length).fill(0);
  for (const l of train.y.data as Uint8Array) trainCounts[l]++;
  const lost = classNames.filter((_, c) => trainCounts[c] === 0);
  if (lost.length) throw new DataError(`class folder '${lost[0]}' has no readable image`, path.join(loc.train, lost[0]), report.corrupt.length ? `e.g. ${report.corrupt[0].file}: ${report.corrupt[0].reason}` : undefined);
  const ds = datasetFromArrays({ name: path.basename(loc.root), dir: loc.root, sources: [loc.root], format: 'image-folder', train, test }, read);
  const warnings = [...(ds.warnings ?? [])];
  if (report.corrupt.length) {
    warnings.push(`${report.corrupt.length} image${report.corrupt.length > 1 ? 's' : ''} could not be decoded and ${report.corrupt.length > 1 ? 'were' : 'was'} skipped: ${report.corrupt.slice(0, 3).map((c) => `${c.file} (${c.reason})`).join('; ')}${report.corrupt.length > 3 ? '; …' : ''}`);
  }
  if (report.resized) warnings.push(`${report.resized} image${report.resized > 1 ? 's were' : ' was'} not ${shape[1]}×${shape[0]} and ${report.resized > 1 ? 'were' : 'was'} resized (${resize})`);
  return {
    ...ds, classNames, warnings, imageReport: report,
    preprocessing: { ...ds.preprocessing, format: 'image-folder', image: { shape, resize, channels: CHANNEL_RULE } },
  };
}
