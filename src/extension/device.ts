/**
 * "BNN: Run on Emulated Board": compile → build → start QEMU → benchmark → stop, as one cancellable progress
 * notification, logging to the BNN Studio output channel. The result lands in the experiment's device/ folder,
 * where the Experiments tree and the training panel read it.
 */
import { firmwareTotalText, modelArraysText } from '../core/device/memoryText';
import { formatBytes } from '../core/estimate/summary';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { formatDeviceResult } from '../core/device/bench';
import type { ExperimentBenchResult } from '../core/device/benchExperiment';
import { ToolMissingError, type ToolPaths } from '../core/device/tools';
import { experimentForCommand } from './experimentRefs';
import { requireTrust, trustedToolPaths } from './trust';
import { runInDataWorker } from '../core/data/workerHost';
import type { TestSamples, TestSamplesRequest } from '../core/data/testSamples';

const PHASES: Record<string, string> = {
  compile: 'Compiling the model to C…',
  data: 'Loading test samples…',
  build: 'Building firmware (arm-none-eabi-gcc)…',
  start: 'Starting the emulated board (QEMU)…',
  connect: 'Waiting for the board to answer…',
  stop: 'Stopping the emulated board…',
};

function toolPaths(): ToolPaths {
  return trustedToolPaths(['qemu-system-arm', 'arm-none-eabi-gcc', 'arm-none-eabi-size']);
}

/** A finished device benchmark: the full result in the log, the headline in a notification (a warning if any sample disagrees). */
export async function showDeviceResult(output: vscode.LogOutputChannel, result: ExperimentBenchResult, where: string): Promise<void> {
  const r = result.report.result;
  output.info(`\n${formatDeviceResult(r)}\nsaved ${result.file}`);
  const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;
  const ticks = `${r.latency.median.toLocaleString('en-US')} ${r.latency.unit}`;
  const lat = r.latencyUs ? `${r.latencyUs.median.toFixed(1)} µs (${ticks})` : ticks;
  const msg = `${where}: accuracy ${pct(r.deviceAccuracy)} (host ${pct(r.hostAccuracy)}, agreement ${pct(r.agreement)}), latency median ${lat}; model arrays ${modelArraysText(r.flash, formatBytes)} flash; firmware total ${firmwareTotalText(r.flash, formatBytes)} flash.`;
  const choice = await (result.report.mismatches.length
    ? vscode.window.showWarningMessage(`${msg} ${result.report.mismatches.length} samples differ from the host reference.`, 'Show Log', 'Open Result')
    : vscode.window.showInformationMessage(msg, 'Open Result', 'Show Log'));
  if (choice === 'Open Result') await vscode.window.showTextDocument(vscode.Uri.file(result.file));
  if (choice === 'Show Log') output.show(true);
}

export async function runOnEmulator(output: vscode.LogOutputChannel, distDir: string, arg?: unknown): Promise<void> {
  if (!(await requireTrust('running on the emulated board'))) return;
  const experimentDir = await experimentForCommand(arg, { title: 'Run on Emulated Board', placeHolder: 'Experiment to run on the emulated STM32F405', filter: (e) => e.state !== 'running' });
  if (!experimentDir) return;
  const id = path.basename(experimentDir);
  const dataDir = vscode.workspace.getConfiguration('bnnStudio').get<string>('dataDir') || undefined;
  output.info(`Run on Emulated Board: ${id}`);
  try {
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `BNN: Run ${id} on the emulated board`, cancellable: true }, async (progress, token) => {
      const ac = new AbortController();
      token.onCancellationRequested(() => { output.info('cancel requested'); ac.abort(); });
      let lastPct = 0;
      // Loaded on use: it reaches the TensorFlow.js-based reference path, which must not load with the extension host.
      const { benchExperiment, DEFAULT_BENCH_SAMPLES } = await import('../core/device/benchExperiment');
      return benchExperiment({
        experimentDir, board: 'qemu-stm32', samples: benchSamples(DEFAULT_BENCH_SAMPLES), data: dataDir ? { dataDir } : undefined, tools: toolPaths(), signal: ac.signal,
        firstLayer: vscode.workspace.getConfiguration('bnnStudio').get<string>('compiler.firstLayer') === 'lean' ? 'lean' : 'fast',
        log: (line) => output.info(line), loadTestSamples: testSamplesLoader(distDir, ac.signal, (message) => progress.report({ message })),
        progress: (phase, done, total) => {
          if (phase === 'infer') {
            const pct = Math.floor((100 * done) / Math.max(1, total));
            progress.report({ message: `${done}/${total} samples`, increment: pct - lastPct });
            lastPct = pct;
          } else if (PHASES[phase]) progress.report({ message: PHASES[phase] });
        },
      });
    });
    await showDeviceResult(output, result, `${id} on the emulated STM32`);
  } catch (err) {
    const e = err as Error;
    if (e.name === 'AbortError' || (e as { kind?: string }).kind === 'cancelled') {
      output.info('cancelled; the emulated board is stopped');
      return;
    }
    output.error(e.message);
    const actions = e instanceof ToolMissingError ? ['Show Log', 'Open Settings'] : ['Show Log'];
    const choice = await vscode.window.showErrorMessage(`Run on Emulated Board failed: ${e.message}`, ...actions);
    if (choice === 'Show Log') output.show(true);
    if (choice === 'Open Settings') await vscode.commands.executeCommand('workbench.action.openSettings', 'bnnStudio.tools');
  }
}

export function registerDevice(context: vscode.ExtensionContext, output: vscode.LogOutputChannel): void {
  const distDir = path.join(context.extensionPath, 'dist');
  context.subscriptions.push(vscode.commands.registerCommand('bnn.runOnEmulator', (arg?: unknown) => runOnEmulator(output, distDir, arg)));
}

/**
 * Reads a benchmark's test samples on the data worker, so a cold image folder (decoded at thousands of images a
 * minute) does not stall the extension host; the decode's progress shows in the notification and Cancel ends it.
 */
export function testSamplesLoader(distDir: string, signal: AbortSignal, report: (message: string) => void): (req: TestSamplesRequest) => Promise<TestSamples> {
  return (request) => runInDataWorker({ kind: 'testSamples', request }, {
    signal, distDir,
    progress: (done, total, message) => report(total > 1 ? `Loading test samples: ${message} ${done}/${total}…` : `Loading test samples: ${message}…`),
  });
}

/** Test samples an on-device benchmark runs (setting bnnStudio.device.samples; the default is the bench's). */
export function benchSamples(fallback: number): number {
  const v = vscode.workspace.getConfiguration('bnnStudio').get<number>('device.samples');
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 ? Math.min(v, 10_000) : fallback;
}
