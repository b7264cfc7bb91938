import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import { importKerasModel } from '../../core/interop/keras';
import { checkTfjsWeights } from '../../core/interop/tfjsWeights';
import { describeImport } from '../../core/interop/importReport';
import { importTrainedModel, trainedFormatOf, type TrainedImport } from '../../core/interop/importTrained';
import { writeImportedExperiment } from '../../core/interop/importExperiment';
import type { InputEncoding } from '../../core/interop/inputEncoding';
import { resolveExperimentsDir } from '../../core/experiments/store';
import { predict } from '../../core/train/predict';
import type { TrainedModel } from '../../core/model/trained';
import { INPUT_ENCODING } from '../../core/model/spec';
import { loadDataset, checkDatasetForModel, modelImageShape, readNpy, cacheDirFor, DataError } from '../../core/data';
import { InputError, parseArgs, UsageError, type CliCommand } from '../errors';

const ENCODING_FLAGS = ['input-scale', 'input-offset', 'input-mean', 'input-std'] as const;

/** --input-scale/--input-offset (x = scale·u8 + offset) or --input-mean/--input-std (x = (u8/255 − mean)/std, as
 *  torchvision's ToTensor + Normalize); each a number or a comma-separated list, one per channel. */
function encodingFlags(flags: Record<string, string>): InputEncoding | undefined {
  const list = (k: string): number[] | undefined => {
    if (flags[k] === undefined) return undefined;
    const v = flags[k].split(',').map((x) => Number(x.trim()));
    if (!v.length || v.some((x) => !Number.isFinite(x))) throw new UsageError(`--${k} must be a number or a comma-separated list of numbers (one per channel), got '${flags[k]}'`);
    return v;
  };
  const [scale, offset, mean, std] = ENCODING_FLAGS.map(list);
  if ((scale || offset) && (mean || std)) throw new UsageError('give --input-scale/--input-offset or --input-mean/--input-std, not both');
  if (scale || offset) return { scale: scale ?? [1], offset: offset ?? [0], source: 'the given --input-scale/--input-offset' };
  if (mean || std) {
    const m = mean ?? [0];
    const s = std ?? [1];
    if (s.some((x) => x === 0)) throw new UsageError('--input-std must not be 0');
    const n = Math.max(m.length, s.length);
    const at = (a: number[], i: number): number => a[a.length === 1 ? 0 : i];
    return {
      scale: Array.from({ length: n }, (_, i) => 1 / (255 * at(s, i))),
      offset: Array.from({ length: n }, (_, i) => -at(m, i) / at(s, i)),
      source: 'the given --input-mean/--input-std (x = (u8/255 − mean)/std)',
    };
  }
  return undefined;
}

/** Accuracy on a dataset's test part and, with --reference, the agreement with the source framework's outputs. */
function parity(trained: TrainedModel, flags: Record<string, string>, experimentsDir: string): { lines: string[]; accuracy?: number; dataset?: string } {
  const lines: string[] = [];
  if (flags.data === undefined) {
    if (flags.reference !== undefined) throw new UsageError('--reference needs --data (the samples the reference outputs are for)');
    return { lines };
  }
  let ds;
  try {
    ds = loadDataset(flags.data, { dataDir: flags['data-dir'] }, { imageShape: modelImageShape(trained.spec.input.shape), cacheDir: cacheDirFor(experimentsDir) });
    checkDatasetForModel(ds, trained.spec);
  } catch (err) {
    if (err instanceof DataError) throw new InputError(err.message);
    throw err;
  }
  const test = ds.test;
  const { classes } = predict(trained, test.images, test.count);
  let ok = 0;
  for (let i = 0; i < test.count; i++) if (classes[i] === test.labels[i]) ok++;
  const accuracy = test.count ? ok / test.count : 0;
  lines.push(`accuracy on ${ds.name} (test, ${test.count} samples): ${(accuracy * 100).toFixed(2)}%`);
  if (flags.reference !== undefined) {
    let ref;
    try { ref = readNpy(flags.reference); } catch (err) { throw new InputError((err as Error).message); }
    const n = ref.shape[0];
    const width = ref.shape.length === 2 ? ref.shape[1] : 1;
    if (!(ref.shape.length === 1 || (ref.shape.length === 2 && width === trained.spec.classes))) {
      throw new InputError(`${flags.reference}: shape [${ref.shape.join(', ')}]; expected [N] class labels or [N, ${trained.spec.classes}] class scores`);
    }
    if (n > test.count) throw new InputError(`${flags.reference}: ${n} samples, but ${ds.name}'s test part has ${test.count}`);
    let agree = 0;
    for (let i = 0; i < n; i++) {
      let cls = 0;
      if (width === 1) cls = ref.data[i];
      else for (let c = 1; c < width; c++) if (ref.data[i * width + c] > ref.data[i * width + cls]) cls = c;
      if (cls === classes[i]) agree++;
    }
    lines.push(`agreement with ${path.basename(flags.reference)}: ${agree}/${n} (${((agree / Math.max(n, 1)) * 100).toFixed(2)}%) of the first ${n} test samples give the same class`);
  }
  return { lines, accuracy, dataset: ds.name };
}

function report(file: string, r: TrainedImport): void {
  for (const p of r.problems) process.stderr.write(`${p.message.startsWith(file) ? '' : `${file}: `}${p.severity}: ${p.message}\n`);
}

export const importCommand: CliCommand = {
  name: 'import',
  usage: 'bnn import <model.h5|model.keras|model.onnx|model.json> [--experiments DIR] [--out <model.bnn.json>] [--force] [--architecture <model.json>] [--input-scale A --input-offset B | --input-mean M --input-std S] [--data <name|path> [--reference <outputs.npy>]] [--data-dir DIR] [--untrained]',
  summary: 'import a trained Keras (.h5, .keras), TF.js or ONNX model as an experiment, or a Larq/Keras model JSON as *.bnn.json',
  async run(args) {
    const { positional, flags, bools } = parseArgs(args, { flags: ['out', 'experiments', 'architecture', ...ENCODING_FLAGS, 'data', 'data-dir', 'reference'], booleans: ['force', 'untrained'] });
    const file = positional[0];
    if (!file) throw new UsageError('missing <model> argument (.h5, .keras, .onnx, or a model JSON)');
    if (positional.length > 1) throw new UsageError(`import takes one model file, got ${positional.length}: ${positional.join(', ')}`);
    const encoding = encodingFlags(flags);
    const writeSpec = (out: string, text: string): void => {
      if (existsSync(out) && !bools.has('force')) throw new InputError(`${out} exists already (use --force to overwrite)`);
      writeFileSync(out, text);
    };
    const binary = trainedFormatOf(file) !== undefined;
    let text = '';
    if (!binary) {
      try { text = readFileSync(file, 'utf8'); } catch (err) { throw new InputError(`${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`); }
    }
    const r0 = binary ? undefined : importKerasModel(text, file);
    const declared = r0?.format === 'tfjs-layers' ? checkTfjsWeights(r0.source, file, { checkFiles: false }) : undefined;
    const withWeights = binary || (declared !== undefined && declared.tensors > 0);
    if (!withWeights || (bools.has('untrained') && r0)) {
      // architecture only: a Larq/Keras model JSON (it holds no weights) or a TF.js model imported untrained
      const r = r0!;
      for (const p of r.problems) process.stderr.write(`${file}: ${p.severity}: ${p.message}\n`);
      // trained from scratch here, the model sees BNN Studio's encoding: its own preprocessing layers are not kept
      for (const p of r.preprocessing) process.stderr.write(`${file}: warning: ${p.kind === 'rescaling' ? 'Rescaling' : 'Normalization'} '${p.layer}' is not kept: a model trained in BNN Studio sees ${INPUT_ENCODING.description}\n`);
      if (!r.spec || r.text === undefined) {
        process.stderr.write(`${file}: not imported; nothing was written\n`);
        return 1;
      }
      const out = flags.out ?? `${r.spec.name}.bnn.json`;
      // r.text is the document the model loader accepted, so `bnn validate` accepts the file written
      writeSpec(out, r.text);
      const rep = describeImport(r, declared, `train it with \`bnn train ${out}\``);
      process.stdout.write(`${file} (${r.format}) → ${out}\n  imported: ${rep.imported}\n${rep.notImported ? `  not imported: ${rep.notImported}\n` : ''}${rep.notes.map((n) => `  note: ${n}\n`).join('')}`);
      return 0;
    }
    const r = await importTrainedModel(file, { inputEncoding: encoding, architecture: flags.architecture });
    if (r.architectureOnly && bools.has('untrained') && r.text !== undefined && r.spec) {
      const out = flags.out ?? `${r.spec.name}.bnn.json`;
      writeSpec(out, r.text);
      process.stdout.write(`${file} (${r.format}, architecture only) → ${out}\n  train it with \`bnn train ${out}\`\n`);
      return 0;
    }
    report(file, r);
    if (!r.trained || r.text === undefined) {
      process.stderr.write(`${file}: not imported; nothing was written\n`);
      return 1;
    }
    const root = resolveExperimentsDir({ dir: flags.experiments });
    const checks = parity(r.trained, flags, root);
    if (flags.out) writeSpec(flags.out, r.text);
    const created = writeImportedExperiment(root, r.trained, { source: file, format: r.format, encoding: r.encoding, notes: r.notes, testAccuracy: checks.accuracy, dataset: checks.dataset });
    const spec = r.trained.spec;
    const lines = [
      `${file} (${r.format}) → experiment ${created.id}${flags.out ? ` and ${flags.out}` : ''}`,
      `  imported: ${spec.layers.length} layers with their trained weights, input [${spec.input.shape.join(', ')}], ${spec.classes} classes`,
      `  input encoding: ${r.encoding}`,
      ...r.notes.filter((n) => !n.startsWith('input encoding:')).map((n) => `  note: ${n}`),
      ...checks.lines.map((l) => `  ${l}`),
      `  next: bnn compile ${created.id} --out <dir>, bnn bench ${created.id} --board qemu-stm32`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  },
};
