/**
 * "Flash to Board" end to end on a simulated Nucleo-F401RE: a really trained experiment → compileModel → the Nucleo
 * firmware built with arm-none-eabi-gcc → .bin → AN3155 flash + verify through the bootloader simulator on a pty →
 * Go → the shared benchmark over the same pty → DeviceResult saved in device/. After Go, the "application" on the
 * simulated chip is the protocol's TypeScript twin (test/support/boardSim.ts) answering with the compiler's exact
 * reference, not the firmware itself: no simulator here executes Cortex-M code for an F401.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findBoard } from '../../../src/core/boards';
import { benchExperiment } from '../../../src/core/device/benchExperiment';
import { loadExperimentModel } from '../../../src/core/train/experimentModel';
import { SerialLink, type ByteLink, LinkError } from '../../../src/core/device/byteLink';
import { realBoardSession } from '../../../src/core/device/realBoard';
import { Stm32BootloaderSim } from '../../../src/core/device/sim/stm32BootloaderSim';
import { compileModel } from '../../../src/core/compile/compile';
import { referenceInfer } from '../../../src/core/compile/reference';
import type { DeviceResult } from '../../../src/core/experiments/types';
import { BoardSim } from '../../support/boardSim';
import { openPtyPair } from '../../support/ptyPair';
import { requireTool } from '../../support/tools';
import { trainedExperiment } from '../../support/trainedExperiment';

const CYCLES = 12_345;

/** Bridges the pty to an in-memory protocol board: what the flashed application would do on the chip. */
function runApplication(link: ByteLink, board: BoardSim): void {
  board.hostSide.onData((chunk) => { void link.write(chunk).catch(() => undefined); });
  void (async () => {
    for (;;) {
      try {
        const b = await link.read(1, 60_000);
        await board.hostSide.write(b);
      } catch (err) {
        if (err instanceof LinkError && err.code === 'timeout') continue;
        return;
      }
    }
  })();
}

describe('Flash to Board end to end (simulated Nucleo-F401RE in its ROM bootloader)', function () {
  this.timeout(180_000);
  before(function () {
    requireTool(this, 'arm-none-eabi-gcc', 'apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi');
    requireTool(this, 'socat', 'apt-get install socat');
  });

  let root: string | undefined;
  after(() => { if (root) fs.rmSync(root, { recursive: true, force: true }); });

  it('compiles, builds, flashes and verifies over AN3155, starts the firmware, benchmarks and saves the result', async () => {
    const exp = await trainedExperiment();
    root = exp.root;
    const { trained } = loadExperimentModel(exp.dir);
    const compiled = compileModel(trained, { board: 'nucleo-f401re' });
    const app = new BoardSim((x) => { const r = referenceInfer(compiled.model, x); return { classIndex: r.class, scores: r.scores, ticks: CYCLES }; }, {}, {
      protocolVersion: 1, scoresAreFloat: compiled.model.scoresAreFloat, numClasses: compiled.model.classes, inputSize: compiled.model.inputBytes,
      maxPayload: 8192, clockHz: 84_000_000, modelFlashBytes: compiled.plan.flashBytes, modelRamBytes: compiled.plan.ramBytes,
      firmwareVersion: 'sim-app', modelHash: compiled.hash, board: 'nucleo-f401re', tickSource: 'DWT cycle counter',
    });
    const pair = await openPtyPair();
    const simLink = await SerialLink.open({ path: pair.a, baudRate: 115200, parity: 'even' });
    const chip = new Stm32BootloaderSim(simLink, { pid: 0x433, initialFlash: Buffer.alloc(32 * 1024, 0x00), onGo: (link) => runApplication(link, app) });
    void chip.start();
    const log: string[] = [];
    try {
      const session = realBoardSession({ board: findBoard('nucleo-f401re')!, port: pair.b, method: 'stm32-serial-bootloader', log: (l) => log.push(l) });
      const { report, file } = await benchExperiment({ experimentDir: exp.dir, board: 'nucleo-f401re', samples: 60, realBoard: session, log: (l) => log.push(l) });
      // The chip holds exactly the firmware that was built for this experiment.
      const bin = fs.readFileSync(report.build.elf.replace(/\.elf$/, '.bin'));
      assert.ok(chip.flash.subarray(0, bin.length).equals(bin), 'flash content = built .bin');
      assert.equal(chip.goAddress, 0x0800_0000);
      assert.equal(session.outcome()?.method, 'stm32-serial-bootloader');
      assert.equal(session.outcome()?.verified, true);
      // The benchmark ran on it and the result is saved like the emulated board's, with µs from the reported clock.
      const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as DeviceResult;
      assert.equal(path.basename(path.dirname(file)), 'device');
      assert.match(path.basename(file), /^nucleo-f401re-.*\.json$/);
      assert.equal(saved.board, 'nucleo-f401re');
      assert.equal(saved.port, pair.b);
      assert.equal(saved.samples, 60);
      assert.equal(saved.modelHash, compiled.hash);
      assert.deepEqual(saved.latency, { median: CYCLES, p90: CYCLES, unit: 'cycles' });
      assert.ok(Math.abs(saved.latencyUs!.median - (CYCLES / 84e6) * 1e6) < 1e-9);
      assert.equal(saved.agreement, 1, 'the host model and the board agree on every sample');
      assert.equal(report.mismatches.length, 0);
      assert.ok(saved.flash.firmwareTotal > saved.flash.modelEstimate && saved.flash.modelArrays === compiled.plan.flashBytes);
      assert.ok(log.some((l) => /board: nucleo-f401re, firmware sim-app/.test(l)), log.join('\n'));
    } finally {
      await chip.stop();
      await pair.close();
    }
  });
});
