/**
 * The trained weights a TF.js layers model.json declares (its weightsManifest), checked against the shard files next
 * to it. BNN Studio imports the architecture only, so an import must say which weights it leaves behind — and a shard
 * that is missing or of the wrong size must be named, not pass unnoticed because nothing read it.
 *
 * Sizes follow the TF.js weights format: the shards of a group are its tensors' bytes back to back (float32, int32: 4
 * bytes a value, bool/uint8: 1; a quantized tensor stores its quantization dtype), split into files in order.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize, relative } from 'node:path';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const VALUE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2, complex64: 8 };

export interface DeclaredWeights {
  tensors: number;
  /** Total bytes the manifest declares (over all groups). */
  bytes: number;
  /** The shard files, as the manifest names them (relative to the model.json). */
  files: string[];
  /** Missing or mis-sized shards, malformed manifest entries: each names the file or entry and the sizes. */
  problems: string[];
}

function tensorBytes(w: Obj, where: string): number | string {
  const shape = w.shape;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) return `${where}: "shape" must be a list of sizes, got ${JSON.stringify(shape)}`;
  const q = isObj(w.quantization) ? w.quantization : undefined;
  const dtype = String(q ? q.dtype : w.dtype);
  const per = VALUE_BYTES[dtype];
  if (per === undefined) return `${where}: dtype ${JSON.stringify(q ? q.dtype : w.dtype)} has no fixed size, so its bytes cannot be checked`;
  return (shape as number[]).reduce((a, b) => a * b, 1) * per;
}

/**
 * What a TF.js model.json's weightsManifest declares, and whether the files on disk hold exactly that (unless
 * `checkFiles` is false); undefined if it declares none.
 */
export function checkTfjsWeights(source: Obj | undefined, modelFile: string, opts: { checkFiles?: boolean } = {}): DeclaredWeights | undefined {
  const manifest = source?.weightsManifest;
  if (manifest === undefined) return undefined;
  const out: DeclaredWeights = { tensors: 0, bytes: 0, files: [], problems: [] };
  if (!Array.isArray(manifest)) {
    out.problems.push(`"weightsManifest" must be a list of weight groups, got ${JSON.stringify(manifest)?.slice(0, 60)}`);
    return out;
  }
  const dir = dirname(modelFile);
  manifest.forEach((g, gi) => {
    const group = `weightsManifest group ${gi + 1} of ${manifest.length}`;
    const tensors = (n: number): string => `${n} tensor${n === 1 ? '' : 's'}`;
    if (!isObj(g) || !Array.isArray(g.paths) || !Array.isArray(g.weights) || !g.paths.every((p) => typeof p === 'string')) {
      out.problems.push(`${group}: expected {"paths": [file, …], "weights": [{name, shape, dtype}, …]}`);
      return;
    }
    let declared = 0;
    let sizable = true;
    for (const [wi, w] of (g.weights as unknown[]).entries()) {
      const where = `${group}, weight ${wi}${isObj(w) && typeof w.name === 'string' ? ` '${w.name}'` : ''}`;
      const b = isObj(w) ? tensorBytes(w, where) : `${where}: not an object`;
      if (typeof b === 'string') { out.problems.push(b); sizable = false; continue; }
      declared += b;
      out.tensors++;
    }
    out.bytes += declared;
    let found = 0;
    const sizes: string[] = [];
    let complete = true;
    for (const p of g.paths as string[]) {
      out.files.push(p);
      if (opts.checkFiles === false) { complete = false; continue; }
      const file = normalize(join(dir, p));
      // shards sit next to model.json (tf.loadLayersModel fetches them relative to it); nothing else is looked at
      const rel = relative(dir, file);
      if (isAbsolute(p) || /^[a-z][a-z0-9+.-]*:/i.test(p) || rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
        out.problems.push(`${group}: shard "${p}" is not a file in the folder of ${modelFile}`);
        complete = false;
        continue;
      }
      let size: number;
      try {
        const st = statSync(file);
        if (!st.isFile()) throw Object.assign(new Error('not a file'), { code: 'ENOTFILE' });
        size = st.size;
      } catch {
        out.problems.push(`${file} is missing: ${group} names it as a shard of its ${tensors((g.weights as unknown[]).length)} (${declared} bytes)`);
        complete = false;
        continue;
      }
      found += size;
      sizes.push(`${p} ${size}`);
    }
    if (complete && sizable && found !== declared) {
      const held = (g.paths as string[]).length === 1 ? `${join(dir, (g.paths as string[])[0])} has ${found} bytes` : `its ${sizes.length} shards hold ${found} bytes (${sizes.join(' + ')})`;
      out.problems.push(`${held}, but ${group} declares ${declared} bytes for its ${tensors((g.weights as unknown[]).length)} (${found < declared ? 'truncated' : 'longer than declared'})`);
    }
  });
  return out;
}

/**
 * The weights of a TF.js layers model.json, read from its shards after checkTfjsWeights found them complete: per
 * layer (the name before the last '/': 'conv1/kernel' → 'conv1'), its arrays in manifest order. float32 as stored;
 * uint8/uint16-quantized tensors dequantized as tfjs does (q·scale + min). Throws a message naming the tensor otherwise.
 */
export function readTfjsWeights(source: Obj, modelFile: string): Map<string, { name: string; shape: number[]; data: Float32Array }[]> {
  const out = new Map<string, { name: string; shape: number[]; data: Float32Array }[]>();
  const dir = dirname(modelFile);
  for (const g of source.weightsManifest as { paths: string[]; weights: Obj[] }[]) {
    const bytes = Buffer.concat(g.paths.map((p) => readFileSync(join(dir, p))));
    let at = 0;
    for (const w of g.weights) {
      const name = String(w.name);
      const shape = w.shape as number[];
      const n = shape.reduce((a, b) => a * b, 1);
      const q = isObj(w.quantization) ? w.quantization : undefined;
      const dtype = String(q ? q.dtype : w.dtype);
      const per = VALUE_BYTES[dtype];
      const chunk = bytes.subarray(at, at + n * per);
      at += n * per;
      let data: Float32Array;
      if (!q && dtype === 'float32') {
        data = new Float32Array(chunk.buffer.slice(chunk.byteOffset, chunk.byteOffset + chunk.byteLength));
      } else if (q && (dtype === 'uint8' || dtype === 'uint16') && typeof q.scale === 'number' && typeof q.min === 'number') {
        const ints = dtype === 'uint8' ? chunk : new Uint16Array(chunk.buffer.slice(chunk.byteOffset, chunk.byteOffset + chunk.byteLength));
        data = Float32Array.from(ints, (v) => v * (q.scale as number) + (q.min as number));
      } else {
        throw new Error(`${modelFile}: weight '${name}' is ${q ? `quantized to ${dtype}${typeof q.scale === 'number' ? '' : ' without scale/min'}` : dtype}; BNN Studio reads float32 weights and uint8/uint16 ones quantized with scale and min`);
      }
      const parts = name.split('/');
      const layer = parts.length > 1 ? parts[parts.length - 2] : name;
      const list = out.get(layer) ?? [];
      list.push({ name, shape, data });
      out.set(layer, list);
    }
  }
  return out;
}
