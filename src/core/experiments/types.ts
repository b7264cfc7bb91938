/**
 * What an experiment is on disk, shared by the trainer (writer), the Experiments tree and charts (readers), the CLI and
 * external writers such as the exported Larq training script:
 *
 *   <workspace>/.bnn/experiments/<id>/
 *     config.json      ExperimentConfig: every hyperparameter, dataset, seed, backend, versions
 *     status.json      ExperimentStatus (written atomically: temp file + rename)
 *     metrics.jsonl    one MetricsEvent per line, appended; a truncated last line (killed run) is ignored by readers
 *     checkpoints/<name>/model.json + weights.bin   TensorFlow.js layers format, plus binary-weights.json (packed bits)
 *     device/<board>-<time>.json                    DeviceResult of an on-device benchmark
 *     lock.json        LockInfo of the process writing the run (trainer, resume); absent when none is (lock.ts)
 *
 * The id is readable: `<yyyymmdd-hhmmss>-<model>-<optimizer>` (plus `-2`, `-3`… on a clash).
 */
import type { DatasetPreprocessing } from '../data/record';

export const EXPERIMENTS_DIR = '.bnn/experiments';
export const METRICS_FILE = 'metrics.jsonl';
export const CONFIG_FILE = 'config.json';
export const STATUS_FILE = 'status.json';
export const CHECKPOINTS_DIR = 'checkpoints';
export const DEVICE_DIR = 'device';
/** Held by the one process writing the experiment (lock.ts); absent when nobody is. */
export const LOCK_FILE = 'lock.json';

/** config.json's dataset name of a run imported without a dataset (`bnn import` without --data): nothing to test on. */
export const IMPORTED_WITHOUT_DATA = 'none';

export type OptimizerKind = 'bop' | 'bop2' | 'latent';
/** Every optimizer kind the trainer runs (config.json's optimizer.kind, `--optimizer`). */
export const OPTIMIZER_KINDS: readonly OptimizerKind[] = ['bop', 'bop2', 'latent'];

/**
 * A hyperparameter schedule (as Larq/Keras schedules): constant, exponential staircase, or linear, counted in optimizer
 * steps. `unit: 'epochs'` marks a schedule whose decaySteps/steps are counted in epochs (how presets are written, since
 * steps per epoch depend on the dataset, validation split and batch size); the trainer's job resolves it to steps
 * (resolveEpochSchedules) before the run, so an experiment's config.json always holds steps, as Keras would.
 */
export type Schedule =
  | { kind: 'constant'; value: number }
  | { kind: 'exponential'; initial: number; decayRate: number; decaySteps: number; staircase: boolean; unit?: 'epochs' }
  | { kind: 'linear'; initial: number; final: number; steps: number; unit?: 'epochs' };

export interface OptimizerConfig {
  kind: OptimizerKind;
  /** Bop / Bop2ndOrder. */
  gamma?: Schedule;
  threshold?: Schedule;
  /** Bop2ndOrder's second-moment rate σ and ε. */
  sigma?: Schedule;
  epsilon?: number;
  /** Adam learning rate for the non-binary parameters (Bop) or for everything (latent). */
  lr: Schedule;
  /** Preset the values came from, if any (e.g. 'bop-paper-5.1'). */
  preset?: string;
}

export interface ExperimentConfig {
  formatVersion: 1;
  id: string;
  /** The run's display name (`bnn train --name`, Rename in the tree; labels.ts); the folder id stays as it was. */
  name?: string;
  createdAt: string;
  /** Path of the model file as given, and a copy of the spec as it was at the start (the file may change later). */
  modelPath: string;
  model: import('../model/spec').ModelSpec;
  /** `preprocessing`: how a NumPy/CSV dataset was read (8-bit rule, test split), so eval and bench read the same samples. */
  dataset: { name: string; path?: string; trainSamples: number; valSamples: number; testSamples?: number; normalization: string; preprocessing?: DatasetPreprocessing;
    /** Samples per class in each split, as the run began (absent in runs from before it was recorded). */
    perClass?: { train: number[]; val: number[]; test: number[] } };
  optimizer: OptimizerConfig;
  epochs: number;
  batchSize: number;
  seed: number;
  valSplit: number;
  /** Backend as shown, with the thread count, e.g. "wasm (SIMD) × 2 data-parallel threads". */
  backend: string;
  /** Data-parallel training threads (absent: one, as every run before they existed). */
  threads?: number;
  /** Training images over which BatchNorm's moving statistics were re-estimated at the end of every epoch (absent or
   *  0: the moving averages were kept, as in every run before this existed and in Keras). */
  bnRecalibration?: number;
  /** Training batches augmented on the fly: random crop with `pad` zero pixels, horizontal flips (absent: none). */
  augment?: { pad: number; flip: boolean };
  /** Who wrote the run: 'bnn-studio' (built-in trainer), 'larq' or 'torch' (the exported projects), 'import' (a model
   *  trained elsewhere, imported with its weights: `bnn import`). */
  engine: 'bnn-studio' | 'larq' | 'torch' | 'import';
  /** An imported run: the file it came from, its format, its input encoding and what the import changed. */
  imported?: { source: string; format: string; encoding?: string; notes: string[] };
  versions: Record<string, string>;
  resumedFrom?: string;
}

/** 'imported': trained elsewhere and imported with its weights (no training ran here; it compiles and benches as a
 *  completed run does). */
export type RunState = 'running' | 'completed' | 'failed' | 'cancelled' | 'interrupted' | 'imported';

export interface ExperimentStatus {
  /** The folder's schema version (files.ts EXPERIMENT_FORMAT_VERSION); absent in runs written before it was recorded. */
  formatVersion?: 1;
  state: RunState;
  /** Process id of the trainer while running: a 'running' status whose process is gone reads as 'interrupted'. */
  pid?: number;
  startedAt: string;
  updatedAt: string;
  endedAt?: string;
  epoch: number;
  step: number;
  totalSteps?: number;
  error?: { message: string; step?: number; stderrTail?: string };
  lastCheckpoint?: string;
  bestCheckpoint?: string;
  final?: { valAccuracy?: number; valLoss?: number; trainAccuracy?: number; trainLoss?: number; testAccuracy?: number };
}

/** One line of metrics.jsonl. `kind: 'step'` every N steps; `kind: 'epoch'` at the end of each epoch. */
export type MetricsEvent =
  | {
      kind: 'step';
      step: number;
      epoch: number;
      /** Wall-clock ms since the run started. */
      time: number;
      loss: number;
      accuracy: number;
      /** Fraction of each binary layer's weights whose sign changed in this step, by layer name. */
      flipRatio: Record<string, number>;
      gamma?: number;
      threshold?: number;
      lr: number;
      samplesPerSec: number;
    }
  | {
      kind: 'epoch';
      step: number;
      epoch: number;
      time: number;
      loss: number;
      accuracy: number;
      valLoss?: number;
      valAccuracy?: number;
    };

/**
 * One memory (flash or RAM) of a benchmarked firmware as two separate facts: the model's own arrays against the
 * estimate (equal when the plan is right), and the whole firmware against the model + the board's firmware reserve.
 * Set side by side, the firmware total against the model estimate read as an estimation miss it is not.
 */
export interface DeviceMemory {
  /** The model's arrays in the ELF: kernels, thresholds and scales in flash; buffers and scratch in RAM. */
  modelArrays: number;
  /** The deploy plan's bytes for the same arrays. */
  modelEstimate: number;
  /** The whole firmware (model + harness + runtime; RAM with the stack), as arm-none-eabi-size reports it. */
  firmwareTotal: number;
  /** What the budget rule (estimate/fit.ts) expects of it: model estimate + the board's firmware reserve. */
  firmwareEstimate?: number;
}

/** Result of an on-device benchmark, saved as device/<board>-<time>.json. */
export interface DeviceResult {
  /** The experiment folder's schema version (written since it was added; absent in older results, read as 1). */
  formatVersion?: 1;
  board: string;
  port?: string;
  time: string;
  samples: number;
  deviceAccuracy: number;
  hostAccuracy: number;
  agreement: number;
  latency: { median: number; p90: number; unit: 'instructions (emulated)' | 'cycles' | 'us' };
  latencyUs?: { median: number; p90: number };
  flash: DeviceMemory;
  ram: DeviceMemory;
  modelHash: string;
  firmwareVersion?: string;
  /** Share of the first `samples` on which the trained model's forward pass gives the host reference's class. */
  hostCheck?: { samples: number; agreement: number };
}
