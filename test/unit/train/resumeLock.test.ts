import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { acquireLock, ExperimentLockedError, lockHolder, processStartTime } from '../../../src/core/experiments/lock';
import { LOCK_FILE } from '../../../src/core/experiments/types';
import { createExperiment, deleteExperiment, readExperiment } from '../../../src/core/experiments/store';
import { sampleInit } from '../../support/experimentInit';
import type { TrainJob } from '../../../src/core/train/trainer';
import { prepareJob } from '../../../src/core/train/job';
import { syntheticData } from '../../support/syntheticData';
import { tinyMlp } from '../../support/models';
import { runJob } from '../../support/runJob';
import { requireTool } from '../../support/tools';
import { generateLarqProject } from '../../../src/core/interop/larqScript';

const data = syntheticData({ shape: [8, 8, 1], classes: 4, train: 400, test: 50, seed: 3 });

function job(dir: string, over: Partial<TrainJob> = {}): TrainJob {
  return {
    spec: tinyMlp(), modelPath: 'tiny.bnn.json', data, epochs: 1, batchSize: 50, seed: 7, valSplit: 0.1, experimentsDir: dir, backend: 'cpu',
    optimizer: { kind: 'bop', gamma: { kind: 'constant', value: 1e-3 }, threshold: { kind: 'constant', value: 1e-6 }, lr: { kind: 'constant', value: 0.01 } },
    eventsPerSecond: 0, threads: 1, ...over,
  };
}

/** A real second process holding the lock of `dir`; resolves with it once it holds it. */
async function holdLock(dir: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-r', 'tsx/cjs', path.join(__dirname, '..', '..', 'support', 'lockHolderChild.ts'), dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => { err += d; });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => { out += d; if (out.includes('locked')) resolve(); });
    child.on('exit', (code) => reject(new Error(`lock holder exited (${code}): ${err}`)));
  });
  return child;
}

async function kill9(child: ChildProcess): Promise<void> {
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await gone;
}

describe('experiment lock and resume (one writer per folder)', function () {
  this.timeout(60000);
  let tmp: string;
  beforeEach(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-lock-')); });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('a second process is refused with the folder and the holder pid; after kill -9 the stale lock is taken over', async () => {
    const child = await holdLock(tmp);
    try {
      assert.equal(lockHolder(tmp)?.pid, child.pid);
      assert.throws(() => acquireLock(tmp, 'resume'), (e: Error) => {
        assert.ok(e instanceof ExperimentLockedError);
        assert.ok(e.message.includes(tmp), e.message);
        assert.ok(e.message.includes(`process ${child.pid}`), e.message);
        return true;
      });
    } finally {
      await kill9(child);
    }
    assert.equal(lockHolder(tmp), undefined, 'the killed holder no longer counts');
    const lock = acquireLock(tmp, 'resume');
    assert.equal(JSON.parse(fs.readFileSync(path.join(tmp, LOCK_FILE), 'utf8')).pid, process.pid);
    lock.release();
    assert.equal(fs.existsSync(path.join(tmp, LOCK_FILE)), false);
    assert.deepEqual(fs.readdirSync(tmp), [], 'no temp or aside files are left behind');
  });

  it('a lock whose pid now belongs to another process (other start time) is stale; a garbled one too', function () {
    if (processStartTime(process.pid) === undefined) this.skip(); // no /proc: only a dead pid marks a lock stale
    fs.writeFileSync(path.join(tmp, LOCK_FILE), JSON.stringify({ formatVersion: 1, pid: process.pid, startTime: '1', host: os.hostname(), purpose: 'training', createdAt: 'then', token: 'old' }));
    assert.equal(lockHolder(tmp), undefined);
    const lock = acquireLock(tmp, 'training');
    assert.equal(lockHolder(tmp)?.token, lock.info.token);
    lock.release();
    fs.writeFileSync(path.join(tmp, LOCK_FILE), '{"pid": 12');
    acquireLock(tmp, 'training').release();
  });

  it('a running status reads as running while its lock is live, and as interrupted once its pid is reused by another process', async function () {
    if (processStartTime(process.pid) === undefined) this.skip();
    const root = path.join(tmp, 'exps');
    const e = createExperiment(root, sampleInit(), { pid: process.pid }); // this process is alive: status.json alone says running
    const child = await holdLock(e.dir);
    try {
      assert.equal((await readExperiment(e.dir)).state, 'running');
    } finally {
      await kill9(child);
    }
    // the trainer died; its pid now belongs to this (live) process, with another start time
    fs.writeFileSync(path.join(e.dir, LOCK_FILE), JSON.stringify({ formatVersion: 1, pid: process.pid, startTime: '1', host: os.hostname(), purpose: 'training', createdAt: 'then', token: 'old' }));
    assert.equal((await readExperiment(e.dir)).state, 'interrupted');
    assert.deepEqual(deleteExperiment(e.dir, { root }), { removed: 'folder' }, 'and it can be deleted');
  });

  it('another host\'s lock cannot be checked, so it is respected and the message says how to clear it', () => {
    fs.writeFileSync(path.join(tmp, LOCK_FILE), JSON.stringify({ formatVersion: 1, pid: 4242, host: 'elsewhere.example', purpose: 'training', createdAt: 'then', token: 't' }));
    assert.throws(() => acquireLock(tmp, 'resume'), /process 4242 on host elsewhere\.example .*delete .*lock\.json/);
  });

  it('resume while another process trains the folder is refused before anything in it is written', async () => {
    const first = await runJob(job(tmp));
    assert.equal(first.status.state, 'completed');
    const before = Object.fromEntries(['status.json', 'config.json', 'metrics.jsonl'].map((f) => [f, fs.readFileSync(path.join(first.dir, f), 'utf8')]));
    const child = await holdLock(first.dir);
    try {
      await assert.rejects(runJob(job(tmp, { epochs: 2, resume: first.dir })), (e: Error) => e.message.includes(first.dir) && e.message.includes(`process ${child.pid}`));
      for (const [f, text] of Object.entries(before)) assert.equal(fs.readFileSync(path.join(first.dir, f), 'utf8'), text, `${f} untouched`);
      assert.throws(() => deleteExperiment(first.dir, { root: tmp }), new RegExp(`still running \\(process ${child.pid}`));
    } finally {
      await kill9(child);
    }
    const resumed = await runJob(job(tmp, { epochs: 2, resume: first.dir }));
    assert.equal(resumed.status.state, 'completed');
    assert.equal(resumed.status.epoch, 2);
    assert.equal(fs.existsSync(path.join(first.dir, LOCK_FILE)), false, 'the lock goes with the run');
  });

  it('a config naming an unknown optimizer, or a damaged training-state.json, is named with its file on resume', async () => {
    const first = await runJob(job(tmp));
    const cfgFile = path.join(first.dir, 'config.json');
    const good = fs.readFileSync(cfgFile, 'utf8');
    fs.writeFileSync(cfgFile, JSON.stringify({ ...JSON.parse(good), optimizer: { kind: 'adamw', lr: { kind: 'constant', value: 0.01 } } }));
    const req = { modelPath: '', data: '', epochs: 2, batchSize: 50, optimizer: job(tmp).optimizer, seed: 7, valSplit: 0.1, experimentsDir: tmp, resume: first.dir };
    const unknown = new RegExp(`^${cfgFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: optimizer\\.kind "adamw" is not one of bop, bop2, latent$`);
    assert.throws(() => prepareJob(req), (e: Error) => unknown.test(e.message));
    await assert.rejects(runJob(job(tmp, { epochs: 2, resume: first.dir })), (e: Error) => unknown.test(e.message));
    fs.writeFileSync(cfgFile, good);
    const stateFile = path.join(first.dir, 'checkpoints', 'last', 'training-state.json');
    fs.writeFileSync(stateFile, fs.readFileSync(stateFile, 'utf8').slice(0, 40));
    await assert.rejects(runJob(job(tmp, { epochs: 2, resume: first.dir })), (e: Error) => e.message.startsWith(`${stateFile}: not readable JSON`));
    fs.writeFileSync(stateFile, JSON.stringify({ formatVersion: 1, epoch: 'one' }));
    await assert.rejects(runJob(job(tmp, { epochs: 2, resume: first.dir })), new RegExp('training-state\\.json: epoch "one" is not a whole number'));
    assert.equal(fs.existsSync(path.join(first.dir, LOCK_FILE)), false, 'a refused resume releases its lock');
  });
});

describe('the exported Larq trainer takes the same lock', () => {
  it('holds lock.json while it writes (BNN Studio refuses to resume or delete the run) and releases it at the end', async function () {
    this.timeout(30000);
    const python = requireTool(this, 'python3', 'apt-get install python3');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-larq-lock-'));
    try {
      const files = generateLarqProject({
        spec: tinyMlp(), optimizer: { kind: 'bop', lr: { kind: 'constant', value: 0.01 } }, dataset: 'mnist', epochs: 1, batchSize: 50, seed: 0, valSplit: 0.1, generator: 'test',
      });
      for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
      const exp = path.join(dir, 'exp');
      // the script's own writer, run without TensorFlow; it releases the lock when told on stdin
      const child = spawn(python, ['-c', `
import sys; sys.path.insert(0, ${JSON.stringify(dir)})
import train
w = train.ExperimentWriter(${JSON.stringify(exp)}, "run1")
w.status("running", 0, 0, 10)
print("locked", flush=True)
sys.stdin.readline()
w.release()
`], { stdio: ['pipe', 'pipe', 'pipe'] });
      let err = '';
      child.stderr!.on('data', (d) => { err += d; });
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (d) => { if (String(d).includes('locked')) resolve(); });
        child.on('exit', (code) => reject(new Error(`python exited (${code}): ${err}`)));
      });
      const run = path.join(exp, 'run1');
      try {
        assert.equal(lockHolder(run)?.pid, child.pid, 'BNN Studio sees the Python writer as the live holder');
        assert.throws(() => acquireLock(run, 'resume'), (e: Error) => e instanceof ExperimentLockedError && e.message.includes(`process ${child.pid}`));
        assert.equal(JSON.parse(fs.readFileSync(path.join(run, 'status.json'), 'utf8')).formatVersion, 1);
        const gone = new Promise((r) => child.once('exit', r));
        child.stdin!.end('\n');
        await gone;
      } finally {
        child.kill('SIGKILL');
      }
      assert.equal(fs.existsSync(path.join(run, LOCK_FILE)), false);
      assert.deepEqual(fs.readdirSync(run).filter((f) => f.startsWith('.')), []);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
