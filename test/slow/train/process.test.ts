import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startTrainer } from '../../../src/core/train/host';
import { trainerEntry } from '../../../src/core/train/spawn';
import { loadCheckpoint } from '../../../src/core/train/checkpoint';
import { readMetrics } from '../../support/metricsOf';
import { readConfigFile as readConfig, readStatusFile as readStatus } from '../../../src/core/experiments/store';
import { effectiveState } from '../../../src/core/experiments/store';
import type { TrainRequest, WorkerToHost } from '../../../src/core/messages';
import { tinyMlp } from '../../support/models';

describe('train/worker process', function () {
  this.timeout(90000);
  let tmp: string;
  let modelPath: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-worker-'));
    modelPath = path.join(tmp, 'tiny.bnn.json');
    fs.writeFileSync(modelPath, JSON.stringify({ ...tinyMlp([28, 28, 1], 64, 10), name: 'tiny' }));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const request = (over: Partial<TrainRequest> = {}): TrainRequest => ({
    modelPath, data: 'bundled', epochs: 2, batchSize: 50, seed: 3, valSplit: 0.1, experimentsDir: path.join(tmp, 'exp'), backend: 'cpu', maxSamples: 1000,
    optimizer: { kind: 'bop', gamma: { kind: 'constant', value: 1e-3 }, threshold: { kind: 'constant', value: 1e-6 }, lr: { kind: 'constant', value: 0.01 } },
    ...over,
  });

  it('trains in a child process over typed, versioned IPC and beats chance on the bundled Fashion-MNIST subset', async () => {
    const msgs: WorkerToHost[] = [];
    const r = await startTrainer(request({ epochs: 2, maxSamples: 1500 }), (m) => msgs.push(m)).done;
    assert.equal(r.status?.state, 'completed', JSON.stringify(r));
    assert.ok(msgs.every((m) => m.v === 1));
    assert.ok(msgs.some((m) => m.type === 'metrics' && m.event.kind === 'epoch'));
    assert.ok(r.status!.final!.testAccuracy! > 0.6, `test accuracy ${r.status!.final!.testAccuracy} (chance 0.1)`);
    assert.equal(loadCheckpoint(path.join(r.experimentDir!, 'checkpoints', 'last')).spec.name, 'tiny');
  });

  it('rejects an invalid model with its validation errors and creates no experiment', async () => {
    fs.writeFileSync(modelPath, JSON.stringify({ name: 'bad', input: { shape: [28, 28, 1] }, classes: 10, layers: [{ type: 'QuantDense', units: 10 }] }));
    const r = await startTrainer(request(), () => undefined).done;
    assert.match(r.error ?? '', /model is invalid[\s\S]*tiny\.bnn\.json:\d+:\d+/);
    assert.equal(r.experimentDir, undefined);
    assert.ok(!fs.existsSync(path.join(tmp, 'exp')) || fs.readdirSync(path.join(tmp, 'exp')).length === 0);
  });

  it('a missing dataset is a clear error', async () => {
    const r = await startTrainer(request({ data: path.join(tmp, 'nowhere') }), () => undefined).done;
    assert.match(r.error ?? '', /nowhere/);
  });

  it('SIGKILL mid-run (2 data-parallel threads): the experiment still reads (failed, with the cause) and resumes from its last checkpoint to completion on 2 threads', async () => {
    let killed = false;
    const proc: ReturnType<typeof startTrainer> = startTrainer(request({ epochs: 3, threads: 2 }), (m) => {
      if (!killed && m.type === 'status' && m.status.lastCheckpoint) { killed = true; proc.kill(); }
    });
    const r = await proc.done;
    assert.ok(killed);
    assert.equal(r.status?.state, 'failed');
    assert.match(r.status!.error!.message, /killed \(SIGKILL/);
    const dir = r.experimentDir!;
    assert.equal(readStatus(dir)?.state, 'failed');
    assert.equal(fs.existsSync(path.join(dir, 'lock.json')), false, 'the host removes the killed trainer\'s lock');
    assert.ok(readMetrics(dir).length > 0);
    loadCheckpoint(path.join(dir, 'checkpoints', 'last'));
    const resumed = await startTrainer(request({ epochs: 3, resume: dir }), () => undefined).done;
    assert.equal(resumed.status?.state, 'completed', JSON.stringify(resumed));
    assert.equal(resumed.experimentDir, dir);
    assert.equal(resumed.status!.epoch, 3);
    assert.deepEqual(readMetrics(dir).filter((e) => e.kind === 'epoch').map((e) => e.epoch), [1, 2, 3]);
    const config = readConfig(dir);
    assert.equal(config.threads, 2);
    assert.equal(config.backend, 'cpu (plain JavaScript) × 2 data-parallel threads');
  });

  it('a standalone trainer killed with SIGKILL leaves a running status of a dead pid, read as interrupted', async () => {
    const entry = trainerEntry();
    const child = spawn(process.execPath, [...entry.execArgv, entry.file, '--request', JSON.stringify(request({ epochs: 50 }))], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const dir = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const lines = out.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as WorkerToHost);
        const started = lines.find((m) => m.type === 'started') as Extract<WorkerToHost, { type: 'started' }> | undefined;
        if (started && lines.some((m) => m.type === 'metrics')) resolve(started.experimentDir);
      });
      child.on('exit', () => reject(new Error(`worker exited early: ${out}`)));
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    const st = readStatus(dir)!;
    assert.equal(st.state, 'running');
    assert.equal(effectiveState(st), 'interrupted');
  });
});
