/**
 * "BNN: Flash to Board": find the connected board first (USB ids; a quick pick when several match, the emulated board
 * always offered; with none, what was seen and what to fix), then the experiment, then compile → build → flash → verify → benchmark as one cancellable progress notification,
 * logging to the BNN Studio output channel. The result is saved and shown like the emulated board's. A status-bar
 * item appears while a supported board is plugged in.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { BoardInfo } from '../core/boards';
import { LinkError } from '../core/device/byteLink';
import { autoPick, candidates, detectBoards, type Candidate, type DetectedPort, type PortRecord } from '../core/device/detect';
import { noBoardReport, probeAccess, userGroups } from '../core/device/boardReport';
import { checkTools } from '../core/device/toolCheck';
import { listSerialPorts } from '../core/device/serialPorts';
import { FlashError } from '../core/device/flashers/types';
import { realBoardSession } from '../core/device/realBoard';
import { ToolMissingError, type ToolPaths } from '../core/device/tools';
import { benchSamples, showDeviceResult, testSamplesLoader } from './device';
import { experimentForCommand } from './experimentRefs';
import { selectedBoard } from './selectedBoard';
import { requireTrust, trustedToolPaths } from './trust';

const TOOL_SETTINGS = ['arm-none-eabi-gcc', 'arm-none-eabi-size', 'openocd', 'st-flash', 'arduino-cli'];

function toolPaths(): ToolPaths {
  return trustedToolPaths(TOOL_SETTINGS);
}

async function scan(): Promise<{ ports: PortRecord[]; listError?: string }> {
  try {
    return { ports: await listSerialPorts() };
  } catch (err) {
    return { ports: [], listError: (err as Error).message }; // no serialport binding: only the emulated board can be offered
  }
}

async function detect(): Promise<DetectedPort[]> {
  return detectBoards((await scan()).ports);
}

/**
 * With no board: the report of what is there (ports, permissions, udev rules, flashing tools) goes to the log, and a
 * one-line summary of it with the ways on: the emulated board, the details, a serial monitor.
 */
async function noBoard(output: vscode.LogOutputChannel, seen: { ports: PortRecord[]; listError?: string }): Promise<'emulated' | undefined> {
  const tools = checkTools({ paths: toolPaths() });
  const lines = noBoardReport({ ...seen, tools, platform: process.platform, access: probeAccess(seen.ports), groups: process.platform === 'linux' ? userGroups() : undefined });
  for (const l of lines) output.info(l);
  const found = tools.filter((t) => ['openocd', 'st-flash', 'arduino-cli'].includes(t.tool));
  const toolText = `flashing tools: ${found.map((t) => `${t.tool} ${t.path ? 'found' : 'missing'}`).join(', ')}`;
  const portText = seen.listError ? 'the serial ports could not be listed' : `${seen.ports.length} serial port${seen.ports.length === 1 ? '' : 's'} seen, none a supported board`;
  const choice = await vscode.window.showWarningMessage(`No supported board is connected (Arduino Nano 33 BLE, STM32 Nucleo-F401RE/F411RE/F446RE): ${portText}; ${toolText}.`, 'Run on Emulated Board', 'Show Details', 'Open Serial Monitor');
  if (choice === 'Show Details') output.show(true);
  if (choice === 'Open Serial Monitor') await vscode.commands.executeCommand('bnn.serialMonitor');
  return choice === 'Run on Emulated Board' ? 'emulated' : undefined;
}

/** The board to flash: the obvious one, or the user's pick; undefined when cancelled. */
async function chooseTarget(output: vscode.LogOutputChannel): Promise<Candidate | undefined> {
  const seen = await scan();
  const detected = detectBoards(seen.ports);
  const sel = selectedBoard();
  const auto = autoPick(detected, sel.emulated ? undefined : sel.id) ?? autoPick(detected);
  if (auto) return auto;
  const items = candidates(detected, sel.id).map((c) => ({ label: c.board.name, description: c.port ?? '', detail: c.description, c }));
  if (items.length === 1) return (await noBoard(output, seen)) ? items[0].c : undefined;
  const pick = await vscode.window.showQuickPick(items, { title: 'Flash to Board', placeHolder: 'Which board? (every Nucleo-F4 has the same ST-Link, so pick its chip)' });
  return pick?.c;
}

export async function flashToBoard(output: vscode.LogOutputChannel, distDir: string, arg?: unknown): Promise<void> {
  if (!(await requireTrust('flashing a board'))) return;
  // the board first: with none there, asking for an experiment would be a question for nothing
  const target = await chooseTarget(output);
  if (!target) return;
  const experimentDir = await experimentForCommand(arg, { title: target.board.emulated ? 'Run on Emulated Board' : `Flash to ${target.board.name}`, placeHolder: 'Experiment to flash and benchmark', filter: (e) => e.state !== 'running' });
  if (!experimentDir) return;
  if (target.board.emulated) { await vscode.commands.executeCommand('bnn.runOnEmulator', experimentDir); return; }
  const board: BoardInfo = target.board;
  const id = path.basename(experimentDir);
  const dataDir = vscode.workspace.getConfiguration('bnnStudio').get<string>('dataDir') || undefined;
  output.info(`Flash to Board: ${id} → ${board.name}${target.port ? ` on ${target.port}` : ''}`);
  try {
    // Loaded on use: the benchmark pulls in TensorFlow.js (host predictions), which activation should not pay for.
    const { benchExperiment, DEFAULT_BENCH_SAMPLES } = await import('../core/device/benchExperiment');
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `BNN: ${id} on the ${board.name}`, cancellable: true }, async (progress, token) => {
      const ac = new AbortController();
      token.onCancellationRequested(() => { output.info('cancel requested'); ac.abort(); });
      const session = realBoardSession({
        board, port: target.port, tools: toolPaths(), signal: ac.signal,
        log: (line) => output.info(line), onProgress: (message) => progress.report({ message }),
      });
      let lastPct = 0;
      return benchExperiment({
        experimentDir, board: board.id, samples: benchSamples(DEFAULT_BENCH_SAMPLES), data: dataDir ? { dataDir } : undefined, tools: toolPaths(), signal: ac.signal,
        log: (line) => output.info(line), realBoard: session, loadTestSamples: testSamplesLoader(distDir, ac.signal, (message) => progress.report({ message })),
        progress: (phase, done, total) => {
          if (phase === 'infer') {
            const pct = Math.floor((100 * done) / Math.max(1, total));
            progress.report({ message: `${done}/${total} samples`, increment: pct - lastPct });
            lastPct = pct;
          } else if (phase === 'compile') progress.report({ message: 'Compiling the model to C…' });
          else if (phase === 'build') progress.report({ message: 'Building firmware…' });
          else if (phase === 'connect') progress.report({ message: 'Waiting for the board to answer…' });
        },
      });
    });
    await showDeviceResult(output, result, `${id} on the ${board.name}`);
  } catch (err) {
    const e = err as Error;
    if (e.name === 'AbortError' || /cancelled/.test(e.message)) { output.info('cancelled'); return; }
    output.error(e.message);
    const known = e instanceof ToolMissingError || e instanceof FlashError || e instanceof LinkError;
    const actions = e instanceof ToolMissingError ? ['Show Log', 'Open Settings'] : ['Show Log'];
    const choice = await vscode.window.showErrorMessage(`Flash to Board failed: ${known ? e.message : `${e.message} (see the log)`}`, ...actions);
    if (choice === 'Show Log') output.show(true);
    if (choice === 'Open Settings') await vscode.commands.executeCommand('workbench.action.openSettings', 'bnnStudio.tools');
  }
}

/** Shows "$(circuit-board) <board>" while a supported board is plugged in; clicking it flashes. */
function registerConnectedBoardItem(context: vscode.ExtensionContext): void {
  const item = vscode.window.createStatusBarItem('bnnStudio.connectedBoard', vscode.StatusBarAlignment.Left, 99);
  item.name = 'BNN Connected Board';
  item.command = 'bnn.flash';
  context.subscriptions.push(item);
  let busy = false;
  const refresh = async (): Promise<void> => {
    if (busy || !vscode.window.state.focused) return;
    busy = true;
    try {
      const found = (await detect()).filter((d) => d.boards.length);
      if (!found.length) { item.hide(); return; }
      const sel = selectedBoard();
      const names = found.map((d) => (d.boards.some((b) => b.id === sel.id) ? sel : d.boards[0]).name.replace(/^STM32 /, ''));
      item.text = `$(circuit-board) ${found.length === 1 ? names[0] : `${found.length} boards`}`;
      item.tooltip = `${found.map((d, i) => `${names[i]} on ${d.port.path}`).join('\n')}\nClick: BNN: Flash to Board`;
      item.show();
    } finally {
      busy = false;
    }
  };
  // USB plug events are not visible to extensions; a light poll of the port list (no port is opened) stands in.
  const timer = setInterval(() => { void refresh(); }, 3000);
  context.subscriptions.push({ dispose: () => clearInterval(timer) });
  void refresh();
}

export function registerFlash(context: vscode.ExtensionContext, output: vscode.LogOutputChannel): void {
  const distDir = path.join(context.extensionPath, 'dist');
  context.subscriptions.push(vscode.commands.registerCommand('bnn.flash', (arg?: unknown) => flashToBoard(output, distDir, arg)));
  registerConnectedBoardItem(context);
}
