/**
 * A trained model from another framework, imported with its weights: Keras .h5 (Keras 2 model.save / save_weights with
 * --architecture), Keras 3 .keras, a TF.js layers model.json with its shards, or ONNX from PyTorch (onnxImport.ts).
 * Each comes out as a TrainedModel on BNN Studio's semantics — its input encoding folded into the first layer, latent
 * kernels binarized, scales folded — whose spec passed the one *.bnn.json loader, ready to become an experiment
 * (importExperiment.ts). What was changed on the way is said in `notes`; what stops the import in `problems`.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { ModelSpec } from '../model/spec';
import { INPUT_ENCODING } from '../model/spec';
import type { TrainedModel } from '../model/trained';
import { loadModelText } from '../model/load';
import { importKerasModel, type ImportProblem } from './keras';
import { specToDocument } from './kerasExport';
import { attachKerasWeights, type StoredWeights } from './kerasWeights';
import { encodingFromPreprocessing, foldInputEncoding, describeEncoding, type InputEncoding } from './inputEncoding';
import { ImportFileError, readKerasArchive, readKerasH5, type KerasWeightsFile } from './kerasH5';
import { checkTfjsWeights, readTfjsWeights } from './tfjsWeights';
import { importOnnxModel } from './onnxImport';

export type TrainedFormat = 'keras-h5' | 'keras-archive' | 'tfjs-layers' | 'onnx';

export interface TrainedImport {
  format: TrainedFormat;
  /** The model as converted (set even when it holds no weights). */
  spec?: ModelSpec;
  /** The *.bnn.json text of the final spec, as the loader accepted it. */
  text?: string;
  /** Set only when the weights were imported and every check passed. */
  trained?: TrainedModel;
  /** The file holds an architecture and no weights: `spec`/`text` can be imported as an untrained model. */
  architectureOnly?: boolean;
  problems: ImportProblem[];
  notes: string[];
  /** How the imported model's input encoding was settled, in words. */
  encoding?: string;
}

export interface TrainedImportOptions {
  /** The source model's input encoding as the user gives it (overrides what the file says). */
  inputEncoding?: InputEncoding;
  /** For a weights-only .h5 (save_weights): the model JSON that goes with it. */
  architecture?: string;
}

const error = (message: string): ImportProblem => ({ severity: 'error', message });

export function trainedFormatOf(file: string): TrainedFormat | undefined {
  const f = file.toLowerCase();
  if (f.endsWith('.h5') || f.endsWith('.hdf5')) return 'keras-h5';
  if (f.endsWith('.keras')) return 'keras-archive';
  if (f.endsWith('.onnx')) return 'onnx';
  return undefined;
}

/** Imports `file` with its weights. Never throws for bad input: problems say what and where. */
export async function importTrainedModel(file: string, opts: TrainedImportOptions = {}): Promise<TrainedImport> {
  const format = trainedFormatOf(file) ?? 'tfjs-layers';
  try {
    if (format === 'onnx') {
      const r = importOnnxModel(readFileSync(file), file);
      if (!r.trained) return { format, problems: r.problems, notes: r.notes };
      // ONNX graphs carry no model name BNN Studio can use: the file's, as a model name
      r.trained.spec.name = path.basename(file).replace(/\.onnx$/i, '').replace(/[^A-Za-z0-9_.-]/g, '_').replace(/^[.-]/, '_').slice(0, 100) || 'onnx_model';
      return finish({ format, problems: r.problems, notes: r.notes }, r.trained, undefined, opts.inputEncoding, 'ONNX has no record of the input encoding');
    }
    if (format === 'tfjs-layers') return importTfjs(readFileSync(file, 'utf8'), file, opts);
    const read: KerasWeightsFile = format === 'keras-archive' ? await readKerasArchive(file) : await readKerasH5(file);
    let configText = read.modelConfig;
    let configFile = file;
    if (configText === undefined) {
      if (!opts.architecture) return { format, problems: [error(`${file}: holds weights only (Keras save_weights()), no architecture: give the model JSON it belongs to (model.to_json()) with --architecture <model.json>`)], notes: [] };
      configFile = opts.architecture;
      configText = readFileSync(opts.architecture, 'utf8');
    }
    return fromKeras(format, configText, configFile, read.weights, read.arrays, file, opts);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const message = err instanceof ImportFileError ? e.message : e.code === 'ENOENT' ? `${e.path ?? file}: no such file` : `${file}: ${e.message}`;
    return { format, problems: [error(message)], notes: [] };
  }
}

function importTfjs(text: string, file: string, opts: TrainedImportOptions): TrainedImport {
  const r = importKerasModel(text, file);
  const declared = checkTfjsWeights(r.source, file);
  if (!declared || (declared.tensors === 0 && declared.files.length === 0)) {
    return fromKeras('tfjs-layers', text, file, new Map(), 0, file, opts);
  }
  if (declared.problems.length) return { format: 'tfjs-layers', spec: r.spec, problems: [...r.problems, ...declared.problems.map((p) => error(`weights: ${p}`))], notes: [] };
  return fromKeras('tfjs-layers', text, file, readTfjsWeights(r.source!, file), declared.tensors, file, opts);
}

function fromKeras(format: TrainedFormat, configText: string, configFile: string, weights: StoredWeights, arrays: number, file: string, opts: TrainedImportOptions): TrainedImport {
  const r = importKerasModel(configText, configFile);
  const out: TrainedImport = { format, spec: r.spec, text: r.text, problems: [...r.problems], notes: [...r.notes] };
  if (!r.spec) return out;
  if (arrays === 0) {
    out.architectureOnly = true;
    out.problems.push(error(`${file}: holds the architecture only, no trained weights${format === 'keras-h5' ? " (no 'model_weights' group)" : ''}: import it as an untrained model (bnn import --untrained) and train it in BNN Studio`));
    return out;
  }
  const attached = attachKerasWeights(structuredClone(r.spec), r.origins, weights, r.magnitudeAware, path.basename(file));
  out.notes.push(...attached.notes);
  out.problems.push(...attached.errors.map(error));
  if (!attached.trained) return out;
  let fileEncoding: InputEncoding | undefined;
  if (r.preprocessing.length) {
    const e = encodingFromPreprocessing(r.preprocessing, weights);
    if (typeof e === 'string') { out.problems.push(error(`${file}: ${e}`)); return out; }
    fileEncoding = e;
  }
  if (fileEncoding && opts.inputEncoding) out.notes.push(`the given input encoding (${describeEncoding(opts.inputEncoding)}) is used instead of ${fileEncoding.source} (${describeEncoding(fileEncoding)})`);
  return finish(out, attached.trained, fileEncoding, opts.inputEncoding, 'the model has no Rescaling or Normalization layer');
}

/** Folds the input encoding and checks the final spec with the model loader. */
function finish(out: TrainedImport, trained: TrainedModel, fromFile: InputEncoding | undefined, given: InputEncoding | undefined, silentWhy: string): TrainedImport {
  const enc = given ?? fromFile;
  if (!enc) {
    out.encoding = `assumed BNN Studio's own, ${INPUT_ENCODING.description} (${silentWhy}); give --input-scale/--input-offset or --input-mean/--input-std if the model was trained on another`;
    out.notes.push(`input encoding: ${out.encoding}`);
  } else {
    const folded = foldInputEncoding(trained, enc);
    if ('error' in folded) { out.problems.push(error(folded.error)); return out; }
    out.encoding = `${enc.source}: ${describeEncoding(enc)}`;
    out.notes.push(...folded.notes);
  }
  const text = `${JSON.stringify(specToDocument(trained.spec), null, 2)}\n`;
  const loaded = loadModelText(text, `${trained.spec.name}.bnn.json`);
  for (const d of loaded.diagnostics) out.problems.push({ severity: d.severity, message: `the imported model fails BNN Studio's checks: ${d.path.length ? `${d.path.join('.')}: ` : ''}${d.message}` });
  if (!loaded.spec || out.problems.some((p) => p.severity === 'error')) return out;
  out.spec = loaded.spec;
  out.text = text;
  out.trained = { spec: loaded.spec, weights: trained.weights };
  return out;
}
