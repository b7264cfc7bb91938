/**
 * The whole device pipeline on a really trained experiment: checkpoint → compileModel → firmware → QEMU over a real
 * pty → DeviceResult, through the core API and the `bnn bench` CLI.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { benchExperiment } from '../../src/core/device/benchExperiment';
import { liveEmulatorCount } from '../../src/core/device/qemu';
import { listDeviceResults } from '../../src/core/experiments/store';
import type { DeviceResult } from '../../src/core/experiments/types';
import { requireTool } from '../support/tools';
import { loadDataset } from '../../src/core/data/load';
import { trainedExperiment } from '../support/trainedExperiment';

const root = path.join(__dirname, '..', '..');

function bnn(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [path.join(root, 'bin', 'bnn.js'), ...args], { cwd: root });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    p.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    p.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('device benchmark of a trained experiment on the emulated board', function () {
  this.timeout(120_000);
  let exp: { root: string; dir: string; id: string };
  /** The board's class for each of the first 100 test samples (first test), for the CLI's accuracy to be checked against. */
  let boardClasses: number[] = [];

  before(async function () {
    requireTool(this, 'qemu-system-arm', 'apt-get install qemu-system-arm');
    requireTool(this, 'arm-none-eabi-gcc', 'apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi');
    exp = await trainedExperiment();
  });

  after(() => { if (exp) fs.rmSync(exp.root, { recursive: true, force: true }); });

  it('agrees with the host on every sample (classes and scores), with identical instruction counts in two runs', async () => {
    const a = await benchExperiment({ experimentDir: exp.dir, board: 'qemu-stm32', samples: 100 });
    const b = await benchExperiment({ experimentDir: exp.dir, board: 'qemu-stm32', samples: 30 });
    const r = a.report.result;
    boardClasses = a.report.deviceClasses;
    assert.equal(r.samples, 100);
    assert.equal(r.agreement, 1, 'board classes = host classes');
    assert.deepEqual(r.hostCheck, { samples: 50, agreement: 1 }, 'the trained model\'s forward pass = the host reference');
    assert.deepEqual(a.report.mismatches, [], 'board classes and scores = the exact reference');
    assert.equal(r.deviceAccuracy, r.hostAccuracy);
    assert.ok(r.deviceAccuracy > 0.3, `a trained model beats chance (10%): ${r.deviceAccuracy}`);
    assert.equal(r.modelHash, a.compiled.hash);
    assert.equal(r.latency.unit, 'instructions (emulated)');
    assert.deepEqual(b.report.ticks, a.report.ticks.slice(0, 30), 'instruction counts are deterministic');
    assert.ok(r.latency.median > 10_000, `a 784-input layer takes more than ${r.latency.median} instructions`);
    assert.equal(r.flash.modelArrays, r.flash.modelEstimate, 'the model arrays in the ELF are exactly the plan\'s flash bytes');
    assert.equal(r.ram.modelArrays, r.ram.modelEstimate, 'the model buffers in the ELF are exactly the plan\'s RAM bytes');
    assert.equal(r.flash.modelEstimate, a.compiled.plan.flashBytes);
    assert.ok(r.flash.firmwareTotal > r.flash.modelArrays && r.ram.firmwareTotal > r.ram.modelArrays);
    // the firmware total is a fact of its own, within what the fit rule (model + the board's measured reserve) expects
    assert.ok(r.flash.firmwareEstimate !== undefined && r.flash.firmwareTotal <= r.flash.firmwareEstimate, `${r.flash.firmwareTotal} ≤ ${r.flash.firmwareEstimate}`);
    const saved = await listDeviceResults(exp.dir);
    assert.equal(saved.length, 2);
    assert.deepEqual(saved.map((s) => s.file).sort(), [a.file, b.file].sort());
    assert.ok(fs.existsSync(path.join(exp.dir, 'firmware', 'qemu-stm32', 'build', 'fw.elf')));
    assert.equal(liveEmulatorCount(), 0);
  });

  it('bnn bench --json reports accuracy, host accuracy, agreement, latency with its unit, flash/RAM vs estimate', async () => {
    const r = await bnn('bench', exp.id, '--dir', exp.root, '--board', 'qemu-stm32', '--samples', '12', '--json');
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout) as DeviceResult & { file: string; hostReferenceMismatches: number };
    assert.equal(j.samples, 12);
    assert.equal(j.agreement, 1);
    assert.equal(j.hostReferenceMismatches, 0);
    // The first 12 test samples, as the board classified them in the first test, scored against their labels.
    assert.ok(boardClasses.length >= 12, 'needs the classes of the first test');
    const labels = loadDataset('bundled').test.labels;
    const correct = boardClasses.slice(0, 12).filter((c, i) => c === labels[i]).length;
    assert.equal(j.deviceAccuracy, correct / 12);
    assert.equal(j.hostAccuracy, correct / 12, 'agreement 1: the host classes are the board\'s');
    assert.equal(j.latency.unit, 'instructions (emulated)');
    assert.ok(j.latency.p90 >= j.latency.median);
    assert.ok(j.flash.firmwareTotal > j.flash.modelArrays && j.flash.modelArrays === j.flash.modelEstimate && j.ram.firmwareTotal > 0 && j.ram.modelEstimate > 0);
    assert.ok(fs.existsSync(j.file));
    assert.match(r.stderr, /emulated board started/);
  });

  it('bnn bench: clear errors for bad input, never a stack trace', async () => {
    const cases: [string[], number, RegExp][] = [
      // A real board is benchmarked over its serial port: without --port the command says how.
      [['bench', exp.id, '--dir', exp.root, '--board', 'nucleo-f401re'], 2, /give the board's serial port with --port \(or use 'bnn flash'/],
      [['bench', exp.id, '--dir', exp.root, '--board', 'esp32'], 2, /unknown board 'esp32'/],
      [['bench', 'no-such-experiment', '--dir', exp.root], 1, /no experiment 'no-such-experiment'/],
      [['bench', exp.id, '--dir', exp.root, '--samples', '0'], 2, /--samples must be a positive integer/],
      [['bench'], 2, /give exactly one experiment/],
    ];
    for (const [args, code, message] of cases) {
      const r = await bnn(...args);
      assert.equal(r.status, code, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    }
  });
});
