/**
 * The Nucleo-F4 firmware builds -Werror clean for each chip and carries what the host relies on; and the real-board
 * deploy step (ELF → .bin → AN3155 serial flash → verify → Go) runs against the bootloader simulator over a pty.
 * No Nucleo runs here: QEMU has no STM32F401/F411/F446 machine, so the clock trees are checked only statically.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findBoard } from '../../../src/core/boards';
import { buildFirmware, type BuildResult } from '../../../src/core/device/build';
import { realBoardSession } from '../../../src/core/device/realBoard';
import { SerialLink } from '../../../src/core/device/byteLink';
import { Stm32BootloaderSim } from '../../../src/core/device/sim/stm32BootloaderSim';
import { writeSketch, SKETCH_NAME } from '../../../src/core/device/arduinoSketch';
import { openPtyPair } from '../../support/ptyPair';
import { requireTool } from '../../support/tools';

const FIXTURE = path.join(__dirname, '..', '..', 'fixtures', 'tiny-model');

function symbol(elf: string, name: string): { addr: number; size: number } {
  const out = execFileSync('arm-none-eabi-nm', ['-S', elf], { encoding: 'utf8' });
  const line = out.split('\n').find((l) => l.trim().endsWith(` ${name}`));
  assert.ok(line, `symbol ${name} in ${elf}`);
  const [addr, size] = line.trim().split(/\s+/);
  return { addr: parseInt(addr, 16), size: parseInt(size, 16) };
}

describe('Nucleo-F4 firmware (F401RE, F411RE, F446RE)', function () {
  this.timeout(60_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-nucleo-'));
  const built: Record<string, BuildResult> = {};

  before(async function () {
    requireTool(this, 'arm-none-eabi-gcc', 'apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi');
    for (const id of ['nucleo-f401re', 'nucleo-f411re', 'nucleo-f446re']) {
      built[id] = await buildFirmware({ board: id, modelDir: FIXTURE, outDir: path.join(dir, id) });
    }
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const [id, clock, ramKb] of [['nucleo-f401re', 84_000_000, 96], ['nucleo-f411re', 100_000_000, 128], ['nucleo-f446re', 180_000_000, 128]] as const) {
    it(`${id}: -Werror clean, vector table at 0x08000000, stack at the top of its ${ramKb} KB SRAM, HELLO facts for ${clock / 1e6} MHz`, () => {
      const b = built[id];
      assert.ok(b.commandLines.filter((c) => c.includes(' -c ')).every((c) => c.includes('-Werror') && c.includes(`-DNUCLEO_${id.slice(7).toUpperCase()}`)));
      const bin = path.join(dir, `${id}.bin`);
      execFileSync('arm-none-eabi-objcopy', ['-O', 'binary', b.elf, bin]);
      const image = fs.readFileSync(bin);
      assert.equal(image.readUInt32LE(0), 0x2000_0000 + ramKb * 1024, 'initial SP');
      const reset = symbol(b.elf, 'Reset_Handler');
      assert.equal(image.readUInt32LE(4), reset.addr | 1, 'reset vector (Thumb)');
      assert.ok(reset.addr >= 0x0800_0000 && reset.addr < 0x0800_0000 + image.length);
      const clk = symbol(b.elf, 'board_clock_hz');
      assert.equal(image.readUInt32LE(clk.addr - 0x0800_0000), clock);
      const idle = symbol(b.elf, 'board_idle_ticks_per_ms');
      assert.equal(image.readUInt32LE(idle.addr - 0x0800_0000), clock / 1000);
      assert.ok(image.includes(Buffer.from(`${id}\0`)) && image.includes(Buffer.from('DWT cycle counter\0')));
      assert.ok(b.size.flash < 16 * 1024 && b.size.modelFlash === 16);
    });
  }

  it('the USART2 divisor in the code matches each chip\'s APB1 clock (115200 baud)', () => {
    // BRR is a compile-time constant: find the literal stored to 0x40004408 in the disassembly of board_init.
    for (const [id, apb1] of [['nucleo-f401re', 42e6], ['nucleo-f411re', 50e6], ['nucleo-f446re', 45e6]] as const) {
      const dis = execFileSync('arm-none-eabi-objdump', ['-d', '--disassemble=board_init', built[id].elf], { encoding: 'utf8' });
      const brr = Math.round(apb1 / 115200);
      assert.ok(new RegExp(`#${brr}\\b|0x${brr.toString(16)}\\b`, 'i').test(dis) || dis.includes(`.word\t0x${brr.toString(16).padStart(8, '0')}`),
        `${id}: BRR ${brr} (0x${brr.toString(16)}) not found in board_init`);
    }
  });
});

describe('real-board deploy through the STM32 serial bootloader (simulated chip on a pty)', function () {
  this.timeout(60_000);
  before(function () {
    requireTool(this, 'arm-none-eabi-gcc', 'apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi');
    requireTool(this, 'socat', 'apt-get install socat');
  });

  it('builds the F401RE firmware, flashes the .bin with AN3155, verifies it and starts it on the chip', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-deploy-'));
    const pair = await openPtyPair();
    const simLink = await SerialLink.open({ path: pair.a, baudRate: 115200, parity: 'even' });
    const sim = new Stm32BootloaderSim(simLink, { pid: 0x433, initialFlash: Buffer.alloc(64 * 1024, 0x42) });
    void sim.start();
    try {
      const b = await buildFirmware({ board: 'nucleo-f401re', modelDir: FIXTURE, outDir: dir });
      const log: string[] = [];
      const session = realBoardSession({ board: findBoard('nucleo-f401re')!, port: pair.b, method: 'stm32-serial-bootloader', log: (l) => log.push(l) });
      const target = await session.deploy(b);
      assert.equal(target.ptyPath, pair.b);
      const image = fs.readFileSync(path.join(dir, 'fw.bin'));
      assert.ok(sim.flash.subarray(0, image.length).equals(image), 'the chip holds the built image');
      assert.equal(sim.flash[image.length + 16 * 1024], 0x42, 'sectors past the image were not erased');
      assert.equal(sim.goAddress, 0x0800_0000);
      assert.equal(session.outcome()?.verified, true);
      assert.ok(log.some((l) => /bootloader v3\.1, chip STM32F401xD\/E/.test(l)), log.join('\n'));
      assert.ok(log.some((l) => /flashed; read back \d+ bytes with Read Memory/.test(l)));
    } finally {
      await sim.stop();
      await pair.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a Nucleo-F446RE selected but an F401RE in the bootloader: refused before anything is erased', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-deploy-'));
    const pair = await openPtyPair();
    const simLink = await SerialLink.open({ path: pair.a, baudRate: 115200, parity: 'even' });
    const sim = new Stm32BootloaderSim(simLink, { pid: 0x433, initialFlash: Buffer.alloc(1024, 0x42) });
    void sim.start();
    try {
      const b = await buildFirmware({ board: 'nucleo-f446re', modelDir: FIXTURE, outDir: dir });
      const session = realBoardSession({ board: findBoard('nucleo-f446re')!, port: pair.b, method: 'stm32-serial-bootloader' });
      await assert.rejects(session.deploy(b), /connected chip is STM32F401xD\/E, but the selected board has STM32F446xx/);
      assert.equal(sim.flash[0], 0x42);
      assert.ok(!sim.events.some((e) => e.cmd.includes('Erase')));
    } finally {
      await sim.stop();
      await pair.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Arduino Nano 33 BLE sketch', function () {
  this.timeout(30_000);
  it('holds the protocol core and the model, not the bare-metal main(), and the glue compiles as C++ against the Arduino API', function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-sketch-'));
    const sketch = writeSketch(dir, FIXTURE, 64_000_000);
    assert.equal(path.basename(sketch), SKETCH_NAME);
    assert.deepEqual(fs.readdirSync(sketch).sort(), ['bnn_board.h', 'bnn_model.c', 'bnn_model.h', 'bnn_nano.ino', 'bnn_protocol.c', 'bnn_protocol.h']);
    const ino = fs.readFileSync(path.join(sketch, 'bnn_nano.ino'), 'utf8');
    assert.match(ino, /const uint32_t board_clock_hz = 64000000u;/);
    assert.match(ino, /DWT->CYCCNT/);
    requireTool(this, 'arm-none-eabi-g++', 'apt-get install gcc-arm-none-eabi');
    // A minimal stand-in for the parts of Arduino.h/CMSIS the glue uses: checks the glue's C/C++ linkage and types,
    // not the Arduino core itself (arduino-cli and its mbed_nano core are not installed here).
    const shim = path.join(dir, 'shim');
    fs.mkdirSync(shim);
    fs.writeFileSync(path.join(shim, 'Arduino.h'), `#include <stdint.h>
#include <stddef.h>
struct SerialShim { void begin(unsigned long) {} int read() { return -1; } size_t write(const uint8_t *, size_t n) { return n; } };
extern SerialShim Serial;
void yield(void);
struct CoreDebugShim { volatile uint32_t DEMCR; };
struct DwtShim { volatile uint32_t CTRL; volatile uint32_t CYCCNT; };
#define CoreDebug ((CoreDebugShim *)0xE000EDF0u)
#define DWT ((DwtShim *)0xE0001000u)
#define CoreDebug_DEMCR_TRCENA_Msk (1u << 24)
#define DWT_CTRL_CYCCNTENA_Msk (1u << 0)
`);
    const cpp = path.join(dir, 'glue.cpp');
    fs.copyFileSync(path.join(sketch, 'bnn_nano.ino'), cpp);
    execFileSync('arm-none-eabi-g++', ['-mcpu=cortex-m4', '-mthumb', '-std=gnu++17', '-Wall', '-Wextra', '-Werror', '-fsyntax-only', `-I${shim}`, `-I${sketch}`, cpp]);
    for (const c of ['bnn_protocol.c', 'bnn_model.c']) {
      execFileSync('arm-none-eabi-gcc', ['-mcpu=cortex-m4', '-mthumb', '-mfloat-abi=hard', '-mfpu=fpv4-sp-d16', '-std=c99', '-Wall', '-Wextra', '-Werror', '-c', path.join(sketch, c), `-I${sketch}`, '-o', path.join(dir, `${c}.o`)]);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
