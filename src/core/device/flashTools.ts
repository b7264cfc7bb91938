/**
 * Finding the external tools a flash needs (settings `bnnStudio.tools.<name>` first, then PATH) and, when one is
 * missing, a message that names what to install and how on this OS — never a stack trace.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export type ToolName = 'arm-none-eabi-gcc' | 'arm-none-eabi-objcopy' | 'arm-none-eabi-size' | 'openocd' | 'st-flash' | 'arduino-cli';
export type Os = 'linux' | 'darwin' | 'win32';

const INSTALL: Record<ToolName, Record<Os, string>> = {
  'arm-none-eabi-gcc': {
    linux: 'sudo apt install gcc-arm-none-eabi libnewlib-arm-none-eabi (Fedora: sudo dnf install arm-none-eabi-gcc-cs arm-none-eabi-newlib)',
    darwin: 'brew install --cask gcc-arm-embedded',
    win32: 'winget install Arm.GnuArmEmbeddedToolchain (or the Arm GNU Toolchain installer from developer.arm.com, with "Add path to environment variable" ticked)',
  },
  'arm-none-eabi-objcopy': { linux: '', darwin: '', win32: '' },
  'arm-none-eabi-size': { linux: '', darwin: '', win32: '' },
  openocd: {
    linux: 'sudo apt install openocd',
    darwin: 'brew install open-ocd',
    win32: 'download xPack OpenOCD from github.com/xpack-dev-tools/openocd-xpack/releases and add its bin folder to PATH (or set bnnStudio.tools.openocd)',
  },
  'st-flash': {
    linux: 'sudo apt install stlink-tools',
    darwin: 'brew install stlink',
    win32: 'download stlink from github.com/stlink-org/stlink/releases and add its bin folder to PATH (or set bnnStudio.tools.st-flash)',
  },
  'arduino-cli': {
    linux: 'curl -fsSL https://raw.githubusercontent.com/arduino/arduino-cli/master/install.sh | sh  (puts arduino-cli in ./bin; move it onto PATH)',
    darwin: 'brew install arduino-cli',
    win32: 'winget install ArduinoSA.CLI',
  },
};
// objcopy and size ship with gcc: the same package installs them.
INSTALL['arm-none-eabi-objcopy'] = INSTALL['arm-none-eabi-gcc'];
INSTALL['arm-none-eabi-size'] = INSTALL['arm-none-eabi-gcc'];

export function installHint(tool: ToolName, os: Os = currentOs()): string {
  return INSTALL[tool][os];
}

export function currentOs(): Os {
  return process.platform === 'darwin' || process.platform === 'win32' ? process.platform : 'linux';
}

export class ToolMissingError extends Error {
  constructor(readonly tool: string, message: string) {
    super(message);
    this.name = 'ToolMissingError';
  }
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

/** Absolute path of the tool, or undefined. A configured path that does not exist is an error, not a fallback. */
export function findTool(tool: string, opts: FindToolOptions = {}): string | undefined {
  const os = opts.os ?? currentOs();
  if (opts.configured) {
    if (isExecutable(opts.configured, os)) return opts.configured;
    throw new ToolMissingError(tool, `The setting bnnStudio.tools.${tool} is "${opts.configured}", which is not an executable file. ` +
      `Fix the path or clear the setting to search PATH.`);
  }
  const env = opts.env ?? process.env;
  const dirs = (env.PATH ?? env.Path ?? '').split(os === 'win32' ? ';' : delimiter).filter(Boolean);
  const exts = os === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';').map((e) => e.toLowerCase()) : [''];
  for (const d of dirs) {
    for (const e of exts) {
      const p = join(d, tool + e);
      if (isExecutable(p, os)) return p;
    }
  }
  return undefined;
}

/** Like findTool, but a missing tool throws ToolMissingError with the install command for this OS. */
export function requireTool(tool: ToolName, purpose: string, opts: FindToolOptions = {}): string {
  const found = findTool(tool, opts);
  if (found) return found;
  const os = opts.os ?? currentOs();
  throw new ToolMissingError(tool, `${tool} is needed ${purpose} but was not found on PATH. Install it: ${INSTALL[tool][os]}. ` +
    `Or set bnnStudio.tools.${tool} to its full path.`);
}
