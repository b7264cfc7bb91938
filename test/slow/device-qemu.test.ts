/**
 * The firmware harness on the real emulated board: cross-compiled with arm-none-eabi-gcc, run by QEMU's
 * netduinoplus2, spoken to over a real pty through npm serialport.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { benchOnEmulator, formatDeviceResult, percentile } from '../../src/core/device/bench';
import { writeDeviceResult } from '../../src/core/experiments/store';
import { buildFirmware } from '../../src/core/device/build';
import { DeviceClient } from '../../src/core/device/client';
import { liveEmulatorCount, startEmulatedBoard } from '../../src/core/device/qemu';
import { installHint, ToolMissingError } from '../../src/core/device/tools';
import { MsgType, type InferResult } from '../../src/core/device/protocol';
import { requireTool } from '../support/tools';
import { tinyFixtureInfer } from '../support/boardSim';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'tiny-model');

function isAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

async function runOnBoard(elf: string, inputs: Uint8Array[]): Promise<{ results: InferResult[]; hash: string; pid: number }> {
  const board = await startEmulatedBoard({ elf });
  try {
    const client = new DeviceClient(await board.openTransport());
    try {
      const info = await client.waitForHello();
      const results: InferResult[] = [];
      for (let i = 0; i < inputs.length; i += 64) results.push(...await client.inferBatch(inputs.slice(i, i + 64), { timeoutMs: 10_000 }));
      results.push(await client.infer(inputs[0]));
      return { results, hash: info.modelHash, pid: board.pid };
    } finally {
      await client.close();
    }
  } finally {
    await board.stop();
  }
}

describe('firmware on the emulated board (fixture model)', function () {
  this.timeout(60_000);
  let dir: string;
  let elf: string;

  before(async function () {
    requireTool(this, 'qemu-system-arm', 'apt-get install qemu-system-arm');
    requireTool(this, 'arm-none-eabi-gcc', 'apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-fw-'));
    const built = await buildFirmware({ board: 'qemu-stm32', modelDir: FIXTURE, outDir: dir });
    elf = built.elf;
    assert.ok(built.commandLines.every((c) => c.includes('-Werror') || c.includes('-T ')));
    assert.equal(built.size.modelFlash, 16, 'the fixture holds four weight words');
    assert.ok(built.size.flash > 1000 && built.size.flash < 16_000, `flash ${built.size.flash}`);
  });

  after(() => { if (dir) fs.rmSync(dir, { recursive: true, force: true }); });

  it('answers exactly like the host reference, with identical instruction counts in two runs, and leaves no QEMU behind', async () => {
    const inputs = Array.from({ length: 300 }, (_, i) => new Uint8Array(16).map((_, j) => (i * 97 + j * 131 + ((i * j) % 7) * 29) & 255));
    const a = await runOnBoard(elf, inputs);
    const b = await runOnBoard(elf, inputs);
    assert.equal(a.hash, '0123456789abcdef');
    inputs.forEach((x, i) => {
      const ref = tinyFixtureInfer(x);
      assert.equal(a.results[i].classIndex, ref.classIndex, `sample ${i}`);
      assert.deepEqual(a.results[i].scores, ref.scores, `sample ${i}`);
    });
    assert.deepEqual(a.results.map((r) => r.ticks), b.results.map((r) => r.ticks));
    assert.ok(a.results.every((r) => r.ticks > 50 && r.ticks < 2000), 'ticks count instructions, not nanoseconds or zero');
    assert.equal(a.results[0].ticks, a.results[300].ticks, 'INFER and BATCH time the same work');
    assert.ok(!isAlive(a.pid) && !isAlive(b.pid));
    assert.equal(liveEmulatorCount(), 0);
  });

  it('decodes packed batches exactly and rejects malformed ones without replying garbage', async () => {
    const board = await startEmulatedBoard({ elf });
    const client = new DeviceClient(await board.openTransport());
    try {
      await client.waitForHello();
      const images = [new Uint8Array(16), new Uint8Array(16).fill(200), Uint8Array.from({ length: 16 }, (_, j) => (j < 8 ? 255 : 0)), Uint8Array.from({ length: 16 }, (_, j) => j * 16)];
      const out = await client.inferBatch(images);
      assert.deepEqual(out.map((r) => r.scores), images.map((x) => tinyFixtureInfer(x).scores));
      const bad = [
        Uint8Array.from([1, 0, 2, 0, 0xf2, 9]), // decodes to 15 bytes
        Uint8Array.from([1, 0, 3, 0, 0xf0, 9, 0]), // 16 bytes then a dangling literal header
        Uint8Array.from([2, 0, 2, 0, 0xf1, 9]), // count says 2, holds 1
        Uint8Array.from([1, 0, 2, 0, 0xf1, 9, 0]), // a trailing byte after the last input
      ];
      for (const payload of bad) {
        await assert.rejects(client.request(MsgType.BATCH_PACKED, payload), /the board rejected BATCH: BATCH_PACKED payload must be count u16 followed by count packed inputs \(bad payload length\)/);
      }
      assert.equal((await client.infer(images[1])).classIndex, tinyFixtureInfer(images[1]).classIndex);
    } finally {
      await client.close();
      await board.stop();
    }
  });

  it('passes every byte value through QEMU\'s mux chardev: escape bytes and "Ctrl-A x" (quit) in inputs and garbage', async () => {
    const board = await startEmulatedBoard({ elf });
    const transport = await board.openTransport();
    const client = new DeviceClient(transport);
    try {
      await client.waitForHello();
      await transport.write(Uint8Array.from([0x01, 0x78, 0x01, 0x63, 0x01, 0x68, 0x01])); // garbage that is a mux command unless escaped
      const inputs = [new Uint8Array(16).fill(0x01), Uint8Array.from({ length: 16 }, (_, j) => (j % 2 ? 0x78 : 0x01)), Uint8Array.from({ length: 16 }, (_, j) => j)];
      const out = await client.inferBatch(inputs);
      assert.deepEqual(out.map((r) => r.scores), inputs.map((x) => tinyFixtureInfer(x).scores));
      for (const x of inputs) assert.deepEqual((await client.infer(x)).scores, tinyFixtureInfer(x).scores);
      assert.ok(board.running);
    } finally {
      await client.close();
      await board.stop();
    }
  });

  it('stops QEMU when the caller cancels', async () => {
    const ac = new AbortController();
    const board = await startEmulatedBoard({ elf, signal: ac.signal });
    assert.ok(isAlive(board.pid));
    ac.abort();
    await board.exited;
    assert.ok(!isAlive(board.pid));
  });

  it('benchmarks: accuracy, agreement, instruction latency, sizes next to the estimate, saved atomically', async () => {
    const inputs = Array.from({ length: 120 }, (_, i) => new Uint8Array(16).map((_, j) => (i * 73 + j * 41) & 255));
    const labels = inputs.map((x, i) => (i % 5 === 0 ? (tinyFixtureInfer(x).classIndex + 1) % 4 : tinyFixtureInfer(x).classIndex));
    const phases: string[] = [];
    const report = await benchOnEmulator({
      board: 'qemu-stm32', modelDir: FIXTURE, workDir: path.join(dir, 'bench'), hash: '0123456789abcdef', what: 'the fixture',
      estimate: { flash: 16, ram: 4 }, inputs, labels,
      reference: (x) => { const r = tinyFixtureInfer(x); return { class: r.classIndex, scores: r.scores }; },
      progress: (p) => { if (phases[phases.length - 1] !== p) phases.push(p); },
    });
    const r = report.result;
    assert.deepEqual(phases, ['build', 'start', 'connect', 'infer', 'stop']);
    assert.equal(r.samples, 120);
    assert.equal(r.agreement, 1);
    assert.deepEqual(report.mismatches, []);
    assert.equal(r.deviceAccuracy, 96 / 120);
    assert.equal(r.hostAccuracy, 96 / 120);
    assert.equal(r.latency.unit, 'instructions (emulated)');
    assert.equal(r.latency.median, percentile(report.ticks, 0.5));
    assert.ok(r.latency.median > 50 && r.latency.p90 >= r.latency.median);
    assert.deepEqual({ est: r.flash.modelEstimate, model: r.flash.modelArrays }, { est: 16, model: 16 });
    assert.ok(r.flash.firmwareTotal > r.flash.modelEstimate && r.ram.firmwareTotal > 8192, 'firmware totals include the harness');
    const file = writeDeviceResult(dir, r);
    assert.match(path.basename(file), /^qemu-stm32-\d{8}-\d{6}\.json$/);
    assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), { formatVersion: 1, ...r });
    assert.notEqual(writeDeviceResult(dir, r), file, 'a second result in the same second gets its own file');
    assert.deepEqual(fs.readdirSync(path.dirname(file)).filter((f) => f.includes('.tmp')), []);
    assert.match(formatDeviceResult(r), /agreement +100\.00%/);
    assert.equal(liveEmulatorCount(), 0);
  });

  it('refuses a board that runs another model, and still stops QEMU', async () => {
    await assert.rejects(benchOnEmulator({
      board: 'qemu-stm32', modelDir: FIXTURE, workDir: path.join(dir, 'bench2'), hash: 'fedcba9876543210', what: "experiment 'x'",
      estimate: { flash: 16, ram: 4 }, inputs: [new Uint8Array(16)], labels: [0],
      reference: () => ({ class: 0, scores: [0, 0, 0, 0] }),
    }), /the board runs model 0123456789abcdef, but experiment 'x' compiles to fedcba9876543210/);
    assert.equal(liveEmulatorCount(), 0);
  });

  for (const signal of ['SIGKILL', 'SIGINT', 'SIGTERM'] as const) {
    it(`leaves no QEMU running when its parent process dies by ${signal}`, async () => {
      const child = spawn(process.execPath, ['-r', 'tsx/cjs', path.join(__dirname, '..', 'support', 'qemuChild.ts'), elf], { stdio: ['ignore', 'pipe', 'pipe'] });
      const pid = await new Promise<number>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (c: Buffer) => { out += c.toString(); const m = /qemu-pid (\d+)/.exec(out); if (m) resolve(Number(m[1])); });
        child.once('exit', (code) => reject(new Error(`child exited (${code}) before starting QEMU`)));
      });
      assert.ok(isAlive(pid));
      child.kill(signal);
      await new Promise((r) => child.once('exit', r));
      const deadline = Date.now() + 5000;
      while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.ok(!isAlive(pid), `QEMU ${pid} outlived its parent (${signal})`);
    });
  }

  it('names the package to install when a tool is missing', async () => {
    await assert.rejects(
      buildFirmware({ board: 'qemu-stm32', modelDir: FIXTURE, outDir: dir, tools: { 'arm-none-eabi-gcc': '/nonexistent/arm-none-eabi-gcc' } }),
      (e: Error) => e instanceof ToolMissingError && /arm-none-eabi-gcc is not installed .*apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi/.test(e.message),
    );
    await assert.rejects(startEmulatedBoard({ elf, tools: { 'qemu-system-arm': '/nonexistent/qemu' } }), /qemu-system-arm is not installed/);
    assert.match(installHint('qemu-system-arm', 'darwin'), /brew install qemu/);
    assert.match(installHint('arm-none-eabi-gcc', 'win32'), /Arm GNU Toolchain/);
    assert.match(installHint('newlib', 'linux'), /libnewlib-arm-none-eabi.*Fedora: sudo dnf install arm-none-eabi-newlib/);
  });

  it('reports a board without a model as a missing compile step', async () => {
    await assert.rejects(buildFirmware({ board: 'qemu-stm32', modelDir: dir, outDir: dir }), /holds no compiled model \(bnn_model\.h is missing\): compile the experiment first/);
  });
});
