import { strict as assert } from 'node:assert';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBoard, BoardInfo } from '../../../src/core/boards';
import { findTool, requireTool as requireExternalTool, ToolMissingError, installHint } from '../../../src/core/device/tools';
import { openocdArgs, flashWithOpenocd, explainOpenocdFailure } from '../../../src/core/device/flashers/openocd';
import { stflashArgs, flashWithStflash } from '../../../src/core/device/flashers/stflash';
import { findNucleoDrives, flashWithMassStorage } from '../../../src/core/device/flashers/massStorage';
import { chooseFlashMethod } from '../../../src/core/device/flashers/index';
import { FlashError } from '../../../src/core/device/flashers/types';
import { compileArgs, bossacArgs, installedCores, arduinoDataDir, findArduinoBossac, uploadToNano, checkArduinoCli } from '../../../src/core/device/flashers/arduino';
import { runTool } from '../../../src/core/device/runTool';
import { requireTool } from '../../support/tools';

const fixtures = join(__dirname, '..', '..', 'fixtures', 'tools');
const board = (id: string): BoardInfo => findBoard(id)!;

/** A stand-in executable that records its arguments and prints a recorded session of the real tool. */
function fakeTool(dir: string, name: string, outputFile: string | undefined, exitCode = 0): { path: string; args: () => string[] } {
  const path = join(dir, name);
  const argsFile = join(dir, `${name}.args`);
  writeFileSync(path, `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a"; done > '${argsFile}'\n${outputFile ? `cat '${outputFile}'\n` : ''}exit ${exitCode}\n`);
  chmodSync(path, 0o755);
  return { path, args: () => readFileSync(argsFile, 'utf8').trimEnd().split('\n') };
}

describe('tool discovery and install messages', () => {
  it('finds a tool on PATH, prefers the configured path, and rejects a configured path that is not a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bnn-tools-'));
    const t = fakeTool(dir, 'openocd', undefined);
    assert.equal(findTool('openocd', { env: { PATH: `/nonexistent:${dir}` }, os: 'linux' }), t.path);
    assert.equal(findTool('openocd', { env: { PATH: '/nonexistent' }, os: 'linux' }), undefined);
    assert.equal(findTool('openocd', { configured: t.path, env: { PATH: '' } }), t.path);
    assert.throws(() => findTool('openocd', { configured: '/opt/nowhere/openocd' }),
      /bnnStudio\.tools\.openocd is "\/opt\/nowhere\/openocd", which is not an executable file/);
  });

  it('a missing tool names what to install and how, for each OS', () => {
    const cases: [Parameters<typeof installHint>[0], 'linux' | 'darwin' | 'win32', RegExp][] = [
      ['openocd', 'linux', /sudo apt-get install openocd/], ['openocd', 'darwin', /brew install open-ocd/], ['openocd', 'win32', /xPack OpenOCD/],
      ['st-flash', 'linux', /apt-get install stlink-tools/], ['st-flash', 'darwin', /brew install stlink/],
      ['arduino-cli', 'darwin', /brew install arduino-cli/], ['arduino-cli', 'win32', /winget install ArduinoSA\.CLI/],
      ['arm-none-eabi-gcc', 'linux', /gcc-arm-none-eabi libnewlib-arm-none-eabi/], ['arm-none-eabi-gcc', 'darwin', /gcc-arm-embedded/],
    ];
    for (const [tool, os, re] of cases) {
      assert.throws(() => requireExternalTool(tool, 'for the test', { env: { PATH: '' }, os }), (e: Error) => {
        assert.ok(e instanceof ToolMissingError);
        assert.match(e.message, re);
        assert.match(e.message, new RegExp(`bnnStudio\\.tools\\.${tool}`));
        assert.doesNotMatch(e.message, /\n\s+at /);
        return true;
      });
    }
  });
});

describe('OpenOCD and st-flash invocations', () => {
  it('recorded command lines', () => {
    assert.deepEqual(openocdArgs('/home/dev/proj/.bnn/build/fw.elf'),
      ['-f', 'interface/stlink.cfg', '-f', 'target/stm32f4x.cfg', '-c', 'program {/home/dev/proj/.bnn/build/fw.elf} verify reset exit']);
    // Windows: Tcl would read backslashes as escapes, and the space would split the path without braces.
    assert.equal(openocdArgs('C:\\Users\\Dev Name\\fw.elf')[5], 'program {C:/Users/Dev Name/fw.elf} verify reset exit');
    assert.deepEqual(stflashArgs('/tmp/fw.bin'), ['--reset', 'write', '/tmp/fw.bin', '0x8000000']);
  });

  it('a successful session (recorded output) is accepted as verified; the exact arguments reach the tool', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bnn-flash-'));
    const oo = fakeTool(dir, 'openocd', join(fixtures, 'openocd-nucleo-f401re-success.txt'));
    const sf = fakeTool(dir, 'st-flash', join(fixtures, 'st-flash-nucleo-f401re-success.txt'));
    const log: string[] = [];
    const r1 = await flashWithOpenocd({ board: board('nucleo-f401re'), elf: '/x/fw.elf', bin: '/x/fw.bin', tools: { openocd: oo.path }, log: (l) => log.push(l) });
    assert.equal(r1.verified, true);
    assert.deepEqual(oo.args(), ['-f', 'interface/stlink.cfg', '-f', 'target/stm32f4x.cfg', '-c', 'program {/x/fw.elf} verify reset exit']);
    assert.ok(log.some((l) => l.startsWith('$ ') && l.includes('"program {/x/fw.elf} verify reset exit"')));
    assert.ok(log.includes('** Verified OK **'));
    const r2 = await flashWithStflash({ board: board('nucleo-f401re'), bin: '/x/fw.bin', tools: { 'st-flash': sf.path } });
    assert.equal(r2.verified, true);
    assert.deepEqual(sf.args(), ['--reset', 'write', '/x/fw.bin', '0x8000000']);
  });

  it('exit 0 without "Verified OK" is not a success', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bnn-flash-'));
    writeFileSync(join(dir, 'out.txt'), '** Programming Started **\n** Programming Finished **\n');
    const oo = fakeTool(dir, 'openocd', join(dir, 'out.txt'));
    await assert.rejects(flashWithOpenocd({ board: board('nucleo-f401re'), elf: '/x/fw.elf', bin: '/x/fw.bin', tools: { openocd: oo.path } }), FlashError);
  });

  it('explains the usual OpenOCD failures', () => {
    assert.match(explainOpenocdFailure('Error: libusb_open() failed with LIBUSB_ERROR_ACCESS'), /udev rules/);
    assert.match(explainOpenocdFailure("Can't find target/stm32f4x.cfg"), /OpenOCD 0\.11 or newer/);
    assert.match(explainOpenocdFailure('Error: init mode failed (unable to connect to the target)'), /jumpers/);
  });
});

describe('the real OpenOCD and st-flash with no board attached', function () {
  this.timeout(30000);
  before(function () {
    requireTool(this, 'openocd', 'apt-get install openocd');
    requireTool(this, 'st-flash', 'apt-get install stlink-tools');
  });

  it('openocd --version is one we support, and our command line gets as far as looking for the ST-Link', async () => {
    const v = await runTool('openocd', ['--version']);
    assert.match(v.output, /Open On-Chip Debugger (0\.1[1-9]|[1-9]\.)/);
    const dir = mkdtempSync(join(tmpdir(), 'bnn-flash-'));
    writeFileSync(join(dir, 'fw.elf'), '\x7fELF');
    await assert.rejects(flashWithOpenocd({ board: board('nucleo-f401re'), elf: join(dir, 'fw.elf'), bin: '', tools: {} }), (e: Error) => {
      assert.ok(e instanceof FlashError);
      // The config files were found (no "Can't find"), the transport started, and the missing probe is explained.
      assert.match(e.message, /OpenOCD failed \(exit 1\): no ST-Link found: is the Nucleo plugged in/);
      return true;
    });
  });

  it('st-flash --version, its usage text has the write form we use, and no board gives a clear message', async () => {
    assert.match((await runTool('st-flash', ['--version'])).output, /v?1\.\d+\.\d+/);
    const usage = (await runTool('st-flash', [])).output;
    assert.match(usage, /\[--reset\].*\{read\|write\} \[path\] \[addr\]/);
    const dir = mkdtempSync(join(tmpdir(), 'bnn-flash-'));
    writeFileSync(join(dir, 'fw.bin'), Buffer.alloc(64));
    await assert.rejects(flashWithStflash({ board: board('nucleo-f401re'), bin: join(dir, 'fw.bin'), tools: {} }),
      /st-flash failed \(exit \d+\): no ST-Link found/);
  });
});

describe('NUCLEO mass-storage drive', () => {
  function drive(root: string, label: string, board: string): string {
    const d = join(root, label);
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'MBED.HTM'), `<meta http-equiv="refresh" content="0; URL=http://mbed.org/device/?code=0720"/>`);
    writeFileSync(join(d, 'DETAILS.TXT'), `Version: 0221\nBuild:   Jan 11 2019 16:37:19\nBoard: ${board}\n`);
    return d;
  }

  it('finds NODE_xxx drives under /media/<user> (Linux) and /Volumes (macOS) and matches the chip', async () => {
    const fake = mkdtempSync(join(tmpdir(), 'bnn-media-'));
    // The real fs, with the OS mount roots mapped into the temp dir.
    const fs = {
      readdir: async (d: string) => (await import('node:fs/promises')).readdir(join(fake, d)),
      readFile: async (f: string) => readFileSync(join(fake, f), 'utf8'),
      exists: async (p: string) => existsSync(join(fake, p)),
    };
    drive(join(fake, 'media', 'dev'), 'NODE_F401RE', 'NUCLEO-F401RE');
    mkdirSync(join(fake, 'media', 'dev', 'USB_STICK'), { recursive: true });
    drive(join(fake, 'Volumes'), 'NODE_F446RE', 'NUCLEO-F446RE');
    const linux = await findNucleoDrives({ os: 'linux', user: 'dev', fs });
    assert.deepEqual(linux.map((d) => [d.root, d.label, d.board]), [['/media/dev/NODE_F401RE', 'NODE_F401RE', 'NUCLEO-F401RE']]);
    assert.equal((await findNucleoDrives({ os: 'linux', user: 'dev', fs, chip: 'F411RE' })).length, 0);
    const mac = await findNucleoDrives({ os: 'darwin', fs, chip: 'F446RE' });
    assert.deepEqual(mac.map((d) => d.root), ['/Volumes/NODE_F446RE']);
  });

  it('copies the .bin onto the drive and succeeds when it re-mounts without FAIL.TXT', async () => {
    const vol = mkdtempSync(join(tmpdir(), 'bnn-media-'));
    const d = drive(vol, 'NODE_F411RE', 'NUCLEO-F411RE');
    const bin = join(vol, 'fw.bin');
    writeFileSync(bin, Buffer.from([1, 2, 3, 4]));
    // The ST-Link takes the file, disappears while programming, then re-mounts.
    let step = 0;
    const sleep = async (): Promise<void> => {
      step++;
      if (step === 1) assert.deepEqual([...readFileSync(join(d, 'fw.bin'))], [1, 2, 3, 4]);
      if (step === 1) renameSync(join(d, 'MBED.HTM'), join(d, 'gone'));
      if (step === 3) renameSync(join(d, 'gone'), join(d, 'MBED.HTM'));
    };
    const r = await flashWithMassStorage({ board: board('nucleo-f411re'), bin }, { roots: [vol], sleep, timeoutMs: 5000 });
    assert.equal(r.method, 'mass-storage');
    assert.equal(r.verified, false);
    assert.match(r.verifiedHow, /NODE_F411RE; the ST-Link re-mounted without FAIL\.TXT/);
  });

  it('reports FAIL.TXT, and a missing drive says where it looked', async () => {
    const vol = mkdtempSync(join(tmpdir(), 'bnn-media-'));
    const d = drive(vol, 'NODE_F411RE', 'NUCLEO-F411RE');
    const bin = join(vol, 'fw.bin');
    writeFileSync(bin, Buffer.from([1, 2, 3, 4]));
    const sleep = async (): Promise<void> => { writeFileSync(join(d, 'FAIL.TXT'), 'The interface firmware FAILED to reset/halt the target MCU\r\n'); };
    await assert.rejects(flashWithMassStorage({ board: board('nucleo-f411re'), bin }, { roots: [vol], sleep, timeoutMs: 5000 }),
      /ST-Link reported a failed copy in FAIL\.TXT: The interface firmware FAILED to reset\/halt the target MCU/);
    const empty = mkdtempSync(join(tmpdir(), 'bnn-media-'));
    await assert.rejects(flashWithMassStorage({ board: board('nucleo-f401re'), bin }, { roots: [empty], os: 'linux' }),
      /No NODE_F401RE drive is mounted \(looked in \/media\/\$USER or \/run\/media\/\$USER\)/);
  });
});

describe('choosing the flash method', () => {
  const none = { openocd: false, 'st-flash': false, nucleoDrive: false, 'arduino-cli': false };
  it('prefers a verifying debugger tool, then the drive, then the serial bootloader', () => {
    const b = board('nucleo-f401re');
    assert.equal(chooseFlashMethod(b, { ...none, openocd: true, 'st-flash': true }), 'openocd');
    assert.equal(chooseFlashMethod(b, { ...none, 'st-flash': true, nucleoDrive: true }), 'st-flash');
    assert.equal(chooseFlashMethod(b, { ...none, nucleoDrive: true }), 'mass-storage');
    assert.equal(chooseFlashMethod(b, none, { port: '/dev/ttyACM0' }), 'stm32-serial-bootloader');
    assert.throws(() => chooseFlashMethod(b, none, { os: 'linux' }), /Nothing to flash the STM32 Nucleo-F401RE with: install OpenOCD \(Debian\/Ubuntu: sudo apt-get install openocd/);
    assert.throws(() => chooseFlashMethod(b, none, { preferred: 'arduino-cli' }), /cannot be flashed with arduino-cli/);
  });
  it('the Nano needs arduino-cli and says how to get it with its core', () => {
    assert.equal(chooseFlashMethod(board('nano33ble'), { ...none, 'arduino-cli': true }), 'arduino-cli');
    assert.throws(() => chooseFlashMethod(board('nano33ble'), none, { os: 'darwin' }), /macOS: brew install arduino-cli, then: arduino-cli core install arduino:mbed_nano/);
  });
});

describe('arduino-cli and bossac for the Nano 33 BLE', () => {
  it('recorded command lines', () => {
    assert.deepEqual(compileArgs('/w/.bnn/sketch/bnn_nano', '/w/.bnn/sketch/build'),
      ['compile', '--fqbn', 'arduino:mbed_nano:nano33ble', '--warnings', 'default', '--build-path', '/w/.bnn/sketch/build', '/w/.bnn/sketch/bnn_nano']);
    assert.deepEqual(bossacArgs('/dev/ttyACM1', '/b/bnn_nano.ino.bin', 'linux'), ['-d', '--port=ttyACM1', '-U', '-i', '-e', '-w', '-v', '/b/bnn_nano.ino.bin', '-R']);
    assert.equal(bossacArgs('COM6', 'x.bin', 'win32')[1], '--port=COM6');
  });

  it('reads installed cores and the data dir from both arduino-cli JSON generations', () => {
    assert.deepEqual(installedCores(readFileSync(join(fixtures, 'arduino-cli-core-list-1x.json'), 'utf8')).map((c) => c.id), ['arduino:avr', 'arduino:mbed_nano']);
    assert.deepEqual(installedCores(readFileSync(join(fixtures, 'arduino-cli-core-list-0x.json'), 'utf8')).map((c) => c.id), ['arduino:avr']);
    assert.deepEqual(installedCores('not json'), []);
    assert.equal(arduinoDataDir(readFileSync(join(fixtures, 'arduino-cli-config-dump-1x.json'), 'utf8')), '/home/dev/.arduino15');
  });

  it('arduino-cli without the mbed_nano core: says exactly which core to install', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bnn-ard-'));
    const cli = fakeTool(dir, 'arduino-cli', join(fixtures, 'arduino-cli-core-list-0x.json'));
    await assert.rejects(checkArduinoCli({ tools: { 'arduino-cli': cli.path } }),
      /not the core for the Nano 33 BLE.*arduino-cli core update-index && arduino-cli core install arduino:mbed_nano/);
  });

  it('upload: touch, bossac from Arduino\'s data dir on the bootloader port, then the sketch port under its new name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bnn-ard-'));
    const data = join(dir, 'arduino15');
    const bossacDir = join(data, 'packages', 'arduino', 'tools', 'bossac', '1.9.1-arduino2');
    mkdirSync(bossacDir, { recursive: true });
    const bossac = fakeTool(bossacDir, 'bossac', undefined);
    assert.equal(findArduinoBossac(data, 'linux'), bossac.path);
    const cli = fakeTool(dir, 'arduino-cli', join(fixtures, 'arduino-cli-core-list-1x.json'));
    const calls: string[][] = [];
    const run: typeof runTool = async (cmd, args, opts) => {
      calls.push([cmd, ...args]);
      if (args[0] === 'config') return { code: 0, output: JSON.stringify({ config: { directories: { data } } }) };
      return runTool(cmd, args, opts);
    };
    const lists = [
      [{ path: '/dev/ttyACM0', vendorId: '2341', productId: '805a' }],
      [],
      [{ path: '/dev/ttyACM1', vendorId: '2341', productId: '005a' }],
      [{ path: '/dev/ttyACM1', vendorId: '2341', productId: '005a' }],
      [],
      [{ path: '/dev/ttyACM2', vendorId: '2341', productId: '805a' }],
    ];
    let i = 0;
    const touched: string[] = [];
    const out = await uploadToNano({ board: board('nano33ble'), bin: '/b/bnn_nano.ino.bin', port: '/dev/ttyACM0', tools: { 'arduino-cli': cli.path } }, '/s/bnn_nano', '/b',
      { list: async () => lists[Math.min(i++, lists.length - 1)], touch: async (p) => { touched.push(p); }, run, os: 'linux' });
    assert.deepEqual(touched, ['/dev/ttyACM0']);
    assert.deepEqual(bossac.args(), ['-d', '--port=ttyACM1', '-U', '-i', '-e', '-w', '-v', '/b/bnn_nano.ino.bin', '-R']);
    assert.equal(out.port, '/dev/ttyACM2');
    assert.equal(out.verified, true);
    assert.ok(calls.some((c) => c[0] === bossac.path));
  });
});
