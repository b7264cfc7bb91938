/**
 * Keras weights files read with h5wasm (the HDF5 C library compiled to WebAssembly; no Python needed), loaded only when
 * a file is imported. The layouts, as Keras writes them:
 * - Keras 2 `model.save('m.h5')`: root attribute `model_config` (the model JSON), group `model_weights` whose
 *   attribute `layer_names` lists the layers and each layer group's `weight_names` its datasets ('conv1/kernel:0').
 *   Long lists are split into `layer_names0`, `layer_names1`, … (HDF5 caps an attribute at 64 KB).
 * - Keras 2 `save_weights('w.h5')`: the same `layer_names` / `weight_names` on the root, no architecture.
 * - Keras 3 `.weights.h5` (also inside a `.keras` archive): `layers/<name>/vars/0, 1, …` in layer.weights order.
 * A `.keras` archive is a zip of config.json (the model), metadata.json and model.weights.h5.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { unzipSync } from 'fflate';
import type { StoredArray, StoredWeights } from './kerasWeights';

export class ImportFileError extends Error {}

export interface KerasWeightsFile {
  layout: 'keras2-model' | 'keras2-weights' | 'keras3-weights';
  /** The model JSON (Keras 2 `model_config`, or a .keras archive's config.json); absent for a weights-only file. */
  modelConfig?: string;
  weights: StoredWeights;
  /** Number of arrays read, over all layers. */
  arrays: number;
}

type H5 = typeof import('h5wasm');
type Group = InstanceType<H5['Group']>;
type Dataset = InstanceType<H5['Dataset']>;

let h5wasmModule: Promise<H5> | undefined;

/** h5wasm on first use only: its WebAssembly HDF5 is 4 MB that nothing else needs. */
function loadH5wasm(): Promise<H5> {
  h5wasmModule ??= (async () => {
    const h5 = (await import('h5wasm/node')) as unknown as H5;
    const mod = await h5.ready;
    // HDF5 errors throw (with HDF5's error stack as the message) instead of printing to stderr and going on
    (mod as unknown as { activate_throwing_error_handler(): number }).activate_throwing_error_handler();
    return h5;
  })();
  return h5wasmModule;
}

/** HDF5's error stack, said in one line: its innermost message, with the two cases users meet in their words. */
export function hdf5Reason(err: unknown): string {
  const text = String((err as Error)?.message ?? err);
  const trunc = /truncated file: eof = (\d+).*stored_eof = (\d+)/.exec(text);
  if (trunc) return `the file is truncated: it has ${trunc[1]} bytes of the ${trunc[2]} its HDF5 superblock declares`;
  if (/file signature not found/.test(text)) return 'not an HDF5 file (no HDF5 signature)';
  const msgs = [...text.matchAll(/in \w+\(\): (.+)$/gm)].map((m) => m[1].trim());
  return msgs.length ? msgs[msgs.length - 1] : text.split('\n')[0];
}

/** An attribute's value as strings (HDF5 fixed or variable-length strings; chunked `name0`, `name1`, … too). */
function stringsAttr(obj: { attrs: Record<string, { value: unknown }> }, name: string): string[] | undefined {
  const attrs = obj.attrs;
  // an empty list (a layer without weights) is stored by h5py as an empty float array
  const one = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : ArrayBuffer.isView(v) ? [] : [String(v)]).filter((x) => x !== '');
  if (attrs[name]) return one(attrs[name].value);
  if (!attrs[`${name}0`]) return undefined;
  const out: string[] = [];
  for (let i = 0; attrs[`${name}${i}`]; i++) out.push(...one(attrs[`${name}${i}`].value));
  return out;
}

function readArray(ds: Dataset, name: string, where: string): StoredArray {
  const meta = ds.metadata as { type: number; size: number };
  const value = ds.value as unknown;
  if (!(value instanceof Float32Array || value instanceof Float64Array)) {
    throw new ImportFileError(`${where}: dataset '${name}' holds ${meta.type === 0 ? 'integers' : 'values'} of ${meta.size} bytes, not float32/float64 weights`);
  }
  return { name, shape: (ds.shape ?? []).slice(), data: value instanceof Float32Array ? value : Float32Array.from(value) };
}

function keras2Weights(group: Group, where: string): { weights: StoredWeights; arrays: number } {
  const names = stringsAttr(group, 'layer_names');
  if (!names) throw new ImportFileError(`${where}: no 'layer_names' attribute, so this is not a Keras weights group`);
  const weights: StoredWeights = new Map();
  let arrays = 0;
  for (const layer of names) {
    const g = group.get(layer) as Group | null;
    if (!g || typeof (g as Group).keys !== 'function') throw new ImportFileError(`${where}: 'layer_names' lists '${layer}' but the file has no group '${layer}'`);
    const wnames = stringsAttr(g, 'weight_names') ?? [];
    const list: StoredArray[] = [];
    for (const wn of wnames) {
      const ds = g.get(wn) as Dataset | null;
      if (!ds || !('shape' in ds)) throw new ImportFileError(`${where}: layer '${layer}' lists weight '${wn}' but the file has no dataset ${layer}/${wn}`);
      list.push(readArray(ds, wn, `${where}, layer '${layer}'`));
    }
    arrays += list.length;
    weights.set(layer, list);
  }
  return { weights, arrays };
}

function keras3Weights(root: Group, where: string): { weights: StoredWeights; arrays: number } {
  const layers = root.get('layers') as Group | null;
  if (!layers || typeof layers.keys !== 'function') throw new ImportFileError(`${where}: no 'layers' group, so this is not a Keras 3 .weights.h5`);
  const weights: StoredWeights = new Map();
  let arrays = 0;
  for (const layer of layers.keys()) {
    const vars = layers.get(`${layer}/vars`) as Group | null;
    const list: StoredArray[] = [];
    if (vars && typeof vars.keys === 'function') {
      const keys = vars.keys().filter((k) => /^\d+$/.test(k)).sort((a, b) => Number(a) - Number(b));
      for (const k of keys) list.push(readArray(vars.get(k) as Dataset, k, `${where}, layers/${layer}/vars`));
    }
    arrays += list.length;
    weights.set(layer, list);
  }
  return { weights, arrays };
}

/** Reads a Keras .h5 / .weights.h5 file; `shownAs` names it in messages (a .keras archive's member). */
export async function readKerasH5(file: string, shownAs = file): Promise<KerasWeightsFile> {
  if (!existsSync(file)) throw new ImportFileError(`${shownAs}: no such file`);
  if (!statSync(file).isFile()) throw new ImportFileError(`${shownAs}: not a file`);
  const h5 = await loadH5wasm();
  let f: InstanceType<H5['File']>;
  try {
    f = new h5.File(file, 'r');
  } catch (err) {
    throw new ImportFileError(`${shownAs}: cannot be read as HDF5: ${hdf5Reason(err)}`);
  }
  try {
    const modelConfig = stringsAttr(f, 'model_config')?.join('');
    if (modelConfig !== undefined) {
      const mw = f.get('model_weights') as Group | null;
      if (!mw) return { layout: 'keras2-model', modelConfig, weights: new Map(), arrays: 0 };
      return { layout: 'keras2-model', modelConfig, ...keras2Weights(mw, `${shownAs}, model_weights`) };
    }
    if (stringsAttr(f, 'layer_names')) return { layout: 'keras2-weights', ...keras2Weights(f, shownAs) };
    if (f.keys().includes('layers')) return { layout: 'keras3-weights', ...keras3Weights(f, shownAs) };
    throw new ImportFileError(`${shownAs}: an HDF5 file, but not one Keras wrote: no 'model_config' or 'layer_names' attribute and no 'layers' group (it holds ${f.keys().map((k) => `'${k}'`).join(', ') || 'nothing'})`);
  } catch (err) {
    if (err instanceof ImportFileError) throw err;
    throw new ImportFileError(`${shownAs}: cannot be read: ${hdf5Reason(err)}`);
  } finally {
    f.close();
  }
}

/** The members of a .keras archive BNN Studio reads; more than this is not a model of a size that fits a board. */
const MAX_ARCHIVE_MEMBER = 512 * 1024 * 1024;

/** Reads a Keras 3 `.keras` archive: config.json and model.weights.h5. */
export async function readKerasArchive(file: string): Promise<KerasWeightsFile> {
  let bytes: Uint8Array;
  try { bytes = readFileSync(file); } catch (err) {
    throw new ImportFileError(`${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes, {
      filter: (m) => {
        if (m.name !== 'config.json' && m.name !== 'model.weights.h5') return false;
        if (m.originalSize > MAX_ARCHIVE_MEMBER) throw new ImportFileError(`${file}: ${m.name} is ${m.originalSize} bytes, more than BNN Studio reads (${MAX_ARCHIVE_MEMBER})`);
        return true;
      },
    });
  } catch (err) {
    if (err instanceof ImportFileError) throw err;
    throw new ImportFileError(`${file}: not a readable .keras (zip) archive: ${(err as Error).message}`);
  }
  const config = entries['config.json'];
  if (!config) throw new ImportFileError(`${file}: the archive has no config.json, so it holds no model (Keras 3's model.save('m.keras') writes one)`);
  const modelConfig = new TextDecoder().decode(config);
  const h5 = entries['model.weights.h5'];
  if (!h5) return { layout: 'keras3-weights', modelConfig, weights: new Map(), arrays: 0 };
  // h5wasm opens files by path: the member goes to a private temporary folder for as long as it is read
  const dir = mkdtempSync(path.join(tmpdir(), 'bnn-keras-'));
  try {
    const tmp = path.join(dir, 'model.weights.h5');
    writeFileSync(tmp, h5);
    const read = await readKerasH5(tmp, `${file} (model.weights.h5)`);
    return { ...read, layout: 'keras3-weights', modelConfig };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
