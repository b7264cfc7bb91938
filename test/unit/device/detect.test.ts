import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { detectBoards, candidates, autoPick, PortRecord, usbIds } from '../../../src/core/device/detect';

const dir = join(__dirname, '..', '..', 'fixtures', 'ports');
const fixture = (name: string): PortRecord[] => JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as PortRecord[];
const NUCLEOS = ['nucleo-f401re', 'nucleo-f411re', 'nucleo-f446re'];

describe('board detection from recorded serialport port lists', () => {
  it('every recorded list parses', () => {
    for (const f of readdirSync(dir)) assert.ok(Array.isArray(JSON.parse(readFileSync(join(dir, f), 'utf8'))), f);
  });

  for (const [name, port] of [['linux-nucleo-f401re', '/dev/ttyACM0'], ['darwin-nucleo-f446re', '/dev/tty.usbmodem14203'], ['win32-nucleo-f411re', 'COM7']] as const) {
    it(`${name}: the ST-Link VCP matches every Nucleo-F4 (same ST-Link on all), on ${port}`, () => {
      const d = detectBoards(fixture(name));
      assert.equal(d.length, 1);
      assert.equal(d[0].port.path, port);
      assert.deepEqual(d[0].boards.map((b) => b.id), NUCLEOS);
      assert.equal(d[0].vendorId, '0483');
      // Ambiguous without a selected board: the user must pick.
      assert.equal(autoPick(d), undefined);
      assert.equal(autoPick(d, 'nucleo-f446re')?.port, port);
    });
  }

  for (const [name, port] of [['linux-nano33ble', '/dev/ttyACM0'], ['darwin-nano33ble', '/dev/tty.usbmodem14101'], ['win32-nano33ble-no-ids', 'COM5']] as const) {
    it(`${name}: the Nano 33 BLE sketch port is recognised and picked alone`, () => {
      const d = detectBoards(fixture(name));
      assert.deepEqual(d.map((x) => [x.port.path, x.boards.map((b) => b.id), x.inBootloader]), [[port, ['nano33ble'], false]]);
      assert.equal(autoPick(d)?.board.id, 'nano33ble');
    });
  }

  it('Windows without vendorId/productId: the ids come from the PnP id, upper case normalised', () => {
    assert.deepEqual(usbIds(fixture('win32-nano33ble-no-ids')[0]), { vendorId: '2341', productId: '805a' });
    assert.deepEqual(usbIds(fixture('win32-nucleo-f411re')[1]), { vendorId: '0483', productId: '374b' });
    assert.equal(usbIds({ path: 'COM1', pnpId: 'ACPI\\PNP0501\\0' }), undefined);
  });

  it('a Nano 33 BLE sitting in its bootloader (PID 005a) is still found, marked as such', () => {
    const d = detectBoards(fixture('linux-nano33ble-bootloader'));
    assert.equal(d.length, 1);
    assert.equal(d[0].inBootloader, true);
    assert.deepEqual(d[0].boards.map((b) => b.id), ['nano33ble']);
    assert.match(candidates(d)[0].description, /in bootloader/);
  });

  it('several boards and an unrelated FTDI adapter: a quick pick with the selected board first and the emulator last', () => {
    const d = detectBoards(fixture('linux-two-boards-and-ftdi'));
    assert.deepEqual(d.map((x) => x.port.path), ['/dev/ttyACM0', '/dev/ttyACM1']);
    const c = candidates(d, 'nano33ble');
    assert.equal(c[0].board.id, 'nano33ble');
    assert.equal(c[0].port, '/dev/ttyACM1');
    assert.match(c[0].description, /Arduino, S\/N A1B2C3D4E5F60718/);
    assert.equal(c.at(-1)?.board.id, 'qemu-stm32');
    assert.equal(c.at(-1)?.port, undefined);
    assert.equal(c.length, 1 + 3 + 1);
    assert.equal(autoPick(d), undefined);
    assert.equal(autoPick(d, undefined, '/dev/ttyACM1')?.board.id, 'nano33ble');
  });

  it('nothing connected: only the emulated board is offered', () => {
    const d = detectBoards(fixture('linux-none'));
    assert.deepEqual(d, []);
    assert.deepEqual(candidates(d).map((c) => c.board.id), ['qemu-stm32']);
  });
});
