import { strict as assert } from 'node:assert';
import { enterBootloader, waitForSketchPort, PortWaitError } from '../../../src/core/device/portWatch';
import { PortRecord } from '../../../src/core/device/detect';
import { NANO33BLE } from '../../../src/core/device/flashers/arduino';

const sketch = (path: string): PortRecord => ({ path, manufacturer: 'Arduino', vendorId: '2341', productId: '805a' });
const boot = (path: string): PortRecord => ({ path, manufacturer: 'Arduino', vendorId: '2341', productId: '005a' });
const other = (path: string): PortRecord => ({ path, manufacturer: 'FTDI', vendorId: '0403', productId: '6001' });

/**
 * A USB bus the test scripts: each list() call advances one step of the script, like polling while the board
 * re-enumerates (gone for a while, then back under a new name). A virtual clock keeps the test fast.
 */
function bus(steps: PortRecord[][]) {
  let i = 0;
  let t = 0;
  const touched: string[] = [];
  return {
    touched,
    list: async () => steps[Math.min(i++, steps.length - 1)],
    touch: async (p: string) => { touched.push(p); },
    clock: { sleep: async (ms: number) => { t += ms; }, now: () => t },
  };
}

describe('1200-baud touch and following a port that changes name', () => {
  it('Linux: ttyACM0 (sketch) → gone → ttyACM1 (bootloader) → ttyACM0 (sketch again)', async () => {
    const b = bus([
      [other('/dev/ttyUSB0'), sketch('/dev/ttyACM0')],
      [other('/dev/ttyUSB0')],
      [other('/dev/ttyUSB0')],
      [other('/dev/ttyUSB0'), boot('/dev/ttyACM1')],
    ]);
    const bl = await enterBootloader(b.list, b.touch, '/dev/ttyACM0', NANO33BLE, b.clock);
    assert.deepEqual(b.touched, ['/dev/ttyACM0']);
    assert.equal(bl.path, '/dev/ttyACM1');
    const during = [other('/dev/ttyUSB0'), boot('/dev/ttyACM1')];
    const b2 = bus([during, [other('/dev/ttyUSB0')], [other('/dev/ttyUSB0'), sketch('/dev/ttyACM0')]]);
    const back = await waitForSketchPort(b2.list, during, NANO33BLE, b2.clock);
    assert.equal(back.path, '/dev/ttyACM0');
  });

  it('Windows: COM5 → COM6 in the bootloader → COM5; same name with new ids on macOS counts as the new port', async () => {
    const b = bus([[sketch('COM5')], [sketch('COM5')], [boot('COM6')]]);
    assert.equal((await enterBootloader(b.list, b.touch, 'COM5', NANO33BLE, b.clock)).path, 'COM6');
    const mac = bus([[sketch('/dev/cu.usbmodem14101')], [boot('/dev/cu.usbmodem14101')]]);
    assert.equal((await enterBootloader(mac.list, mac.touch, '/dev/cu.usbmodem14101', NANO33BLE, mac.clock)).productId, '005a');
  });

  it('a board already in its bootloader is used without a touch', async () => {
    const b = bus([[boot('/dev/ttyACM0')]]);
    assert.equal((await enterBootloader(b.list, b.touch, '/dev/ttyACM0', NANO33BLE, b.clock)).path, '/dev/ttyACM0');
    assert.deepEqual(b.touched, []);
  });

  it('a second Nano that stays plugged in is not mistaken for the one coming back', async () => {
    const during = [sketch('/dev/ttyACM0'), boot('/dev/ttyACM1')];
    const b = bus([during, [sketch('/dev/ttyACM0')], [sketch('/dev/ttyACM0'), sketch('/dev/ttyACM2')]]);
    assert.equal((await waitForSketchPort(b.list, during, NANO33BLE, b.clock)).path, '/dev/ttyACM2');
  });

  it('a board that never comes back: a timeout naming the ports seen and the double-tap way out', async () => {
    const b = bus([[sketch('/dev/ttyACM0')], [other('/dev/ttyUSB0')]]);
    await assert.rejects(enterBootloader(b.list, b.touch, '/dev/ttyACM0', NANO33BLE, { ...b.clock, timeoutMs: 3000 }),
      (e: Error) => e instanceof PortWaitError && /bootloader port did not appear within 3 s \(ports now: \/dev\/ttyUSB0 \(0403:6001\)\).*Double-tap/.test(e.message));
  });

  it('an unplugged port is reported, and cancellation stops the wait', async () => {
    const b = bus([[other('/dev/ttyUSB0')]]);
    await assert.rejects(enterBootloader(b.list, b.touch, '/dev/ttyACM0', NANO33BLE, b.clock), /\/dev\/ttyACM0 is not connected/);
    const ac = new AbortController();
    ac.abort();
    const b2 = bus([[sketch('/dev/ttyACM0')]]);
    await assert.rejects(enterBootloader(b2.list, b2.touch, '/dev/ttyACM0', NANO33BLE, { ...b2.clock, signal: ac.signal }), /cancelled/);
  });
});
