/**
 * Finding the external tools the device pipeline runs, and saying how to install a missing one on the user's OS.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import * as path from 'node:path';

export type ToolName = 'qemu-system-arm' | 'arm-none-eabi-gcc' | 'arm-none-eabi-size' | 'newlib' | 'openocd' | 'st-flash' | 'arduino-cli' | 'gcc';

/** Install commands per OS. Debian/Ubuntu package names are the ones CI uses (scripts/apt-packages.txt). */
const INSTALL: Record<ToolName, { apt: string; dnf: string; brew: string; windows: string }> = {
  'qemu-system-arm': {
    apt: 'sudo apt-get install qemu-system-arm',
    dnf: 'sudo dnf install qemu-system-arm',
    brew: 'brew install qemu',
    windows: 'install QEMU from https://qemu.weilnetz.de/ (or `winget install SoftwareFreedomConservancy.QEMU`) and add it to PATH, or set bnnStudio.tools.qemu-system-arm',
  },
  'arm-none-eabi-gcc': {
    apt: 'sudo apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi',
    dnf: 'sudo dnf install arm-none-eabi-gcc-cs arm-none-eabi-newlib',
    brew: 'brew install --cask gcc-arm-embedded',
    windows: 'install the Arm GNU Toolchain (arm-none-eabi) from developer.arm.com and add its bin folder to PATH, or set bnnStudio.tools.arm-none-eabi-gcc',
  },
  'arm-none-eabi-size': {
    apt: 'sudo apt-get install binutils-arm-none-eabi',
    dnf: 'sudo dnf install arm-none-eabi-binutils-cs',
    brew: 'brew install --cask gcc-arm-embedded',
    windows: 'install the Arm GNU Toolchain (arm-none-eabi) from developer.arm.com and add its bin folder to PATH',
  },
  openocd: {
    apt: 'sudo apt-get install openocd',
    dnf: 'sudo dnf install openocd',
    brew: 'brew install open-ocd',
    windows: 'download xPack OpenOCD from github.com/xpack-dev-tools/openocd-xpack/releases and add its bin folder to PATH, or set bnnStudio.tools.openocd',
  },
  'st-flash': {
    apt: 'sudo apt-get install stlink-tools',
    dnf: 'sudo dnf install stlink',
    brew: 'brew install stlink',
    windows: 'download stlink from github.com/stlink-org/stlink/releases and add its bin folder to PATH, or set bnnStudio.tools.st-flash',
  },
  'arduino-cli': {
    apt: 'curl -fsSL https://raw.githubusercontent.com/arduino/arduino-cli/master/install.sh | sh (then move bin/arduino-cli onto PATH)',
    dnf: 'curl -fsSL https://raw.githubusercontent.com/arduino/arduino-cli/master/install.sh | sh (then move bin/arduino-cli onto PATH)',
    brew: 'brew install arduino-cli',
    windows: 'winget install ArduinoSA.CLI',
  },
  gcc: {
    apt: 'sudo apt-get install gcc',
    dnf: 'sudo dnf install gcc',
    brew: 'xcode-select --install',
    windows: 'install gcc from MSYS2 (pacman -S mingw-w64-ucrt-x86_64-gcc) and add it to PATH',
  },
  newlib: {
    apt: 'sudo apt-get install libnewlib-arm-none-eabi',
    dnf: 'sudo dnf install arm-none-eabi-newlib',
    brew: 'brew install --cask gcc-arm-embedded (its newlib is included)',
    windows: 'the Arm GNU Toolchain from developer.arm.com includes newlib',
  },
};

export function installHint(tool: ToolName, platform: NodeJS.Platform = process.platform): string {
  const i = INSTALL[tool];
  if (platform === 'darwin') return `macOS: ${i.brew}`;
  if (platform === 'win32') return `Windows: ${i.windows}`;
  return `Debian/Ubuntu: ${i.apt}; Fedora: ${i.dnf}`;
}

/**
 * One command that installs every tool in `tools` (a fresh machine lacks several at once; naming one per run makes the
 * user go round again). Debian's recommends are left out (qemu-system-arm's pull 3 GB), and root, as in a container,
 * has no sudo.
 */
export function installAllHint(tools: readonly ToolName[], os: Os = currentOs(), root = process.getuid?.() === 0): string {
  const sudo = root ? '' : 'sudo ';
  const combine = (key: 'apt' | 'dnf' | 'brew', prefix: RegExp, command: string): string => {
    const pkgs: string[] = [];
    const others: string[] = [];
    for (const t of tools) {
      const m = prefix.exec(INSTALL[t][key]);
      if (m) { for (const p of m[1].split(/\s+/)) if (!pkgs.includes(p)) pkgs.push(p); } else others.push(`${t}: ${INSTALL[t][key]}`);
    }
    return [pkgs.length ? `${command} ${pkgs.join(' ')}` : '', ...others].filter(Boolean).join('; ');
  };
  if (os === 'darwin') return combine('brew', /^brew install (?!--cask)(.+)$/, 'brew install');
  if (os === 'win32') return tools.map((t) => `${t}: ${INSTALL[t].windows}`).join('; ');
  return combine('apt', /^sudo apt-get install (.+)$/, `${sudo}apt-get install -y --no-install-recommends`);
}

export class ToolMissingError extends Error {
  /** `message` replaces the default text when the situation needs its own words (e.g. a missing arduino-cli core). */
  constructor(readonly tool: ToolName, detail?: string, message?: string) {
    super(message ?? `${tool === 'newlib' ? 'the newlib C library for arm-none-eabi' : tool} is not installed${detail ? ` (${detail})` : ''}. Install it — ${installHint(tool)}`);
    this.name = 'ToolMissingError';
  }
}

/** Explicit paths (settings `bnnStudio.tools.<name>`, CLI environment) win over PATH. */
export type ToolPaths = Partial<Record<string, string>>;

export function findExecutable(name: string, explicit?: string): string | undefined {
  if (explicit) return existsSync(explicit) ? explicit : undefined;
  const exts = process.platform === 'win32' ? ['.exe', '.cmd', ''] : [''];
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const p = path.join(dir, name + ext);
      if (existsSync(p)) return p;
    }
  }
  return undefined;
}

export function requireExecutable(name: Exclude<ToolName, 'newlib'>, paths: ToolPaths = {}): string {
  const explicit = paths[name];
  const found = findExecutable(name, explicit);
  if (!found) throw new ToolMissingError(name, explicit ? `${explicit} does not exist` : 'not found on PATH');
  return found;
}

export interface RunResult {
  stdout: string;
  stderr: string;
}

/** Runs a tool to completion; the error names the tool and carries its stderr. */
export function runTool(file: string, args: string[], opts: { cwd?: string; signal?: AbortSignal; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd: opts.cwd, signal: opts.signal, timeout: opts.timeoutMs ?? 120_000, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) {
        const e = err as NodeJS.ErrnoException & { killed?: boolean };
        if (e.name === 'AbortError') { reject(Object.assign(new Error(`${path.basename(file)} cancelled`), { name: 'AbortError' })); return; }
        reject(new Error(`${path.basename(file)} failed${e.code !== undefined ? ` (${e.code})` : ''}:\n${(stderr || stdout || e.message).trim()}`));
        return;
      }
      resolve({ stdout, stderr });
    });
  });
}

export type Os = 'linux' | 'darwin' | 'win32';

export function currentOs(): Os {
  return process.platform === 'darwin' || process.platform === 'win32' ? process.platform : 'linux';
}

function isExecutable(p: string, os: Os): boolean {
  try {
    if (!statSync(p).isFile()) return false;
    if (os !== 'win32') accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface FindToolOptions {
  /** The value of bnnStudio.tools.<name>, if set. */
  configured?: string;
  env?: NodeJS.ProcessEnv;
  os?: Os;
}

/**
 * Like findExecutable, but strict about a configured path (one that is not an executable file is an error, not a
 * silent fall-back to PATH) and testable with another PATH and OS.
 */
export function findTool(tool: ToolName, opts: FindToolOptions = {}): string | undefined {
  const os = opts.os ?? currentOs();
  if (opts.configured) {
    if (isExecutable(opts.configured, os)) return opts.configured;
    throw new ToolMissingError(tool, undefined, `The setting bnnStudio.tools.${tool} is "${opts.configured}", which is not an executable file. ` +
      `Fix the path or clear the setting to search PATH.`);
  }
  const env = opts.env ?? process.env;
  const dirs = (env.PATH ?? env.Path ?? '').split(os === 'win32' ? ';' : ':').filter(Boolean);
  const exts = os === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';').map((e) => e.toLowerCase()) : [''];
  for (const d of dirs) {
    for (const e of exts) {
      const p = path.join(d, tool + e);
      if (isExecutable(p, os)) return p;
    }
  }
  return undefined;
}

/** findTool, or a ToolMissingError saying what the tool is needed for and how to install it on this OS. */
export function requireTool(tool: ToolName, purpose: string, opts: FindToolOptions = {}): string {
  const found = findTool(tool, opts);
  if (found) return found;
  const os = opts.os ?? currentOs();
  throw new ToolMissingError(tool, undefined, `${tool} is needed ${purpose} but was not found on PATH. Install it — ${installHint(tool, os)}. ` +
    `Or set bnnStudio.tools.${tool} to its full path.`);
}
