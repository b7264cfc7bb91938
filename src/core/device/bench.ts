/**
 * "Validate on target": builds the firmware around a compiled model, starts the emulated board, checks it runs this
 * model (hash), runs test samples through the batch protocol, and compares the board's classes and scores with the
 * host's bit-exact reference and the trained model's predictions.
 */
import { findBoard } from '../boards';
import { assessBudget } from '../estimate/fit';
import type { DeviceResult } from '../experiments/types';
import { firmwareTotalText, modelArraysText } from './memoryText';
import { buildFirmware, type BuildResult } from './build';
import { checkModelHash, DeviceClient, DeviceError } from './client';
import type { HelloInfo, InferResult } from './protocol';
import { startEmulatedBoard, type EmulatedBoard } from './qemu';
import { openSerialTransport } from './serial';
import type { ToolPaths } from './tools';

export interface HostReference {
  class: number;
  scores: number[];
}

export type BenchPhase = 'build' | 'start' | 'connect' | 'infer' | 'stop';

export interface EmulatorBenchOptions {
  board: string;
  /** Folder with the compiled model (bnn_model.h / .c). */
  modelDir: string;
  /** Where the firmware is built. */
  workDir: string;
  /** The experiment's model hash (compileModel's), which the board must report. */
  hash: string;
  /** What the experiment is called in messages. */
  what: string;
  /** The plan's numbers, next to which the built sizes are reported. */
  estimate: { flash: number; ram: number };
  inputs: Uint8Array[];
  labels: ArrayLike<number>;
  /** The host's exact twin of the C (the compiler's reference): what the board must answer. */
  reference: (input: Uint8Array) => HostReference;
  /** The trained model's own prediction for a sample (host accuracy), if available. Like `reference`, it runs while
   * the board works on the same batch, so the host's time hides behind the serial line's. */
  hostPredict?: (input: Uint8Array, index: number) => number;
  tools?: ToolPaths;
  signal?: AbortSignal;
  log?: (line: string) => void;
  progress?: (phase: BenchPhase, done: number, total: number) => void;
  /** Real boards (src/core/device/realBoard.ts): how to build and where to put the firmware instead of QEMU. */
  realBoard?: RealBoardHooks;
}

/** What a real board's flash pipeline plugs into the benchmark: its own build (Arduino) and the flash step. */
export interface RealBoardHooks {
  build?: (modelDir: string, workDir: string) => Promise<BuildResult>;
  /** Flashes the build and returns the board's serial port, shaped like the emulated board so the rest is shared. */
  deploy: (build: BuildResult) => Promise<Pick<EmulatedBoard, 'ptyPath' | 'exited' | 'stop'> & Partial<Pick<EmulatedBoard, 'openTransport'>>>;
}

export interface SampleMismatch {
  index: number;
  deviceClass: number;
  hostClass: number;
  deviceScores: number[];
  hostScores: number[];
}

export interface BenchReport {
  result: DeviceResult;
  hello: HelloInfo;
  build: BuildResult;
  ticks: number[];
  deviceClasses: number[];
  /** The host's class for each sample (hostPredict, else the reference). */
  hostClasses: number[];
  /** Samples whose class or scores differ from the host reference (should be none: the C is bit-exact). */
  mismatches: SampleMismatch[];
  /** Wall-clock seconds of the inference phase (all samples over the serial line). */
  inferSeconds: number;
  /** Batch requests the samples took. */
  requests: number;
}

/** Nearest-rank percentile (an actual measured value, as latency reports usually give). */
export function percentile(values: readonly number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

function sameScores(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((v, i) => Object.is(Math.fround(v), Math.fround(b[i])) || v === b[i]);
}

export async function benchOnEmulator(opts: EmulatorBenchOptions): Promise<BenchReport> {
  const board = findBoard(opts.board);
  if (!board || (!board.emulated && !opts.realBoard)) throw new Error(`board '${opts.board}' is not an emulated board (use qemu-stm32)`);
  if (!opts.inputs.length) throw new Error('no test samples to run');
  if (opts.labels.length !== opts.inputs.length) throw new Error(`${opts.inputs.length} samples but ${opts.labels.length} labels`);
  const log = opts.log ?? (() => {});
  const progress = opts.progress ?? (() => {});
  progress('build', 0, 1);
  const build = opts.realBoard?.build
    ? await opts.realBoard.build(opts.modelDir, opts.workDir)
    : await buildFirmware({ board: opts.board, modelDir: opts.modelDir, outDir: opts.workDir, tools: opts.tools, signal: opts.signal, log });
  progress('start', 0, 1);
  const emu = opts.realBoard ? await opts.realBoard.deploy(build) : await startEmulatedBoard({ elf: build.elf, tools: opts.tools, signal: opts.signal, log });
  let client: DeviceClient | undefined;
  try {
    progress('connect', 0, 1);
    client = new DeviceClient(await (emu.openTransport ? emu.openTransport() : openSerialTransport({ path: emu.ptyPath })), log);
    const exitWatch = emu.exited.then(({ code, signal }) => { throw new DeviceError('closed', `QEMU exited (${signal ?? `code ${code}`}) during the benchmark`); });
    exitWatch.catch(() => undefined);
    const hello = await Promise.race([client.waitForHello({ totalMs: 20_000, signal: opts.signal }), exitWatch]);
    log(`board: ${hello.board}, firmware ${hello.firmwareVersion}, protocol ${hello.protocolVersion}, model ${hello.modelHash}, tick source ${hello.tickSource}`);
    checkModelHash(hello, opts.hash, opts.what);
    if (hello.inputSize !== opts.inputs[0].length) throw new DeviceError('protocol', `the board's model takes ${hello.inputSize}-byte inputs, the test samples have ${opts.inputs[0].length}`);
    const results: InferResult[] = [];
    const refs: HostReference[] = [];
    const hostClasses: number[] = [];
    const started = Date.now();
    progress('infer', 0, opts.inputs.length);
    let requests = 0;
    for (let i = 0; i < opts.inputs.length;) {
      const chunk = opts.inputs.slice(i, i + client.batchFit(opts.inputs, i));
      requests++;
      // Generous: QEMU moves roughly 20–50 KB/s through the emulated USART on a busy host.
      const timeoutMs = 10_000 + chunk.length * (chunk[0].length / 5 + 50);
      const reply = Promise.race([client.inferBatch(chunk, { timeoutMs, attempts: 2, signal: opts.signal }), exitWatch]);
      reply.catch(() => undefined);
      for (let k = 0; k < chunk.length; k++) {
        refs.push(opts.reference(chunk[k]));
        hostClasses.push(opts.hostPredict ? opts.hostPredict(chunk[k], i + k) : refs[refs.length - 1].class);
        await new Promise<void>((r) => setImmediate(r)); // let the serial I/O progress between host inferences
      }
      results.push(...await reply);
      i += chunk.length;
      progress('infer', results.length, opts.inputs.length);
    }
    const inferSeconds = (Date.now() - started) / 1000;
    log(`${results.length} samples in ${inferSeconds.toFixed(1)} s (${requests} batch requests)`);
    return { ...summarize(opts, build, hello, results, refs, hostClasses, inferSeconds), requests };
  } finally {
    progress('stop', 0, 1);
    await client?.close().catch(() => undefined);
    await emu.stop();
  }
}

function summarize(opts: EmulatorBenchOptions, build: BuildResult, hello: HelloInfo, results: InferResult[], refs: HostReference[], hostClasses: number[], inferSeconds: number): Omit<BenchReport, 'requests'> {
  const n = results.length;
  const mismatches: SampleMismatch[] = [];
  let deviceCorrect = 0;
  let hostCorrect = 0;
  let agree = 0;
  results.forEach((r, i) => {
    const ref = refs[i];
    const label = opts.labels[i];
    const hostClass = hostClasses[i];
    if (r.classIndex === label) deviceCorrect++;
    if (hostClass === label) hostCorrect++;
    if (r.classIndex === hostClass) agree++;
    if (r.classIndex !== ref.class || !sameScores(r.scores, ref.scores)) {
      mismatches.push({ index: i, deviceClass: r.classIndex, hostClass: ref.class, deviceScores: r.scores, hostScores: ref.scores });
    }
  });
  const ticks = results.map((r) => r.ticks);
  const board = findBoard(opts.board)!;
  // the firmware side as the budget rule sees it: the model's estimate + the board's measured firmware reserve
  const fit = assessBudget({ flashBytes: opts.estimate.flash, ramBytes: opts.estimate.ram }, board);
  const result: DeviceResult = {
    board: opts.board,
    time: new Date().toISOString(),
    samples: n,
    deviceAccuracy: deviceCorrect / n,
    hostAccuracy: hostCorrect / n,
    agreement: agree / n,
    latency: { median: percentile(ticks, 0.5), p90: percentile(ticks, 0.9), unit: board.emulated ? 'instructions (emulated)' : 'cycles' },
    flash: { modelArrays: build.size.modelFlash, modelEstimate: opts.estimate.flash, firmwareTotal: build.size.flash, firmwareEstimate: fit.flash.used },
    ram: { modelArrays: build.size.modelRam, modelEstimate: opts.estimate.ram, firmwareTotal: build.size.ram, firmwareEstimate: fit.ram.used },
    modelHash: hello.modelHash,
    firmwareVersion: hello.firmwareVersion,
  };
  return { result, hello, build, ticks, deviceClasses: results.map((r) => r.classIndex), hostClasses, mismatches, inferSeconds };
}

/** A one-paragraph human summary, as the CLI and the output channel print it. */
export function formatDeviceResult(r: DeviceResult): string {
  const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;
  const b = (n: number): string => `${n.toLocaleString('en-US')} B`;
  const board = findBoard(r.board);
  return [
    `board            ${r.board}${r.port ? ` on ${r.port}` : ''}`,
    `samples          ${r.samples}`,
    `device accuracy  ${pct(r.deviceAccuracy)}`,
    `host accuracy    ${pct(r.hostAccuracy)}`,
    `agreement        ${pct(r.agreement)} of samples get the same class on the board and the host`,
    `latency          median ${r.latency.median.toLocaleString('en-US')}, p90 ${r.latency.p90.toLocaleString('en-US')} ${r.latency.unit}${r.latencyUs ? ` (median ${r.latencyUs.median.toFixed(1)} µs)` : ''}`,
    `model arrays     flash ${modelArraysText(r.flash, b)}; RAM ${modelArraysText(r.ram, b)}`,
    `firmware total   flash ${firmwareTotalText(r.flash, b, board?.flashBytes)}; RAM ${firmwareTotalText(r.ram, b, board?.ramBytes)} with the stack (expected: model + the board's firmware reserve)`,
    ...(r.hostCheck ? [`host check       the trained model's own forward pass agrees with the host reference on ${pct(r.hostCheck.agreement)} of the first ${r.hostCheck.samples} samples`] : []),
    `model hash       ${r.modelHash}`,
  ].join('\n');
}
