/** Builds generated C in a temp dir with the host gcc or arm-none-eabi-gcc and runs the host test driver. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, copyFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const WARN_FLAGS = ['-std=c99', '-pedantic', '-Wall', '-Wextra', '-Werror', '-Wshadow', '-Wdouble-promotion'];
export const ARM_FLAGS = ['-mcpu=cortex-m4', '-mthumb', '-O2'];
export const ARM_HARD_FLOAT = ['-mfpu=fpv4-sp-d16', '-mfloat-abi=hard'];
const DRIVER = join(__dirname, '..', 'fixtures', 'compile', 'host_driver.c');

export function writeFiles(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'bnn-compile-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export function buildHost(dir: string, extra: string[] = []): string {
  copyFileSync(DRIVER, join(dir, 'host_driver.c'));
  const exe = join(dir, 'driver');
  execFileSync('gcc', [...WARN_FLAGS, '-O2', ...extra, '-o', exe, join(dir, 'bnn_model.c'), join(dir, 'host_driver.c')], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  return exe;
}

export interface DriverOutput { hash: string; results: { class: number; scores: number[] }[] }

export function runHost(exe: string, inputs: Uint8Array[], floatScores: boolean): DriverOutput {
  const size = inputs[0]?.length ?? 0;
  const buf = Buffer.alloc(4 + inputs.length * size);
  buf.writeUInt32LE(inputs.length, 0);
  inputs.forEach((x, i) => buf.set(x, 4 + i * size));
  const text = execFileSync(exe, { input: buf, encoding: 'utf8', maxBuffer: 1 << 28 });
  const lines = text.trim().split('\n');
  const hash = lines.shift()!.replace(/^hash /, '');
  const f = new DataView(new ArrayBuffer(4));
  return {
    hash,
    results: lines.map((line) => {
      const [cls, ...rest] = line.split(' ');
      const scores = rest.map((s) => { if (!floatScores) return Number(s); f.setUint32(0, parseInt(s, 16)); return f.getFloat32(0); });
      return { class: Number(cls), scores };
    }),
  };
}

/** Compiles bnn_model.c for Cortex-M4 and returns the sizes of its data symbols (arm-none-eabi-nm -S; code excluded). */
export function armSymbolSizes(dir: string, extra: string[] = []): Map<string, number> {
  const obj = join(dir, `bnn_model${extra.length ? '_hf' : ''}.o`);
  execFileSync('arm-none-eabi-gcc', [...ARM_FLAGS, ...extra, ...WARN_FLAGS, '-c', '-o', obj, join(dir, 'bnn_model.c')], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const nm = execFileSync('arm-none-eabi-nm', ['-S', obj], { encoding: 'utf8' });
  const sizes = new Map<string, number>();
  for (const line of nm.split('\n')) {
    const m = /^[0-9a-f]+ ([0-9a-f]+) [bBdDrR] (\S+)$/.exec(line.trim());
    if (m) sizes.set(m[2], parseInt(m[1], 16));
  }
  return sizes;
}

/**
 * Links bnn_model.c into a Cortex-M4 ELF the way firmware does (-ffunction-sections -fdata-sections, --gc-sections,
 * a caller of bnn_infer) and returns the ELF's data symbol sizes.
 */
export function armLinkedSymbolSizes(dir: string): Map<string, number> {
  const main = join(dir, 'arm_main.c');
  writeFileSync(main, '#include "bnn_model.h"\nstatic uint8_t in[BNN_INPUT_SIZE];\nstatic bnn_score_t out[BNN_NUM_CLASSES];\nint main(void) { return bnn_infer(in, out); }\n');
  const elf = join(dir, 'model.elf');
  execFileSync('arm-none-eabi-gcc', [...ARM_FLAGS, ...WARN_FLAGS, '-ffunction-sections', '-fdata-sections', '-specs=nosys.specs', '-Wl,--gc-sections',
    '-o', elf, join(dir, 'bnn_model.c'), main], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const nm = execFileSync('arm-none-eabi-nm', ['-S', elf], { encoding: 'utf8' });
  const sizes = new Map<string, number>();
  for (const line of nm.split('\n')) {
    const m = /^[0-9a-f]+ ([0-9a-f]+) [bBdDrR] (bnn_\S+)$/.exec(line.trim());
    if (m) sizes.set(m[2], parseInt(m[1], 16));
  }
  return sizes;
}
