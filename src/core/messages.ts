/**
 * Every message that crosses a process or frame boundary: trainer worker ↔ extension host / CLI, and extension host ↔
 * training-panel webview. One module so both sides of each channel compile against the same types. Each message
 * carries the protocol version `v`; a receiver drops (and logs) messages of another version.
 */
import type { ExperimentConfig, ExperimentStatus, MetricsEvent, DeviceResult, OptimizerConfig } from './experiments/types';
import type { DataReadOptions } from './data/preprocess';
import type { DataLookupOptions } from './data/locate';
import type { TestSamples, TestSamplesRequest } from './data/testSamples';
import type { DatasetSummary } from './data/summary';
import type { DatasetPreview } from './data/preview';
import type { FitNote } from './data/fit';

export const PROTOCOL_VERSION = 1;

// ---- trainer worker ↔ host ------------------------------------------------------------------------------------

/** The run settings a training request and the trainer's job (train/trainer.ts) share; train/job.ts passes them on. */
export interface TrainSettings {
  /** The model file to train. */
  modelPath: string;
  optimizer: OptimizerConfig;
  epochs: number;
  batchSize: number;
  seed: number;
  valSplit: number;
  experimentsDir: string;
  /** Force a backend ('tensorflow' | 'wasm' | 'cpu'); default: the best available. */
  backend?: string;
  /** Experiment id (in experimentsDir) or folder to resume from its last checkpoint instead of starting a new run. */
  resume?: string;
  /** Limit training samples (for quick runs and tests). */
  maxSamples?: number;
  /** Target metrics events per second (default 10); 0 = an event every step (tests). */
  eventsPerSecond?: number;
  /** Data-parallel training threads (default: one per available core, see train/threads.ts; a resumed run keeps
   *  the count it was started with). */
  threads?: number;
  /** Training images over which BatchNorm's moving statistics are re-estimated at the end of every epoch (default
   *  10,000 or all; 0: keep the moving averages, as Keras does). See train/recalibrate.ts. */
  bnRecalibration?: number;
  /** Augment training batches on the fly (train/augment.ts); a resumed run keeps the recorded one. */
  augment?: { pad: number; flip: boolean };
  /** The run's display name (experiments/labels.ts); on resume, a new name for it. */
  name?: string;
}

export interface TrainRequest extends TrainSettings {
  /** Dataset name (fashion-mnist, mnist, cifar10, bundled), a folder path or a data file (.npz). */
  data: string;
  dataDir?: string;
  /** How to read a NumPy/CSV dataset (test split, its seed…); a resumed run uses the one in its config.json. */
  dataOptions?: DataReadOptions;
}

export type HostToWorker =
  | { v: 1; type: 'start'; request: TrainRequest }
  | { v: 1; type: 'cancel' };

export type WorkerToHost =
  | { v: 1; type: 'started'; experimentId: string; experimentDir: string; config: ExperimentConfig; backend: string }
  | { v: 1; type: 'metrics'; experimentId: string; event: MetricsEvent }
  | { v: 1; type: 'status'; experimentId: string; status: ExperimentStatus }
  | { v: 1; type: 'log'; level: 'info' | 'warn' | 'error'; message: string }
  /** Before 'started': how far reading the dataset has come (a cold image folder takes a while). */
  | { v: 1; type: 'dataProgress'; done: number; total: number; message: string }
  | { v: 1; type: 'done'; experimentId: string; status: ExperimentStatus }
  | { v: 1; type: 'error'; message: string; experimentId?: string };

// ---- trainer coordinator ↔ its data-parallel training threads (worker_threads) ---------------------------------
// Bulk data never goes through these messages: the training images, the weights and each thread's gradients live in
// SharedArrayBuffers (see train/parallel.ts for their layout); the messages only say what to do with them.

export interface ThreadInit {
  /** Index of this thread (1-based: the coordinator itself computes shard 0). */
  thread: number;
  spec: import('./model/spec').ModelSpec;
  latent: boolean;
  seed: number;
  /** The backend the coordinator runs on; the thread must get the same one (a forced backend, no fallback). */
  backend: string;
  /** Training images (u8, back to back) and labels. */
  images: SharedArrayBuffer;
  labels: SharedArrayBuffer;
  /** Float32 weights of every trainable parameter, in model order, written by the coordinator before each step. */
  weights: SharedArrayBuffer;
  /** Float32: this thread's gradients (trainable parameters in model order), then per BatchNormalization layer its
   *  batch mean and variance. */
  result: SharedArrayBuffer;
  /** --augment: how to augment the shards (train/augment.ts), the same way the coordinator does. */
  augment?: import('./train/augment').AugmentSetup;
}

export type CoordinatorToThread =
  | { v: 1; type: 'init'; init: ThreadInit }
  /** Compute the loss and gradients of these training-sample indices with the weights now in the weights buffer,
   *  the loss scaled by `weight` (the shard's share of the batch); `step` and `offset` (the shard's first position in
   *  the batch) decide its augmentation. */
  | { v: 1; type: 'step'; seq: number; indices: Uint32Array; weight: number; step: number; offset: number };

export type ThreadToCoordinator =
  | { v: 1; type: 'ready'; thread: number; backend: string }
  /** The shard's weighted mean loss and correct count; gradients and batch statistics are in the result buffer.
   *  `tensors` is the thread's live tensor count after the step (leak checks). */
  | { v: 1; type: 'stepDone'; seq: number; loss: number; correct: number; tensors: number }
  | { v: 1; type: 'error'; message: string };

// ---- extension host / CLI ↔ the data worker (worker_threads; src/core/data/worker.ts) ------------------------------
// Reading a dataset is synchronous work (decoding, parsing); the extension host does it on a worker so a cold image
// folder never stalls the window. Results carry typed arrays, transferred rather than copied.

export type DataTask =
  /** The first samples of an experiment's test split, preprocessed as recorded (Run on Emulated Board, Flash). */
  | { kind: 'testSamples'; request: TestSamplesRequest }
  /** Every dataset under these folders plus the named ones, summarised (the Datasets view). */
  | { kind: 'scan'; roots: string[]; lookup: DataLookupOptions; /** Leave the named datasets out (the caller kept them). */ workspaceOnly?: boolean }
  | { kind: 'summary'; data: string; lookup: DataLookupOptions; read?: DataReadOptions }
  | { kind: 'preview'; data: string; lookup: DataLookupOptions; read?: DataReadOptions; perClass?: number };

export interface DataTaskResults {
  testSamples: TestSamples;
  scan: { datasets: DatasetSummary[]; truncated: boolean };
  summary: DatasetSummary;
  preview: DatasetPreview;
}

export type HostToDataWorker = { v: 1; type: 'run'; task: DataTask };

export type DataWorkerToHost =
  | { v: 1; type: 'progress'; done: number; total: number; message: string }
  | { v: 1; type: 'result'; result: DataTaskResults[DataTask['kind']] }
  /** `dataError`: a problem with the data (a DataError, its message naming the file), not a bug. */
  | { v: 1; type: 'error'; message: string; dataError: boolean };

// ---- host ↔ dataset preview (webview) -------------------------------------------------------------------------

export type HostToDatasetPreview =
  | { v: 1; type: 'loading'; name: string; message: string }
  | { v: 1; type: 'preview'; summary: DatasetSummary; preview: DatasetPreview; fit: FitNote[]; model?: string }
  | { v: 1; type: 'error'; name: string; message: string };

export type DatasetPreviewToHost =
  | { v: 1; type: 'ready' }
  /** Open the file a sample came from (image folders). */
  | { v: 1; type: 'reveal'; file: string };

// ---- host ↔ training panel (webview) --------------------------------------------------------------------------

export interface RunSummary {
  id: string;
  config: ExperimentConfig;
  status: ExperimentStatus;
  devices: DeviceResult[];
}

export type HostToWebview =
  | { v: 1; type: 'init'; runs: RunSummary[]; history: Record<string, MetricsEvent[]>; theme?: string }
  | { v: 1; type: 'metrics'; experimentId: string; events: MetricsEvent[] }
  | { v: 1; type: 'status'; experimentId: string; status: ExperimentStatus }
  | { v: 1; type: 'device'; experimentId: string; result: DeviceResult }
  /** The run's config.json changed (it was renamed): labels and titles follow. */
  | { v: 1; type: 'config'; experimentId: string; config: ExperimentConfig }
  /** A line shown in the panel itself, e.g. why a button did nothing. */
  | { v: 1; type: 'notice'; level: 'info' | 'error'; text: string };

export type WebviewToHost =
  | { v: 1; type: 'ready' }
  | { v: 1; type: 'stop'; experimentId: string }
  | { v: 1; type: 'resume'; experimentId: string }
  | { v: 1; type: 'compile'; experimentId: string }
  | { v: 1; type: 'flash'; experimentId: string }
  | { v: 1; type: 'runEmulated'; experimentId: string }
  | { v: 1; type: 'saveFile'; kind: 'png' | 'csv'; name: string; data: string }
  /** CSV of the full metrics of these experiments, written by the host from metrics.jsonl (the webview only holds a
   *  bounded, thinned copy of long runs). */
  | { v: 1; type: 'exportCsv'; experimentIds: string[] };

// ---- host ↔ model graph view (webview) ------------------------------------------------------------------------
// Built by core/view/graphModel.ts from the estimator's summary; the webview lays it out and draws it, nothing more.

/** How a layer computes: XNOR-popcount on ±1 values, real-valued, ±1 weights on a real input, or not at all (dead). */
export type GraphPrecision = 'binary' | 'real' | 'mixed' | 'none';

export interface GraphViewNode {
  /** 'input' for the model input, `L<index>` for layer `index`. */
  id: string;
  /** Index into the model's "layers" (absent for the input). */
  layer?: number;
  name: string;
  type: string;
  /** The defining attributes as name/value rows (filters, kernel, strides…), as Netron lists them. */
  attrs: [string, string][];
  /** Output shape, "28×28×64". */
  shape: string;
  /** "2.3 KB · 2.2 M BOPs", empty when the layer stores and computes nothing. */
  cost: string;
  flashBytes: number;
  binaryMacs: number;
  floatMacs: number;
  precision: GraphPrecision;
  precisionLabel: string;
  /** How its output is held in the compiled model: "1-bit (packed)", "float32", "fused into the next stage". */
  outputRepr: string;
  /** False for a layer the output does not depend on (left out of training and the compiled model). */
  live: boolean;
  isOutput: boolean;
  /** 1-based line of the layer in the file. */
  line?: number;
}

export interface GraphViewEdge {
  id: string;
  from: string;
  to: string;
  /** The edge skips layers: its target is reachable from its source along another path too. */
  shortcut: boolean;
  /** What the edge carries in the compiled model: signs (a binarizing reader, or a packed 1-bit tensor) or real values. */
  precision: 'binary' | 'real';
  shape: string;
  live: boolean;
}

export interface GraphViewModel {
  name: string;
  /** The file as shown to the user, and its URI. */
  file: string;
  uri: string;
  nodes: GraphViewNode[];
  edges: GraphViewEdge[];
  totals: { flash: string; ram: string; bops: string; macs: string; binaryShare: string; residual?: string };
}

export type HostToGraphView =
  | { v: 1; type: 'model'; model: GraphViewModel }
  /** The model does not load or estimate now (mid-edit): the view keeps the last graph and shows why. */
  | { v: 1; type: 'invalid'; file: string; uri: string; problems: { message: string; line: number; column: number }[] }
  /** The editor's cursor is in this layer (or in none): the view highlights its node. */
  | { v: 1; type: 'select'; layer?: number };

export type GraphViewToHost =
  | { v: 1; type: 'ready' }
  /** Show layer `layer` of the model in the editor. */
  | { v: 1; type: 'reveal'; layer: number };
