import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialLink } from '../../../src/core/device/byteLink';
import { flashViaBootloader, VerifyError, connectBootloader, verifyImage } from '../../../src/core/device/stm32/serialFlash';
import { BootloaderError } from '../../../src/core/device/stm32/bootloaderClient';
import { Stm32BootloaderSim, SimOptions } from '../../../src/core/device/sim/stm32BootloaderSim';
import { openPtyPair, PtyPair } from '../../support/ptyPair';
import { requireTool } from '../../support/tools';

const FAST = { ackMs: 500, erasePerSectorMs: 500, massEraseMs: 2000 };

interface Rig { pair: PtyPair; sim: Stm32BootloaderSim; host: SerialLink; simDone: Promise<void>; }

async function rig(opts: SimOptions = {}): Promise<Rig> {
  const { pair, sim, simDone } = await simulatorOnly(opts);
  try {
    const host = await SerialLink.open({ path: pair.b, baudRate: 115200, parity: 'even' });
    return { pair, sim, host, simDone };
  } catch (err) {
    await sim.stop();
    await pair.close();
    throw err;
  }
}

/**
 * The simulator on one end of a fresh pty pair, the other end left untouched for an outside client, which then sees
 * the line as a user's tool would (stm32flash hung once, under load, after the host end had been opened and closed).
 */
async function simulatorOnly(opts: SimOptions = {}): Promise<Omit<Rig, 'host'>> {
  const pair = await openPtyPair();
  try {
    const simLink = await SerialLink.open({ path: pair.a, baudRate: 115200, parity: 'even' });
    const sim = new Stm32BootloaderSim(simLink, { onUnplug: () => pair.proc.kill(), ...opts });
    const simDone = sim.start();
    return { pair, sim, simDone };
  } catch (err) {
    await pair.close();
    throw err;
  }
}

async function teardown(r: Rig): Promise<void> {
  await r.host.close();
  await r.sim.stop();
  await r.pair.close();
}

describe('STM32 ROM bootloader (AN3155) flasher against the simulator on a socat pty pair', function () {
  before(function () {
    requireTool(this, 'socat', 'apt-get install socat');
  });

  it('identifies the chip, erases only the covered sectors, writes, verifies and jumps', async () => {
    // An old firmware fills the first sectors: writing without erasing would corrupt the image (NOR flash).
    const r = await rig({ pid: 0x433, initialFlash: Buffer.alloc(70 * 1024, 0x5a) });
    try {
      const image = randomBytes(40_000 + 13); // not a multiple of 256 nor of 4
      const res = await flashViaBootloader(r.host, image, { timeouts: FAST, expectPid: 0x433 });
      assert.equal(res.chip.name, 'STM32F401xD/E');
      assert.equal(res.bootloaderVersion, '3.1');
      assert.deepEqual(res.erasedSectors, [0, 1, 2]);
      assert.equal(res.verified, true);
      assert.ok(r.sim.flash.subarray(0, image.length).equals(image));
      // Sector 3 (0x0800C000…) was not erased: the old content is still there.
      assert.equal(r.sim.flash[48 * 1024], 0x5a);
      assert.equal(r.sim.goAddress, 0x0800_0000);
      const writes = r.sim.events.filter((e) => e.cmd === 'Write Memory' && e.ok);
      assert.equal(writes.length, Math.ceil(image.length / 256));
    } finally {
      await teardown(r);
    }
  });

  it('mass erase clears the old firmware everywhere', async () => {
    const r = await rig({ pid: 0x431, initialFlash: Buffer.alloc(512 * 1024, 0x00) });
    try {
      const image = randomBytes(1024);
      const res = await flashViaBootloader(r.host, image, { timeouts: FAST, erase: 'mass', go: false });
      assert.equal(res.erasedSectors, 'mass');
      assert.equal(r.sim.flash[500 * 1024], 0xff);
      assert.equal(r.sim.goAddress, undefined);
    } finally {
      await teardown(r);
    }
  });

  it('falls back to the legacy Erase command when the bootloader has no Extended Erase', async () => {
    const r = await rig({ legacyErase: true, initialFlash: Buffer.alloc(1024, 0) });
    try {
      await flashViaBootloader(r.host, randomBytes(600), { timeouts: FAST });
      assert.ok(r.sim.events.some((e) => e.cmd === 'Erase' && e.ok && e.detail === '0'));
    } finally {
      await teardown(r);
    }
  });

  it('refuses a chip that is not the selected board', async () => {
    const r = await rig({ pid: 0x421 });
    try {
      await assert.rejects(flashViaBootloader(r.host, randomBytes(64), { timeouts: FAST, expectPid: 0x433 }),
        /connected chip is STM32F446xx, but the selected board has STM32F401xD\/E/);
    } finally {
      await teardown(r);
    }
  });

  it('a write-protected sector: Write Memory is NACKed, reported with the address and the way out', async () => {
    const r = await rig({ writeProtectedSectors: [1] });
    try {
      await assert.rejects(flashViaBootloader(r.host, randomBytes(20_000), { timeouts: FAST }), (err: Error) => {
        assert.ok(err instanceof BootloaderError && err.kind === 'nack');
        assert.match(err.message, /Write Memory at 0x08004000.*refused \(NACK\).*write-protected/);
        return true;
      });
      // Retried (NACK leaves the bootloader waiting for the next command), then given up.
      assert.equal(r.sim.events.filter((e) => e.detail === 'sector 1 write-protected').length, 4);
    } finally {
      await teardown(r);
    }
  });

  it('read protection: Read Memory is refused with an explanation', async () => {
    const r = await rig({ readProtected: true });
    try {
      const { bl } = await connectBootloader(r.host, FAST);
      await assert.rejects(bl.readMemory(0x0800_0000, 16, 0), /read-protected \(RDP level 1\)/);
    } finally {
      await teardown(r);
    }
  });

  it('a board that never answers: a clear timeout naming BOOT0, no hang', async () => {
    const r = await rig({ silent: true });
    try {
      const t0 = Date.now();
      await assert.rejects(flashViaBootloader(r.host, randomBytes(64), { timeouts: { ...FAST, ackMs: 100 } }),
        /No STM32 bootloader answered the 0x7F sync after 5 tries.*BOOT0/);
      assert.ok(Date.now() - t0 < 3000);
    } finally {
      await teardown(r);
    }
  });

  it('unplug mid-write: a clear "connection lost" error, and a later verify of the board fails', async () => {
    const r = await rig({ unplugOnWriteBlock: 10, initialFlash: Buffer.alloc(16 * 1024, 0x33) });
    const image = randomBytes(8 * 1024);
    // The first byte the unplug leaves unwritten (erased: 0xFF) must differ from the image, or verify reports the
    // next one: random data hit 0xFF there 1 run in 256.
    image[0xa00] = 0x5a;
    try {
      await assert.rejects(flashViaBootloader(r.host, image, { timeouts: FAST }), (err: Error) => {
        assert.ok(err instanceof BootloaderError && err.kind === 'closed', `got ${err.message}`);
        assert.match(err.message, /Write Memory at 0x08000a00 \(data\): connection lost — .* disappeared \(board unplugged or reset\)/);
        return true;
      });
    } finally {
      await teardown(r);
    }
    // Re-plug: a fresh bootloader session on the same (now half-written) flash content.
    const r2 = await rig({ initialFlash: r.sim.flash });
    try {
      const { bl } = await connectBootloader(r2.host, FAST);
      await assert.rejects(verifyImage(bl, 0x0800_0000, image), (err: Error) => {
        assert.ok(err instanceof VerifyError);
        assert.equal(err.address, 0x0800_0a00);
        assert.match(err.message, /Verify failed at 0x08000a00.*partial image/);
        return true;
      });
    } finally {
      await teardown(r2);
    }
  });
});

describe('the bootloader simulator checked with Debian\'s stm32flash as an independent client', function () {
  this.timeout(30000);
  before(function () {
    requireTool(this, 'socat', 'apt-get install socat');
    requireTool(this, 'stm32flash', 'apt-get install stm32flash');
  });

  // A pty cannot keep PARENB (tcsetattr drops it, and stm32flash checks), so stm32flash runs 8N1 here; parity is
  // invisible on a pty anyway. On a real USART the flasher and stm32flash both use 8E1.
  function stm32flash(args: string[]): Promise<{ code: number; out: string }> {
    return new Promise((resolve) => {
      // Well inside the test's timeout, so that a hang fails with what stm32flash printed so far.
      execFile('stm32flash', args, { timeout: 12000 }, (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, out: `${stdout}${stderr}${err?.killed ? '\n(stm32flash killed after 12 s without finishing)' : ''}` });
      });
    });
  }

  it('stm32flash identifies the simulated F401RE and writes + verifies an image through it', async () => {
    const r = await simulatorOnly({ pid: 0x433, initialFlash: Buffer.alloc(64 * 1024, 0x77) });
    try {
      const dir = mkdtempSync(join(tmpdir(), 'bnn-stm32flash-'));
      const file = join(dir, 'fw.bin');
      const image = randomBytes(5000);
      writeFileSync(file, image);
      const res = await stm32flash(['-b', '115200', '-m', '8n1', '-w', file, '-v', '-g', '0x0', r.pair.b]);
      assert.equal(res.code, 0, res.out);
      assert.match(res.out, /Device ID\s*:\s*0x0433/);
      assert.match(res.out, /Version\s*:\s*0x31/);
      assert.ok(r.sim.flash.subarray(0, image.length).equals(image), 'flash content after stm32flash');
      assert.equal(r.sim.goAddress, 0x0800_0000);
      // Read back with stm32flash too: the simulator's Read Memory agrees with what was written.
      const back = join(dir, 'back.bin');
      const r2 = await simulatorOnly({ initialFlash: r.sim.flash });
      try {
        const rd = await stm32flash(['-b', '115200', '-m', '8n1', '-S', '0x08000000:5000', '-r', back, r2.pair.b]);
        assert.equal(rd.code, 0, rd.out);
        assert.ok(readFileSync(back).equals(image));
      } finally {
        await r2.sim.stop();
        await r2.pair.close();
      }
    } finally {
      await r.sim.stop();
      await r.pair.close();
    }
  });

  it('stm32flash fails on the write-protected sector the simulator NACKs', async () => {
    const r = await simulatorOnly({ writeProtectedSectors: [0] });
    try {
      const dir = mkdtempSync(join(tmpdir(), 'bnn-stm32flash-'));
      const file = join(dir, 'fw.bin');
      writeFileSync(file, randomBytes(1024));
      const res = await stm32flash(['-b', '115200', '-m', '8n1', '-n', '1', '-w', file, r.pair.b]);
      assert.notEqual(res.code, 0, res.out);
      assert.match(res.out, /Failed to write memory at address 0x08000000/);
    } finally {
      await r.sim.stop();
      await r.pair.close();
    }
  });
});
