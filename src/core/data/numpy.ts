/**
 * NumPy datasets: an `.npz` archive as Keras' mnist.npz is saved (`x_train`, `y_train`, `x_test`, `y_test`, or just
 * `x`, `y`), stored or deflated (np.savez / np.savez_compressed), and `.npy` pairs (x_train.npy + y_train.npy …, or
 * x.npy + y.npy). The .npy format is read by npyjs and the zip by fflate; this module checks what they do not: that
 * the data length matches the header's shape (truncation), C order, and which arrays are there.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse as parseNpy } from 'npyjs';
import { unzipSync } from 'fflate';
import { checkDataSize, type NumericArray } from './arrays';
import { DataError } from './errors';
import { datasetFromArrays, type ArrayPart, type DataReadOptions } from './preprocess';
import type { Dataset } from './dataset';

/** The array names a NumPy dataset may use, by role. */
export const NUMPY_ROLES = { xTrain: 'x_train', yTrain: 'y_train', xTest: 'x_test', yTest: 'y_test', x: 'x', y: 'y' } as const;

const INTEGER_DTYPES = new Set(['i1', 'u1', 'i2', 'u2', 'i4', 'u4', 'i8', 'u8', 'b1']);
const NUMERIC_DTYPES = new Set([...INTEGER_DTYPES, 'f2', 'f4', 'f8']);

function readFile(file: string): Uint8Array {
  checkDataSize(file);
  try {
    return readFileSync(file);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new DataError(e.code === 'ENOENT' ? 'file not found' : `cannot read file (${e.code ?? e.message})`, file);
  }
}

/** Parses one .npy (header version 1.0, 2.0 or 3.0); `name` is how errors refer to it (an .npz member or a file). */
export function parseNpyBytes(bytes: Uint8Array, file: string, name: string): NumericArray {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
  if (bytes.length < 10 || magic.some((b, i) => bytes[i] !== b)) throw new DataError(`${name} is not a .npy array (no \\x93NUMPY magic)`, file);
  // npyjs views the buffer from offset 0: give it a buffer of its own.
  const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let arr;
  try {
    arr = parseNpy(buf, { convertFloat16: true });
  } catch (err) {
    const msg = (err as Error).message;
    throw new DataError(`${name}: ${/dtype/i.test(msg) ? `${msg} (supported: little-endian integers, float16/32/64 and bool)` : `malformed or truncated .npy (${msg})`}`, file);
  }
  const dtype = arr.dtype.replace(/^[<|=]/, '');
  if (!NUMERIC_DTYPES.has(dtype)) throw new DataError(`${name} has dtype '${arr.dtype}'; only numbers (integers, float16/32/64, bool) can be samples or labels`, file);
  if (arr.fortranOrder) throw new DataError(`${name} is stored in Fortran (column-major) order`, file, 'Save it with np.save(..., np.ascontiguousarray(a)).');
  const want = arr.shape.reduce((a, b) => a * b, 1);
  const data = arr.data as unknown as ArrayLike<number | bigint>;
  if (data.length !== want) {
    throw new DataError(`${name}: the header's shape (${arr.shape.join(', ')}) needs ${want} values, the data has ${data.length} (${data.length < want ? 'truncated file' : 'extra bytes after the array'})`, file, 'Save or copy the file again.');
  }
  // int64 labels are numpy's default: numbers, exactly (a label or pixel far beyond 2^53 is an error later anyway).
  // npyjs gives bool arrays as JS booleans.
  const numbers: ArrayLike<number> = typeof data[0] === 'bigint' || typeof data[0] === 'boolean' ? Float64Array.from(data as ArrayLike<bigint | boolean>, Number) : data as ArrayLike<number>;
  return { shape: arr.shape, data: numbers, integer: INTEGER_DTYPES.has(dtype) };
}

export function readNpy(file: string): NumericArray {
  return parseNpyBytes(readFile(file), file, path.basename(file));
}

/** Reads the arrays of an .npz, refusing one whose arrays would not fit in memory before inflating them. */
export function readNpz(file: string): Map<string, NumericArray> {
  const bytes = readFile(file);
  let total = 0;
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes, {
      filter: (f) => {
        if (!f.name.endsWith('.npy')) return false;
        total += f.originalSize;
        checkDataSize(file, total, 'the arrays inside the archive');
        return true;
      },
    });
  } catch (err) {
    if (err instanceof DataError) throw err;
    throw new DataError(`not a readable .npz (zip) archive: ${(err as Error).message}`, file, 'np.savez and np.savez_compressed write .npz files; copy the file again if it was truncated.');
  }
  const arrays = new Map<string, NumericArray>();
  for (const [member, data] of Object.entries(entries)) {
    const name = member.replace(/\.npy$/, '');
    arrays.set(name, parseNpyBytes(data, file, `array '${name}'`));
  }
  return arrays;
}

/** Finds the arrays by role (names compared case-insensitively: X_train works too). */
function pick(arrays: Map<string, NumericArray>, name: string): [string, NumericArray] | undefined {
  for (const [k, v] of arrays) if (k.toLowerCase() === name) return [k, v];
  return undefined;
}

function partsFrom(arrays: Map<string, NumericArray>, fileOf: (name: string) => string, what: string): { train: ArrayPart; test?: ArrayPart } {
  const part = (xn: string, yn: string): ArrayPart | undefined => {
    const x = pick(arrays, xn);
    const y = pick(arrays, yn);
    if (!x && !y) return undefined;
    if (!x || !y) {
      const [have, miss] = x ? [x[0], yn] : [y?.[0] ?? yn, xn];
      throw new DataError(`${what} has '${have}' but no '${miss}'`, fileOf(have), `A NumPy dataset holds ${NUMPY_ROLES.xTrain}, ${NUMPY_ROLES.yTrain} (and optionally ${NUMPY_ROLES.xTest}, ${NUMPY_ROLES.yTest}), or ${NUMPY_ROLES.x}, ${NUMPY_ROLES.y}.`);
    }
    return { x: x[1], y: y[1], xWhere: { file: fileOf(x[0]), name: x[0] }, yWhere: { file: fileOf(y[0]), name: y[0] } };
  };
  const train = part(NUMPY_ROLES.xTrain, NUMPY_ROLES.yTrain);
  const test = part(NUMPY_ROLES.xTest, NUMPY_ROLES.yTest);
  const whole = part(NUMPY_ROLES.x, NUMPY_ROLES.y);
  if (train) return { train, test };
  if (test) throw new DataError(`${what} has ${NUMPY_ROLES.xTest}/${NUMPY_ROLES.yTest} but no ${NUMPY_ROLES.xTrain}/${NUMPY_ROLES.yTrain}`, test.xWhere.file);
  if (whole) return { train: whole };
  const names = [...arrays.keys()];
  throw new DataError(`${what} has no ${NUMPY_ROLES.xTrain}/${NUMPY_ROLES.yTrain} or ${NUMPY_ROLES.x}/${NUMPY_ROLES.y} arrays${names.length ? ` (it holds ${names.map((n) => `'${n}'`).join(', ')})` : ' (it holds no arrays)'}`, fileOf(''),
    `Save them under those names, e.g. np.savez('data.npz', ${NUMPY_ROLES.xTrain}=x, ${NUMPY_ROLES.yTrain}=y).`);
}

/** Where a NumPy dataset is: one .npz, or a folder of .npy files named by role. */
export type NumpyLocation = { npz: string } | { npyDir: string; files: Record<string, string> };

/** The .npy files in `dir` named as roles (x_train.npy …, case-insensitive), or undefined when there are none. */
export function npyFilesIn(names: readonly string[], dir: string): Record<string, string> | undefined {
  const roles: string[] = Object.values(NUMPY_ROLES);
  const files: Record<string, string> = {};
  for (const n of names) {
    const m = /^(.*)\.npy$/i.exec(n);
    if (m && roles.includes(m[1].toLowerCase())) files[m[1]] = path.join(dir, n);
  }
  return Object.keys(files).length ? files : undefined;
}

export function loadNumpyDataset(loc: NumpyLocation, name: string, dir: string, read: DataReadOptions = {}): Dataset {
  if ('npz' in loc) {
    const arrays = readNpz(loc.npz);
    const parts = partsFrom(arrays, () => loc.npz, path.basename(loc.npz));
    return datasetFromArrays({ name, dir, sources: [loc.npz], format: 'numpy', ...parts }, read);
  }
  const arrays = new Map<string, NumericArray>();
  for (const [n, f] of Object.entries(loc.files)) arrays.set(n, readNpy(f));
  const parts = partsFrom(arrays, (n) => loc.files[n] ?? loc.npyDir, `the folder ${loc.npyDir}`);
  return datasetFromArrays({ name, dir, sources: Object.values(loc.files), format: 'numpy', ...parts }, read);
}
