/**
 * Arduino Nano 33 BLE: build the generated sketch with arduino-cli (core arduino:mbed_nano, which brings Arduino's own
 * bossac — Debian's bossac cannot program the nRF52840), then upload: our own 1200-baud touch, follow the board to its
 * bootloader port, run bossac on that port, and follow the board back to its (possibly renamed) sketch port.
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
// serialport (a native module) loads on use, not with the extension host.
const serialport = (): Promise<typeof import('serialport')> => import('serialport');
import { requireTool, ToolMissingError, currentOs, Os } from '../tools';
import { runTool, formatCommandLine } from '../runTool';
import { enterBootloader, waitForSketchPort, ListPorts, TouchPort } from '../portWatch';
import { listSerialPorts } from '../serialPorts';
import { FlashError, FlashOutcome, FlashRequest } from './types';

export const NANO33BLE = { fqbn: 'arduino:mbed_nano:nano33ble', core: 'arduino:mbed_nano', vendorId: '2341', sketchPid: '805a', bootloaderPid: '005a' };

/** --build-path (not --output-dir) keeps the object files, whose symbols give the model's own flash/RAM bytes. */
export function compileArgs(sketchDir: string, buildDir: string, fqbn = NANO33BLE.fqbn): string[] {
  return ['compile', '--fqbn', fqbn, '--warnings', 'default', '--build-path', buildDir, sketchDir];
}

/** Arduino's upload recipe for mbed_nano (platform.txt), plus -v so bossac reads the flash back. */
export function bossacArgs(port: string, bin: string, os: Os = currentOs()): string[] {
  // bossac takes the device file name without /dev/ on Linux/macOS (Arduino passes {serial.port.file}).
  const portFile = os === 'win32' ? port : basename(port);
  return ['-d', `--port=${portFile}`, '-U', '-i', '-e', '-w', '-v', bin, '-R'];
}

export function uploadFallbackArgs(sketchDir: string, inputDir: string, port: string, fqbn = NANO33BLE.fqbn): string[] {
  return ['upload', '--fqbn', fqbn, '--port', port, '--input-dir', inputDir, '--verify', sketchDir];
}

/** Installed platforms from `arduino-cli core list --format json` (1.x: {platforms:[…]}; 0.x: an array). */
export function installedCores(json: string): { id: string; version?: string }[] {
  let data: unknown;
  try { data = JSON.parse(json); } catch { return []; }
  const list = Array.isArray(data) ? data : (data as { platforms?: unknown[] })?.platforms ?? [];
  return (list as Record<string, unknown>[]).map((p) => ({
    id: String(p.id ?? ''),
    version: (p.installed_version ?? p.installed) as string | undefined,
  })).filter((p) => p.id);
}

/** directories.data from `arduino-cli config dump --format json` (1.x nests under "config"). */
export function arduinoDataDir(json: string): string | undefined {
  try {
    const d = JSON.parse(json) as { config?: { directories?: { data?: string } }; directories?: { data?: string } };
    return d.config?.directories?.data ?? d.directories?.data;
  } catch {
    return undefined;
  }
}

/** Arduino's bossac inside the data dir (packages/arduino/tools/bossac/<version>/bossac), newest version first. */
export function findArduinoBossac(dataDir: string, os: Os = currentOs()): string | undefined {
  const base = join(dataDir, 'packages', 'arduino', 'tools', 'bossac');
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base).sort().reverse();
  for (const v of versions) {
    const p = join(base, v, os === 'win32' ? 'bossac.exe' : 'bossac');
    if (existsSync(p)) return p;
  }
  return undefined;
}

export async function checkArduinoCli(req: Pick<FlashRequest, 'tools' | 'signal' | 'log'>): Promise<string> {
  const cli = requireTool('arduino-cli', 'to build and upload the Arduino Nano 33 BLE sketch', { configured: req.tools?.['arduino-cli'] });
  const r = await runTool(cli, ['core', 'list', '--format', 'json'], { signal: req.signal, timeoutMs: 60_000 });
  if (!installedCores(r.output).some((c) => c.id === NANO33BLE.core)) {
    throw new ToolMissingError('arduino-cli', 'the arduino:mbed_nano core is missing', `arduino-cli is installed, but not the core for the Nano 33 BLE. Install it: ` +
      `arduino-cli core update-index && arduino-cli core install ${NANO33BLE.core}`);
  }
  return cli;
}

export async function buildSketch(req: Pick<FlashRequest, 'tools' | 'signal' | 'log'>, sketchDir: string, outDir: string): Promise<{ bin: string; elf: string }> {
  const cli = await checkArduinoCli(req);
  const args = compileArgs(sketchDir, outDir);
  const r = await runTool(cli, args, { signal: req.signal, log: req.log, timeoutMs: 600_000 });
  if (r.code !== 0) throw new FlashError(`arduino-cli compile failed (exit ${r.code}); see the log. Command: ${formatCommandLine(cli, args)}`, 'arduino-cli');
  const bin = join(outDir, `${basename(sketchDir)}.ino.bin`);
  if (!existsSync(bin)) throw new FlashError(`arduino-cli compile did not produce ${bin}`, 'arduino-cli');
  return { bin, elf: join(outDir, `${basename(sketchDir)}.ino.elf`) };
}

/** The 1200-baud touch: open at 1200 baud and close with DTR low; the board's USB stack then reboots it. */
export const touch1200: TouchPort = async (path) => {
  const { SerialPort } = await serialport();
  const port = new SerialPort({ path, baudRate: 1200, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
  await new Promise<void>((resolve) => port.set({ dtr: false }, () => resolve()));
  await new Promise<void>((resolve) => port.close(() => resolve()));
};

export interface ArduinoDeps {
  list?: ListPorts;
  touch?: TouchPort;
  run?: typeof runTool;
  os?: Os;
}

/** Uploads `bin` (from buildSketch) and returns the sketch's serial port after the board re-enumerated. */
export async function uploadToNano(req: FlashRequest, sketchDir: string, buildDir: string, deps: ArduinoDeps = {}): Promise<FlashOutcome> {
  if (!req.port) throw new FlashError('The Nano 33 BLE upload needs its serial port (--port, or pick the board in the list)', 'arduino-cli');
  const list = deps.list ?? listSerialPorts;
  const run = deps.run ?? runTool;
  const os = deps.os ?? currentOs();
  const cli = await checkArduinoCli(req);
  const cfg = await run(cli, ['config', 'dump', '--format', 'json'], { signal: req.signal, timeoutMs: 60_000 });
  const dataDir = arduinoDataDir(cfg.output);
  const bossac = dataDir ? findArduinoBossac(dataDir, os) : undefined;

  req.onProgress?.('Resetting the board into its bootloader (1200-baud touch)…');
  const boot = await enterBootloader(list, deps.touch ?? touch1200, req.port, NANO33BLE, { signal: req.signal, timeoutMs: 10_000 });
  req.log?.(`bootloader on ${boot.path}${boot.path !== req.port ? ` (was ${req.port})` : ''}`);
  const whileInBootloader = await list();

  req.onProgress?.('Uploading with bossac…');
  let r;
  let how: string;
  if (bossac) {
    const args = bossacArgs(boot.path, req.bin, os);
    r = await run(bossac, args, { signal: req.signal, log: req.log, timeoutMs: 180_000 });
    how = 'bossac read the flash back (-v)';
    if (r.code !== 0 || /verify failed|mismatch/i.test(r.output)) {
      throw new FlashError(`bossac failed (exit ${r.code}): ${r.output.trim().split(/\r?\n/).pop() ?? ''}. Command: ${formatCommandLine(bossac, args)}`, 'arduino-cli');
    }
  } else {
    const args = uploadFallbackArgs(sketchDir, buildDir, boot.path);
    r = await run(cli, args, { signal: req.signal, log: req.log, timeoutMs: 180_000 });
    how = 'arduino-cli upload --verify';
    if (r.code !== 0) throw new FlashError(`arduino-cli upload failed (exit ${r.code}); see the log. Command: ${formatCommandLine(cli, args)}`, 'arduino-cli');
  }
  req.onProgress?.('Waiting for the board to come back…');
  const back = await waitForSketchPort(list, whileInBootloader, NANO33BLE, { signal: req.signal, timeoutMs: 15_000 });
  req.log?.(`sketch running on ${back.path}`);
  return { method: 'arduino-cli', verified: true, verifiedHow: how, port: back.path };
}
