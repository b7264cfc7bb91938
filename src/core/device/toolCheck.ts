/**
 * Every external tool checked at once, for `bnn tools` and the demo: a fresh machine lacks several, and a check that
 * stops at the first sends the user round once per tool.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findTool, installAllHint, type Os, type ToolName, type ToolPaths } from './tools';

export interface ToolStatus {
  tool: ToolName;
  /** What BNN Studio runs it for. */
  purpose: string;
  /** Where it is; undefined when missing. */
  path?: string;
  /** Why it counts as missing when it is not simply absent (a configured path that is not executable, newlib not found). */
  problem?: string;
}

export const TOOL_PURPOSES: readonly { tool: ToolName; purpose: string }[] = [
  { tool: 'gcc', purpose: 'builds the compiled C on this machine (bit-exactness check without a board)' },
  { tool: 'arm-none-eabi-gcc', purpose: 'builds the firmware for the emulated and real STM32/nRF52 boards' },
  { tool: 'arm-none-eabi-size', purpose: 'measures the firmware\'s flash and RAM' },
  { tool: 'newlib', purpose: 'the C library the firmware links' },
  { tool: 'qemu-system-arm', purpose: 'the emulated board (qemu-stm32)' },
  { tool: 'openocd', purpose: 'flashes STM32 Nucleo boards (or st-flash)' },
  { tool: 'st-flash', purpose: 'flashes STM32 Nucleo boards (or openocd)' },
  { tool: 'arduino-cli', purpose: 'builds and uploads to the Arduino Nano 33 BLE' },
];

/** The tools the emulated board's benchmark needs; the demo installs these. */
export const EMULATOR_TOOLS: readonly ToolName[] = ['arm-none-eabi-gcc', 'arm-none-eabi-size', 'newlib', 'qemu-system-arm'];
/** Everything that runs without hardware: the host check and the emulated board (what the demo uses). */
export const NO_HARDWARE_TOOLS: readonly ToolName[] = ['gcc', ...EMULATOR_TOOLS];

export function checkTools(opts: { paths?: ToolPaths; env?: NodeJS.ProcessEnv; os?: Os } = {}): ToolStatus[] {
  const found = new Map<ToolName, string | undefined>();
  const out: ToolStatus[] = [];
  for (const { tool, purpose } of TOOL_PURPOSES) {
    if (tool === 'newlib') {
      const gcc = found.get('arm-none-eabi-gcc');
      const lib = gcc ? newlibOf(gcc) : undefined;
      out.push({ tool, purpose, path: lib, problem: gcc && !lib ? `${path.basename(gcc)} cannot find libc_nano.a` : undefined });
      continue;
    }
    try {
      const p = findTool(tool, { configured: opts.paths?.[tool], env: opts.env, os: opts.os });
      found.set(tool, p);
      out.push({ tool, purpose, path: p });
    } catch (err) {
      out.push({ tool, purpose, problem: (err as Error).message });
    }
  }
  return out;
}

function newlibOf(gcc: string): string | undefined {
  try {
    const p = execFileSync(gcc, ['-mcpu=cortex-m4', '-mthumb', '-print-file-name=libc_nano.a'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 20_000 }).trim();
    return path.isAbsolute(p) && fs.existsSync(p) ? p : undefined;
  } catch {
    return undefined;
  }
}

/** One command installing every missing tool among `wanted` (all when omitted), or undefined when none is missing. */
export function installMissing(status: readonly ToolStatus[], wanted?: readonly ToolName[], os?: Os, root?: boolean): string | undefined {
  const missing = status.filter((s) => !s.path && (!wanted || wanted.includes(s.tool))).map((s) => s.tool);
  return missing.length ? installAllHint(missing, os, root) : undefined;
}
