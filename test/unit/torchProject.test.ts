/**
 * The PyTorch training project (`bnn export-torch`, python/bnn_torch/): exported for the binary MLP and run for real
 * with torchrun on two processes (DistributedDataParallel over gloo) on the bundled Fashion-MNIST, then read back
 * through BNN Studio's own readers only — the experiment list, the metrics reader, the checkpoint loader and the
 * compiler — and the compiled model's classes compared with the ones PyTorch itself predicted.
 */
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTorchProject, TORCHRUN_COMMAND } from '../../src/core/interop/torchProject';
import { loadModelText } from '../../src/core/model/load';
import { loadDataset, locateDataset } from '../../src/core/data';
import { optimizerFromPreset } from '../../src/core/train/presets';
import { listExperiments } from '../../src/core/experiments/read';
import { readStatusFile } from '../../src/core/experiments/files';
import { describeSkipped, readMetrics } from '../../src/core/experiments/metrics';
import { loadExperimentModel } from '../../src/core/train/experimentModel';
import { compileModel } from '../../src/core/compile/compile';
import { referenceInfer } from '../../src/core/compile/reference';
import { accuracy } from '../../src/core/train/predict';
import { hasBinaryKernel } from '../../src/core/model/spec';
import { requirePythonModule, requireTool } from '../support/tools';

const ROOT = join(__dirname, '..', '..');
// Debian's interpreter: the first python3 on PATH may be another one without torch
const PYTHON = '/usr/bin/python3';

describe('PyTorch training project (torchrun, DistributedDataParallel)', () => {
  const TRAIN_SAMPLES = 2000;
  const BATCH = 100;
  let project: string;
  let experiments: string;
  let run: ReturnType<typeof spawnSync>;

  before(function () {
    this.timeout(180_000);
    requirePythonModule(this, PYTHON, 'torch', 'apt-get install python3-torch');
    requirePythonModule(this, PYTHON, 'numpy', 'apt-get install python3-numpy');
    const spec = loadModelText(readFileSync(join(ROOT, 'examples', 'binary-mlp.bnn.json'), 'utf8'), 'binary-mlp.bnn.json').spec!;
    const loc = locateDataset('bundled');
    project = mkdtempSync(join(tmpdir(), 'bnn-torch-project-'));
    experiments = mkdtempSync(join(tmpdir(), 'bnn-torch-exp-'));
    writeTorchProject(project, {
      spec, modelPath: 'binary-mlp.bnn.json', optimizer: optimizerFromPreset('bop').optimizer,
      dataset: { name: loc.name, dir: loc.dir, files: loc.idx! }, epochs: 1, batchSize: BATCH, seed: 0, valSplit: 0.1, generator: 'test',
    });
    // the command the export prints, with Debian's interpreter
    const [, ...torchrun] = TORCHRUN_COMMAND.split(' ');
    run = spawnSync(PYTHON, [...torchrun, '--experiments', experiments, '--max-train-samples', String(TRAIN_SAMPLES)], {
      cwd: project, encoding: 'utf8', timeout: 150_000, env: { ...process.env, OMP_NUM_THREADS: '1' },
    });
  });

  it('copies the Python sources as they are, beside a generated config.json and requirements.txt', () => {
    const files = readdirSync(project).filter((f) => !f.startsWith('.') && f !== '__pycache__').sort();
    const sources = readdirSync(join(ROOT, 'python', 'bnn_torch')).filter((f) => f.endsWith('.py')).sort();
    assert.deepEqual(files, [...sources, 'config.json', 'requirements.txt'].sort());
    for (const f of sources) assert.equal(readFileSync(join(project, f), 'utf8'), readFileSync(join(ROOT, 'python', 'bnn_torch', f), 'utf8'), f);
  });

  it('runs on 2 processes and the run is listed completed with its metrics', async () => {
    assert.equal(run.status, 0, `torchrun failed (${run.status}):\n${String(run.stdout).slice(-2000)}\n${String(run.stderr).slice(-3000)}`);
    const list = await listExperiments(experiments);
    assert.equal(list.length, 1, 'rank 0 alone writes one experiment');
    const e = list[0];
    assert.deepEqual(e.problems, []);
    assert.equal(e.state, 'completed');
    assert.equal(e.config?.engine, 'torch');
    assert.equal(e.config?.threads, 2);
    const trainSamples = TRAIN_SAMPLES - Math.round(TRAIN_SAMPLES * 0.1);
    assert.equal(e.config?.dataset.trainSamples, trainSamples);
    // DistributedSampler gives each of 2 ranks ceil(n/2) samples, in batches of BATCH/2
    const steps = Math.ceil(Math.ceil(trainSamples / 2) / (BATCH / 2));
    assert.equal(e.status?.step, steps);
    const parsed = await readMetrics(e.dir);
    assert.equal(parsed.skipped, 0, describeSkipped(parsed));
    const stepEvents = parsed.events.filter((ev) => ev.kind === 'step');
    const epochEvents = parsed.events.filter((ev) => ev.kind === 'epoch');
    assert.deepEqual(stepEvents.map((ev) => ev.step), Array.from({ length: Math.floor(steps / 10) }, (_, i) => (i + 1) * 10));
    assert.equal(epochEvents.length, 1);
    assert.equal(epochEvents[0].step, steps);
    const binary = e.config!.model.layers.filter(hasBinaryKernel).map((l) => l.name);
    for (const ev of stepEvents) {
      if (ev.kind !== 'step') continue;
      assert.deepEqual(Object.keys(ev.flipRatio).sort(), [...binary].sort());
      for (const r of Object.values(ev.flipRatio)) assert.ok(r >= 0 && r <= 1, `flip ratio ${r}`);
      assert.equal(ev.gamma, 1e-4);
    }
  });

  for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
    it(`a run stopped by ${signal} after its first epoch reads ${signal === 'SIGKILL' ? 'interrupted' : 'cancelled'}, with a checkpoint that loads`, async function () {
      this.timeout(120_000);
      const root = mkdtempSync(join(tmpdir(), 'bnn-torch-kill-'));
      const child = spawn(PYTHON, ['train.py', '--experiments', root, '--epochs', '10000', '--max-train-samples', '1000'], { cwd: project, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr!.on('data', (d) => { stderr += d; });
      const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
      // wait until status.json names the first epoch's checkpoint, then stop the run wherever it is (mid-step,
      // mid-checkpoint: a kill between the swap's two renames leaves the old copy aside, where readers look)
      const deadline = Date.now() + 90_000;
      let dir: string | undefined;
      while (Date.now() < deadline) {
        dir = readdirSync(root).map((id) => join(root, id))[0];
        if (dir && readStatusFile(dir)?.lastCheckpoint) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      child.kill(signal);
      await exited;
      const [e] = await listExperiments(root);
      assert.equal(e.state, signal === 'SIGKILL' ? 'interrupted' : 'cancelled', `${readFileSync(join(e.dir, 'status.json'), 'utf8')}\n${stderr.slice(-2000)}`);
      const { trained } = loadExperimentModel(e.dir, 'last');
      assert.ok(trained.meta.epoch >= 1, `checkpoint of epoch ${trained.meta.epoch}`);
    });
  }

  it('its checkpoint compiles and the compiled model predicts the classes PyTorch predicted', function () {
    this.timeout(60_000);
    assert.equal(run.status, 0, 'torchrun failed (see above)');
    const [id] = readdirSync(experiments);
    const dir = join(experiments, id);
    const { trained } = loadExperimentModel(dir, 'last');
    const compiled = compileModel(trained);
    const torch = JSON.parse(readFileSync(join(dir, 'torch-predictions.json'), 'utf8')) as { classes: number[] };
    const test = loadDataset('bundled').test;
    const sample = 28 * 28;
    assert.equal(torch.classes.length, test.count);
    const n = 300;
    let agree = 0;
    for (let i = 0; i < n; i++) {
      if (referenceInfer(compiled.model, test.images.subarray(i * sample, (i + 1) * sample)).class === torch.classes[i]) agree++;
    }
    assert.equal(agree, n, `the compiled model agrees with PyTorch on ${agree} of ${n} test images`);
    // and the test accuracy PyTorch reported is the one BNN Studio measures on the same checkpoint
    const status = JSON.parse(readFileSync(join(dir, 'status.json'), 'utf8')) as { final: { testAccuracy: number } };
    const ours = accuracy(trained, test.images, test.labels);
    assert.ok(Math.abs(ours - status.final.testAccuracy) <= 2 / test.count, `BNN Studio ${ours}, PyTorch ${status.final.testAccuracy}`);
    assert.ok(ours > 0.3, `after one short epoch the model learned something (test accuracy ${ours})`);
  });

  it('on the emulated board (bnn bench) the PyTorch-trained run predicts as BNN Studio\'s host reference', function () {
    this.timeout(120_000);
    requireTool(this, 'qemu-system-arm', 'apt-get install qemu-system-arm');
    requireTool(this, 'arm-none-eabi-gcc', 'apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi');
    assert.equal(run.status, 0, 'torchrun failed (see above)');
    const [id] = readdirSync(experiments);
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'bnn.js'), 'bench', join(experiments, id), '--board', 'qemu-stm32', '--samples', '50', '--json'], { cwd: ROOT, encoding: 'utf8', timeout: 110_000 });
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { samples: number; agreement: number };
    assert.equal(j.samples, 50);
    assert.equal(j.agreement, 1);
  });
});

describe('bnn export-torch', () => {
  const bnn = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'bin', 'bnn.js'), ...args], { cwd: ROOT, encoding: 'utf8' });

  it('writes the project with the model, the preset\'s Bop and the dataset\'s files, and prints how to run it', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'bnn-export-torch-')), 'project');
    const r = bnn('export-torch', 'examples/binary-mlp.bnn.json', '--out', out, '--epochs', '3', '--batch-size', '64');
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.stdout.includes(TORCHRUN_COMMAND), r.stdout);
    const cfg = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    assert.equal(cfg.kind, 'bnn-studio-torch-project');
    assert.equal(cfg.model.name, 'binary_mlp');
    assert.deepEqual([cfg.epochs, cfg.batchSize], [3, 64]);
    assert.deepEqual([cfg.optimizer.kind, cfg.optimizer.gamma, cfg.optimizer.threshold], ['bop', { kind: 'constant', value: 1e-4 }, { kind: 'constant', value: 1e-8 }]);
    assert.equal(cfg.dataset.files.trainImages, join(ROOT, 'examples', 'data', 'fashion-mnist-small', 'train-images-idx3-ubyte.gz'));
    // the checkpoint's topology names the model's layers in order
    assert.deepEqual(cfg.topology.config.layers.map((l: { config: { name: string } }) => l.config.name).filter((n: string) => !n.startsWith('input')), cfg.model.layers.map((l: { name: string }) => l.name));
  });

  it('refuses a non-empty folder and a bad flag with a message, not a stack trace', () => {
    const out = mkdtempSync(join(tmpdir(), 'bnn-export-torch-'));
    writeFileSync(join(out, 'keep.txt'), 'x');
    const busy = bnn('export-torch', 'examples/binary-mlp.bnn.json', '--out', out);
    assert.equal(busy.status, 1);
    assert.match(busy.stderr, /is not empty \(use --force to overwrite\)/);
    const bad = bnn('export-torch', 'examples/binary-mlp.bnn.json', '--out', join(out, 'p'), '--epochs', '0');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--epochs must be a whole number ≥ 1/);
    for (const r of [busy, bad]) assert.doesNotMatch(r.stderr, /\n\s+at /);
  });
});
