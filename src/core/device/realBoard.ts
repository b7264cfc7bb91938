/**
 * The real-board steps of "compile → build → flash → verify → benchmark": plugged into the shared benchmark
 * (bench.ts / benchExperiment.ts) as its build and deploy hooks, so results are measured, saved and shown exactly as
 * the emulated board's. Verification is twofold: the flasher's own read-back where it has one, and in every case the
 * model hash the firmware reports in HELLO, which the benchmark checks before running a sample.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BoardInfo, FlashMethod } from '../boards';
import type { BuildResult } from './build';
import { measure } from './build';
import type { RealBoardHooks } from './bench';
import { detectBoards } from './detect';
import type { PortRecord } from './detect';
import { buildSketch, uploadToNano } from './flashers/arduino';
import { listSerialPorts } from './serialPorts';
import { chooseFlashMethod, flashNucleo, probeAvailability } from './flashers/index';
import type { FlashOutcome } from './flashers/types';
import { FlashError } from './flashers/types';
import { runTool } from './runTool';
import { requireTool, type ToolPaths } from './tools';
import { writeSketch } from './arduinoSketch';
import type { ListPorts } from './portWatch';

export interface RealBoardOptions {
  board: BoardInfo;
  /** The board's serial port; found by USB ids when absent. */
  port?: string;
  method?: FlashMethod;
  tools?: ToolPaths;
  signal?: AbortSignal;
  log?: (line: string) => void;
  onProgress?: (message: string) => void;
  listPorts?: ListPorts;
  /** false: the board already runs this firmware (bnn bench --port); only connect. The HELLO hash still guards it. */
  flash?: boolean;
}

export interface RealBoardSession extends RealBoardHooks {
  port(): string | undefined;
  outcome(): FlashOutcome | undefined;
}

/** The one serial port of this board type, or a message saying what was found instead. */
export async function findBoardPort(board: BoardInfo, list: ListPorts = listSerialPorts): Promise<string> {
  const ports: PortRecord[] = await list();
  const hits = detectBoards(ports).filter((d) => d.boards.some((b) => b.id === board.id));
  if (hits.length === 1) return hits[0].port.path;
  if (hits.length === 0) {
    throw new FlashError(`No ${board.name} found on a USB serial port (ports: ${ports.map((p) => p.path).join(', ') || 'none'}). ` +
      `Plug it in${board.id.startsWith('nucleo-') ? ' by its ST-Link USB connector' : ''}, or give the port with --port.`, board.flashMethods[0]);
  }
  throw new FlashError(`Several ports could be the ${board.name}: ${hits.map((h) => h.port.path).join(', ')}. Choose one with --port.`, board.flashMethods[0]);
}

/** A board already running firmware: no process to watch, nothing to stop. */
function attached(port: string): { ptyPath: string; exited: Promise<never>; stop: () => Promise<void> } {
  return { ptyPath: port, exited: new Promise<never>(() => undefined), stop: async () => undefined };
}

export function realBoardSession(opts: RealBoardOptions): RealBoardSession {
  const { board } = opts;
  const log = opts.log ?? (() => {});
  let port = opts.port;
  let outcome: FlashOutcome | undefined;
  const nano = board.flashMethods.includes('arduino-cli');
  let sketchDir = '';
  let buildDir = '';
  let bin = '';

  const build = nano && opts.flash !== false
    ? async (modelDir: string, workDir: string): Promise<BuildResult> => {
      sketchDir = writeSketch(workDir, modelDir, board.clockHz);
      buildDir = path.join(workDir, 'arduino-build');
      opts.onProgress?.('Building the sketch with arduino-cli…');
      const out = await buildSketch({ tools: opts.tools, signal: opts.signal, log }, sketchDir, buildDir);
      bin = out.bin;
      const size = requireTool('arm-none-eabi-size', 'to measure the firmware', { configured: opts.tools?.['arm-none-eabi-size'] });
      const nm = path.join(path.dirname(size), path.basename(size).replace(/size(\.exe)?$/, 'nm$1'));
      const modelObjects = fs.existsSync(path.join(buildDir, 'sketch'))
        ? fs.readdirSync(path.join(buildDir, 'sketch')).filter((f) => /^bnn_model.*\.c\.o$/.test(f)).map((f) => path.join(buildDir, 'sketch', f))
        : [];
      return { elf: out.elf, size: await measure(size, nm, out.elf, modelObjects, opts.signal), commandLines: [] };
    }
    : undefined;

  const deploy = async (built: BuildResult): Promise<ReturnType<typeof attached>> => {
    if (opts.flash === false) {
      port ??= await findBoardPort(board, opts.listPorts);
      return attached(port);
    }
    if (nano) {
      port ??= await findBoardPort(board, opts.listPorts);
      outcome = await uploadToNano({ board, bin, port, tools: opts.tools, signal: opts.signal, log, onProgress: opts.onProgress }, sketchDir, buildDir,
        opts.listPorts ? { list: opts.listPorts } : {});
      port = outcome.port ?? port;
      log(`uploaded; ${outcome.verifiedHow}`);
      return attached(port);
    }
    const objcopy = requireTool('arm-none-eabi-gcc', 'to make the .bin image', { configured: opts.tools?.['arm-none-eabi-gcc'] })
      .replace(/gcc(\.exe)?$/, 'objcopy$1');
    const image = built.elf.replace(/\.elf$/, '') + '.bin';
    const r = await runTool(objcopy, ['-O', 'binary', built.elf, image], { signal: opts.signal, log });
    if (r.code !== 0) throw new FlashError(`arm-none-eabi-objcopy could not make ${image}: ${r.output.trim()}`, 'openocd');
    const avail = await probeAvailability(board, opts.tools);
    const method = chooseFlashMethod(board, avail, { preferred: opts.method, port });
    log(`flashing ${board.name} with ${method}`);
    outcome = await flashNucleo(method, { board, elf: built.elf, bin: image, port, tools: opts.tools, signal: opts.signal, log, onProgress: opts.onProgress });
    log(`flashed; ${outcome.verifiedHow}`);
    port ??= await findBoardPort(board, opts.listPorts);
    return attached(port);
  };

  return { build, deploy, port: () => port, outcome: () => outcome };
}
