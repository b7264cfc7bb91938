import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { toolPathsFromEnv } from '../../../src/cli/commands/flash';
import { describeConnected, detectBoards } from '../../../src/core/device/detect';

const root = path.join(__dirname, '..', '..', '..');
const bnn = (...args: string[]) => spawnSync(process.execPath, [path.join(root, 'bin', 'bnn.js'), ...args], { cwd: root, encoding: 'utf8' });

describe('bnn flash / bnn boards (built bundle)', function () {
  this.timeout(30_000);

  it('bad invocations get a clear message and exit code, never a stack trace', () => {
    const cases: [string[], number, RegExp][] = [
      [['flash'], 2, /give exactly one experiment/],
      [['flash', 'x'], 2, /--board is required \(one of nano33ble, nucleo-f401re, nucleo-f411re, nucleo-f446re\); 'bnn boards' shows what is connected/],
      [['flash', 'x', '--board', 'esp32'], 2, /unknown board 'esp32'/],
      [['flash', 'x', '--board', 'qemu-stm32'], 1, /is emulated: use 'bnn bench x --board qemu-stm32'/],
      [['flash', 'x', '--board', 'nucleo-f401re', '--method', 'jlink'], 2, /--method must be one of openocd, st-flash, mass-storage, stm32-serial-bootloader/],
      [['flash', 'no-such-exp', '--board', 'nucleo-f401re', '--dir', root], 1, /no experiment 'no-such-exp'/],
      [['bench', 'x', '--board', 'nano33ble'], 2, /give the board's serial port with --port/],
    ];
    for (const [args, code, re] of cases) {
      const r = bnn(...args);
      assert.equal(r.status, code, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, re);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    }
  });

  it('bnn boards lists the table and a "connected now" section', () => {
    const r = bnn('boards');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /nucleo-f446re\s+STM32 Nucleo-F446RE/);
    assert.match(r.stdout, /connected now:\n/);
  });

  it('describes connected boards, ambiguous Nucleos included', () => {
    const lines = describeConnected(detectBoards([
      { path: '/dev/ttyACM0', manufacturer: 'STMicroelectronics', serialNumber: '0671FF48', vendorId: '0483', productId: '374b' },
      { path: '/dev/ttyACM1', manufacturer: 'Arduino', vendorId: '2341', productId: '005a' },
    ]));
    assert.match(lines[0], /\/dev\/ttyACM0\s+0483:374b\s+nucleo-f401re \| nucleo-f411re \| nucleo-f446re \(same ST-Link on all: choose with --board\)\s+\[STMicroelectronics, S\/N 0671FF48\]/);
    assert.match(lines[1], /\/dev\/ttyACM1\s+2341:005a\s+nano33ble — in bootloader/);
    assert.match(describeConnected([])[0], /none/);
  });

  it('tool paths for the CLI come from BNN_TOOL_<NAME>', () => {
    assert.deepEqual(toolPathsFromEnv({ BNN_TOOL_OPENOCD: '/opt/oo/openocd', BNN_TOOL_ST_FLASH: '/x/st-flash', BNN_TOOL_ARDUINO_CLI: '', PATH: '/bin' }),
      { openocd: '/opt/oo/openocd', 'st-flash': '/x/st-flash' });
  });
});
