/**
 * `bnn bench <experiment> --board qemu-stm32` and "BNN: Run on Emulated Board": an experiment's checkpoint →
 * compiled C (compileModel) → firmware → emulated board → DeviceResult saved in the experiment's device/ folder.
 * The host side is the compiler's exact TypeScript twin of the C (host accuracy, agreement, and the classes and
 * scores the board must answer, sample by sample), double-checked by the trainer's own forward pass.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findBoard } from '../boards';
import { compileModel, type CompiledModel } from '../compile/compile';
import type { FirstLayerKernel } from '../deploy/plan';
import { referenceInfer } from '../compile/reference';
import type { DataLookupOptions } from '../data/locate';
import { cacheDirFor } from '../data/imageFolder';
import { readTestSamples, sampleViews, type TestSamples, type TestSamplesRequest } from '../data/testSamples';
import { writeDeviceResult } from '../experiments/store';
import { IMPORTED_WITHOUT_DATA, type ExperimentConfig } from '../experiments/types';
import type { TrainedModel } from '../model/trained';
import { loadExperimentModel } from '../train/experimentModel';
import { predict } from '../train/predict';
import { benchOnEmulator, type BenchPhase, type BenchReport, type RealBoardHooks } from './bench';
import type { ToolPaths } from './tools';

export const DEFAULT_BENCH_SAMPLES = 1000;
/** Samples on which the trained model's forward pass double-checks the compiled model's host reference. */
export const DEFAULT_TRAINER_CHECK_SAMPLES = 50;
/** Where the compiled model and firmware of a benchmark are kept, inside the experiment (inspectable, reproducible). */
export const FIRMWARE_DIR = 'firmware';

export interface ExperimentBenchOptions {
  experimentDir: string;
  board: string;
  /** Test samples to run (the first N of the dataset's test split); default 1000 or all there are. */
  samples?: number;
  /** Samples on which the trainer's forward pass checks the host reference (default 50; 0 = none). */
  trainerCheckSamples?: number;
  /** Checkpoint name under checkpoints/ (default: experiments/checkpoints.ts's rule, best else last). */
  checkpoint?: string;
  /** The first layer's kernel (plan.ts FirstLayerKernel); default 'fast'. */
  firstLayer?: FirstLayerKernel;
  data?: DataLookupOptions;
  tools?: ToolPaths;
  signal?: AbortSignal;
  log?: (line: string) => void;
  progress?: (phase: BenchPhase | 'compile' | 'data', done: number, total: number) => void;
  /** Real boards: the flash pipeline (src/core/device/realBoard.ts) in place of the emulated board. */
  realBoard?: RealBoardHooks & { port: () => string | undefined };
  /** Reads the test samples (default: in this thread). The extension reads them in the data worker, with progress
   *  and cancellation, so a cold image folder does not stall its host. */
  loadTestSamples?: (req: TestSamplesRequest) => Promise<TestSamples>;
}

export interface ExperimentBenchResult {
  report: BenchReport;
  /** The saved device/<board>-<time>.json. */
  file: string;
  compiled: CompiledModel;
  checkpoint: string;
}

export async function benchExperiment(opts: ExperimentBenchOptions): Promise<ExperimentBenchResult> {
  const board = findBoard(opts.board);
  if (!board) throw new Error(`unknown board '${opts.board}'`);
  if (!board.emulated && !opts.realBoard) throw new Error(`${board.name} is a real board: use 'bnn flash' / "BNN: Flash to Board" for it; this benchmark runs the emulated board (qemu-stm32)`);
  const log = opts.log ?? (() => {});
  const progress = opts.progress ?? (() => {});
  const what = `experiment ${path.basename(opts.experimentDir)}`;

  progress('compile', 0, 1);
  const { trained, checkpoint, label, config, configProblem } = loadExperimentModel(opts.experimentDir, opts.checkpoint);
  log(`checkpoint: ${label}`);
  const compiled = compileModel(trained, { board: opts.board, firstLayer: opts.firstLayer });
  const outRoot = path.join(opts.experimentDir, FIRMWARE_DIR, opts.board);
  const modelDir = path.join(outRoot, 'model');
  fs.rmSync(modelDir, { recursive: true, force: true });
  fs.mkdirSync(modelDir, { recursive: true });
  for (const [name, text] of Object.entries(compiled.files)) fs.writeFileSync(path.join(modelDir, name), text);
  log(`compiled ${what}: model ${compiled.hash}, ${compiled.plan.flashBytes} B flash, ${compiled.plan.ramBytes} B RAM (plan)`);

  progress('data', 0, 1);
  const req = testSamplesRequest(opts.experimentDir, trained, config, configProblem, opts.samples, opts.data);
  const samples = opts.loadTestSamples ? await opts.loadTestSamples(req) : readTestSamples(req);
  samples.notes.forEach((line) => log(line));
  const inputs = sampleViews(samples);
  const { labels, images } = samples;
  const n = inputs.length;

  const report = await benchOnEmulator({
    board: opts.board, modelDir, workDir: path.join(outRoot, 'build'), hash: compiled.hash, what,
    estimate: { flash: compiled.plan.flashBytes, ram: compiled.plan.ramBytes },
    inputs, labels,
    reference: (x) => referenceInfer(compiled.model, x),
    tools: opts.tools, signal: opts.signal, log, progress,
    realBoard: opts.realBoard,
  });
  if (report.mismatches.length) {
    const m = report.mismatches[0];
    log(`WARNING: ${report.mismatches.length} of ${n} samples differ from the host reference (first: sample ${m.index}, board class ${m.deviceClass} scores [${m.deviceScores.join(', ')}], host class ${m.hostClass} scores [${m.hostScores.join(', ')}])`);
  }
  // The trainer's own forward pass (float64) is ~10× slower than the compiler's exact integer twin, so it checks the
  // twin on the first samples rather than running on all of them; the compiler's tests hold the two equal.
  const checkN = Math.min(n, opts.trainerCheckSamples ?? DEFAULT_TRAINER_CHECK_SAMPLES);
  if (checkN > 0) {
    const trainerClasses = predict(trained, images, checkN).classes;
    const same = trainerClasses.filter((c, i) => c === report.hostClasses[i]).length;
    report.result.hostCheck = { samples: checkN, agreement: same / checkN };
    if (same !== checkN) log(`WARNING: the trained model's forward pass and the compiled model's reference disagree on ${checkN - same} of the first ${checkN} samples`);
  }
  if (opts.realBoard) {
    // Real boards count core cycles: also give µs at the clock the firmware reported, and where the board was.
    const us = (cycles: number): number => (cycles / report.hello.clockHz) * 1e6;
    report.result.latencyUs = { median: us(report.result.latency.median), p90: us(report.result.latency.p90) };
    report.result.port = opts.realBoard.port();
  }
  const file = writeDeviceResult(opts.experimentDir, report.result);
  return { report, file, compiled, checkpoint };
}

/** What to read for an experiment's test samples: its dataset, with the preprocessing training recorded. */
export function testSamplesRequest(experimentDir: string, trained: TrainedModel, config: ExperimentConfig | undefined, configProblem: string | undefined,
  requested = DEFAULT_BENCH_SAMPLES, data?: DataLookupOptions): TestSamplesRequest {
  const dataName = config?.dataset.path ?? config?.dataset.name;
  if (!dataName) throw new Error(`experiment ${path.basename(experimentDir)}: the dataset to run is named in config.json, which does not read: ${configProblem}`);
  if (config?.engine === 'import' && dataName === IMPORTED_WITHOUT_DATA) {
    throw new Error(`experiment ${path.basename(experimentDir)} was imported without a dataset, so there are no test samples to run: import it again with --data <name|path> (bnn import … --data bundled), which records the dataset`);
  }
  return {
    data: dataName, inputShape: [...trained.spec.input.shape], preprocessing: config?.dataset.preprocessing,
    cacheDir: cacheDirFor(path.dirname(experimentDir)), requested, lookup: data,
  };
}

/**
 * The first `requested` test samples of the dataset an experiment was trained on, read with the test split and 8-bit
 * rule training recorded, so the board (or the host build) runs on the samples eval measures.
 */
export function experimentTestSamples(experimentDir: string, trained: TrainedModel, config: ExperimentConfig | undefined, configProblem: string | undefined,
  requested = DEFAULT_BENCH_SAMPLES, data?: DataLookupOptions, log: (line: string) => void = () => {}): { inputs: Uint8Array[]; labels: Uint8Array; images: Uint8Array } {
  const samples = readTestSamples(testSamplesRequest(experimentDir, trained, config, configProblem, requested, data));
  samples.notes.forEach((line) => log(line));
  return { inputs: sampleViews(samples), labels: samples.labels, images: samples.images };
}
