/**
 * Builds the firmware for a board around a compiled model folder (bnn_model.h, bnn_model.c and any other .c the
 * compiler emitted) with arm-none-eabi-gcc, and measures it with arm-none-eabi-size / -nm.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { firmwareRoot } from '../firmwareRoot';
import { requireExecutable, runTool, ToolMissingError, type ToolPaths } from './tools';

/** Boards whose firmware is built here (bare-metal: protocol core + shared Cortex-M startup + board files). */
export const FIRMWARE_BOARDS: Record<string, { dir: string; linkerScript: string; cflags: string[] }> = {
  'qemu-stm32': {
    dir: 'boards/qemu-stm32',
    linkerScript: 'stm32f405.ld',
    cflags: ['-mcpu=cortex-m4', '-mthumb', '-mfloat-abi=hard', '-mfpu=fpv4-sp-d16'],
  },
  // One board-support folder for the three Nucleo-64 F4 boards; the define picks the chip's clock tree (chip.h).
  'nucleo-f401re': { dir: 'boards/nucleo-f4xx', linkerScript: 'stm32f401re.ld', cflags: ['-mcpu=cortex-m4', '-mthumb', '-mfloat-abi=hard', '-mfpu=fpv4-sp-d16', '-DNUCLEO_F401RE'] },
  'nucleo-f411re': { dir: 'boards/nucleo-f4xx', linkerScript: 'stm32f411re.ld', cflags: ['-mcpu=cortex-m4', '-mthumb', '-mfloat-abi=hard', '-mfpu=fpv4-sp-d16', '-DNUCLEO_F411RE'] },
  'nucleo-f446re': { dir: 'boards/nucleo-f4xx', linkerScript: 'stm32f446re.ld', cflags: ['-mcpu=cortex-m4', '-mthumb', '-mfloat-abi=hard', '-mfpu=fpv4-sp-d16', '-DNUCLEO_F446RE'] },
};

export const COMMON_CFLAGS = ['-O2', '-g', '-std=c99', '-Wall', '-Wextra', '-Werror', '-ffunction-sections', '-fdata-sections'];


export interface FirmwareSize {
  /** Flash: vector table + code + read-only data + initialised data's load image. */
  flash: number;
  /** RAM: initialised + zeroed data (static buffers), without the stack reservation. */
  ram: number;
  stack: number;
  sections: Record<string, number>;
  /** Bytes of the model's own arrays (from its object files' symbols): read-only → flash, writable → RAM. */
  modelFlash: number;
  modelRam: number;
  modelCode: number;
}

export interface BuildResult {
  elf: string;
  size: FirmwareSize;
  commandLines: string[];
}

export interface BuildOptions {
  board: string;
  /** Folder holding bnn_model.h and the model's .c files. */
  modelDir: string;
  /** Where objects, fw.elf and fw.map go (created). */
  outDir: string;
  tools?: ToolPaths;
  signal?: AbortSignal;
  log?: (line: string) => void;
  /** Overrides the protocol's receive buffer (bytes). */
  maxPayload?: number;
}

async function checkNewlib(gcc: string, flags: string[]): Promise<void> {
  const { stdout } = await runTool(gcc, [...flags, '-print-file-name=libc_nano.a']);
  const p = stdout.trim();
  if (!path.isAbsolute(p) || !fs.existsSync(p)) throw new ToolMissingError('newlib', `${path.basename(gcc)} cannot find libc_nano.a`);
}

export async function buildFirmware(opts: BuildOptions): Promise<BuildResult> {
  const board = FIRMWARE_BOARDS[opts.board];
  if (!board) throw new Error(`no bare-metal firmware for board '${opts.board}' (available: ${Object.keys(FIRMWARE_BOARDS).join(', ')})`);
  const header = path.join(opts.modelDir, 'bnn_model.h');
  if (!fs.existsSync(header)) throw new Error(`${opts.modelDir} holds no compiled model (bnn_model.h is missing): compile the experiment first`);
  const gcc = requireExecutable('arm-none-eabi-gcc', opts.tools);
  const sizeTool = requireExecutable('arm-none-eabi-size', opts.tools);
  const nm = path.join(path.dirname(sizeTool), path.basename(sizeTool).replace(/size(\.exe)?$/, 'nm$1'));
  await checkNewlib(gcc, board.cflags);
  const log = opts.log ?? (() => {});
  const root = firmwareRoot();
  fs.mkdirSync(opts.outDir, { recursive: true });
  const boardDir = path.join(root, board.dir);
  const protocolDir = path.join(root, 'protocol');
  // The Cortex-M reset handler and linker sections every board shares; the board keeps its vector table size and memory map.
  const commonDir = path.join(root, 'common');
  const cFiles = (dir: string): string[] => fs.readdirSync(dir).filter((f) => f.endsWith('.c')).sort().map((f) => path.join(dir, f));
  const modelSources = cFiles(opts.modelDir);
  if (!modelSources.length) throw new Error(`${opts.modelDir} holds bnn_model.h but no .c files`);
  const sources = [...cFiles(protocolDir), ...cFiles(boardDir), ...cFiles(commonDir), ...modelSources];
  const defines = opts.maxPayload ? [`-DBNN_MAX_PAYLOAD=${opts.maxPayload}u`] : [];
  const cflags = [...board.cflags, ...COMMON_CFLAGS, ...defines, `-I${protocolDir}`, `-I${commonDir}`, `-I${boardDir}`, `-I${opts.modelDir}`];
  const commandLines: string[] = [];
  const objects: string[] = [];
  const modelObjects: string[] = [];
  for (const src of sources) {
    const obj = path.join(opts.outDir, `${path.basename(path.dirname(src))}-${path.basename(src, '.c')}.o`);
    const args = [...cflags, '-c', src, '-o', obj];
    commandLines.push([gcc, ...args].join(' '));
    log(`cc ${path.relative(process.cwd(), src) || src}`);
    await runTool(gcc, args, { signal: opts.signal });
    objects.push(obj);
    if (modelSources.includes(src)) modelObjects.push(obj);
  }
  const elf = path.join(opts.outDir, 'fw.elf');
  // -L lets a board's linker script INCLUDE the shared sections (common/cortexm_sections.ld).
  const ldArgs = [...board.cflags, `-L${commonDir}`, '-T', path.join(boardDir, board.linkerScript), '-nostartfiles', '--specs=nano.specs',
    '-Wl,--gc-sections', `-Wl,-Map=${path.join(opts.outDir, 'fw.map')}`, ...objects, '-o', elf];
  commandLines.push([gcc, ...ldArgs].join(' '));
  log(`link ${elf}`);
  try {
    await runTool(gcc, ldArgs, { signal: opts.signal });
  } catch (err) {
    const m = (err as Error).message;
    if (/will not fit in region|region `?RAM'? overflowed|region `?FLASH'? overflowed/.test(m)) {
      throw new Error(`the firmware does not fit the board's memory:\n${m}`);
    }
    throw err;
  }
  const size = await measure(sizeTool, nm, elf, modelObjects, opts.signal);
  log(`firmware: ${size.flash} B flash, ${size.ram} B RAM (+ ${size.stack} B stack); model arrays: ${size.modelFlash} B flash, ${size.modelRam} B RAM`);
  return { elf, size, commandLines };
}

/** Also measures ELFs built elsewhere (the Arduino sketch, built by arduino-cli). */
export async function measure(sizeTool: string, nm: string, elf: string, modelObjects: string[], signal?: AbortSignal): Promise<FirmwareSize> {
  const { stdout } = await runTool(sizeTool, ['-A', elf], { signal });
  const sections: Record<string, number> = {};
  for (const line of stdout.split('\n')) {
    const m = /^(\.\S+)\s+(\d+)\s+(\d+)/.exec(line.trim());
    if (m) sections[m[1]] = Number(m[2]);
  }
  const s = (n: string): number => sections[n] ?? 0;
  let modelFlash = 0;
  let modelRam = 0;
  let modelCode = 0;
  if (fs.existsSync(nm)) {
    const { stdout: syms } = await runTool(nm, ['-S', '--defined-only', ...modelObjects], { signal });
    for (const line of syms.split('\n')) {
      const m = /^[0-9a-f]+\s+([0-9a-f]+)\s+([a-zA-Z])\s+\S+/.exec(line.trim());
      if (!m) continue;
      const bytes = parseInt(m[1], 16);
      const t = m[2].toLowerCase();
      if (t === 'r') modelFlash += bytes;
      else if (t === 'b' || t === 'd' || t === 'c') modelRam += bytes;
      else if (t === 't') modelCode += bytes;
    }
  }
  return {
    flash: s('.isr_vector') + s('.text') + s('.ARM.exidx') + s('.data'),
    ram: s('.data') + s('.bss'),
    stack: s('._stack_check'),
    sections,
    modelFlash,
    modelRam,
    modelCode,
  };
}
