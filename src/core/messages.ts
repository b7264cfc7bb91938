/**
 * Every message that crosses a process or frame boundary: trainer worker ↔ extension host / CLI, and extension host ↔
 * training-panel webview. One module so both sides of each channel compile against the same types. Each message
 * carries the protocol version `v`; a receiver drops (and logs) messages of another version.
 */
import type { ExperimentConfig, ExperimentStatus, MetricsEvent, DeviceResult } from './experiments/types';

export const PROTOCOL_VERSION = 1;

// ---- trainer worker ↔ host ------------------------------------------------------------------------------------

export interface TrainRequest {
  /** The model file to train. */
  modelPath: string;
  /** Dataset name (fashion-mnist, mnist, cifar10, bundled) or a folder path. */
  data: string;
  dataDir?: string;
  epochs: number;
  batchSize: number;
  optimizer: ExperimentConfig['optimizer'];
  seed: number;
  valSplit: number;
  experimentsDir: string;
  /** Force a backend ('tensorflow' | 'wasm' | 'cpu'); default: the best available. */
  backend?: string;
  /** Resume this experiment id from its last checkpoint instead of starting a new one. */
  resume?: string;
  /** Limit training samples (for quick runs and tests). */
  maxSamples?: number;
  /** Target metrics events per second (default 10). */
  eventsPerSecond?: number;
}

export type HostToWorker =
  | { v: 1; type: 'start'; request: TrainRequest }
  | { v: 1; type: 'cancel' };

export type WorkerToHost =
  | { v: 1; type: 'started'; experimentId: string; experimentDir: string; config: ExperimentConfig; backend: string }
  | { v: 1; type: 'metrics'; experimentId: string; event: MetricsEvent }
  | { v: 1; type: 'status'; experimentId: string; status: ExperimentStatus }
  | { v: 1; type: 'log'; level: 'info' | 'warn' | 'error'; message: string }
  | { v: 1; type: 'done'; experimentId: string; status: ExperimentStatus }
  | { v: 1; type: 'error'; message: string; experimentId?: string };

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
