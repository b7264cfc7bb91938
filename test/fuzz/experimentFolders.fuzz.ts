/**
 * Fuzzing experiment folders (issue 18): 2,000 copies of a real trained run, each damaged — files truncated, deleted,
 * overwritten with garbage or other JSON, keys deleted or given other types, folders where files were, symlink loops —
 * some while another live process holds the run's lock, each through the listing, `bnn eval`, `bnn compile` and a
 * resume in a time-boxed worker. Only clear messages or correct results may come back, and a locked run is never
 * written to.
 */
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { encodeIdx } from '../../src/core/data';
import { loadDataset } from '../../src/core/data/load';
import { processStartTime } from '../../src/core/experiments/lock';
import { runTraining } from '../../src/core/train/trainer';
import { tinyMlp } from '../support/models';
import { fuzzSeed, runTimeBoxed } from './support/timeBox';
import type { Edit, ExperimentCase, Json } from './support/experimentCheck';

const CHECKER = path.join(__dirname, 'support', 'experimentCheck.ts');
const PER_CASE_MS = 10_000;
const CASES = 2_000;

const FILES = [
  'config.json', 'config.json', 'config.json', 'status.json', 'status.json', 'metrics.jsonl', 'lock.json',
  'checkpoints/best/model.json', 'checkpoints/best/model.json', 'checkpoints/best/weights.bin', 'checkpoints/best/binary-weights.json',
  'checkpoints/last/model.json', 'checkpoints/last/weights.bin', 'checkpoints/last/training-state.json', 'checkpoints/last/training-state.json',
  'checkpoints/last/training-state.bin', 'checkpoints/best', 'checkpoints/last', 'checkpoints',
];
const valueArb: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(0, -1, 1e308, -1e308, 0.5, 2 ** 53 + 1, '', 'x'.repeat(3000), '\u0000', '../../etc', 'best', 'last', 'adamw', 'running', null, true, [], {}, [1, 2], { kind: 'constant' }),
  fc.integer({ min: -3, max: 1000 }),
  fc.string({ unit: 'grapheme', maxLength: 10 }),
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
);
const editArb: fc.Arbitrary<Edit> = fc.record({
  file: fc.constantFrom(...FILES),
  op: fc.constantFrom<Edit['op']>('delete', 'truncate', 'truncate', 'garbage', 'replaceJson', 'editJson', 'editJson', 'editJson', 'deleteKey', 'deleteKey', 'dirInstead', 'symlinkLoop'),
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  value: valueArb,
  bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 12 }),
});

describe('fuzz: damaged experiment folders through list, eval, compile and resume', function () {
  this.timeout(180_000);
  const seed = fuzzSeed();
  let work: string;
  let base: string;
  let holder: ChildProcess;

  before(async () => {
    // a memory file system where there is one: a thousand copies, fsyncs and deletes cost little there
    work = fs.mkdtempSync(path.join(fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'bnn-fuzz-exp-'));
    // a small slice of the bundled set in a folder of its own: eval loads it in every case, which must stay cheap
    const full = loadDataset('bundled');
    const data = path.join(work, 'data');
    fs.mkdirSync(data);
    const px = 28 * 28;
    fs.writeFileSync(path.join(data, 'train-images-idx3-ubyte'), encodeIdx([200, 28, 28], full.train.images.subarray(0, 200 * px)));
    fs.writeFileSync(path.join(data, 'train-labels-idx1-ubyte'), encodeIdx([200], full.train.labels.subarray(0, 200)));
    fs.writeFileSync(path.join(data, 't10k-images-idx3-ubyte'), encodeIdx([16, 28, 28], full.test.images.subarray(0, 16 * px)));
    fs.writeFileSync(path.join(data, 't10k-labels-idx1-ubyte'), encodeIdx([16], full.test.labels.subarray(0, 16)));
    const ds = loadDataset(data);
    let dir: string | undefined;
    const status = await runTraining({
      spec: { ...tinyMlp([28, 28, 1], 8, 10), name: 'fuzz-mlp' }, modelPath: 'fuzz-mlp.bnn.json',
      data: { name: ds.name, path: ds.dir, shape: ds.shape, classes: ds.classes, train: ds.train, test: ds.test },
      optimizer: { kind: 'bop', gamma: { kind: 'constant', value: 1e-3 }, threshold: { kind: 'constant', value: 1e-6 }, lr: { kind: 'constant', value: 0.01 } },
      epochs: 1, batchSize: 50, seed: 3, valSplit: 0.2, experimentsDir: path.join(work, 'base'), backend: 'cpu', maxSamples: 200, eventsPerSecond: 0, threads: 1,
    }, { emit: (m) => { if (m.type === 'started') dir = m.experimentDir; }, cancelled: () => false });
    assert.equal(status.state, 'completed', JSON.stringify(status.error));
    base = dir!;
    // a live process whose identity the locked cases put into lock.json
    holder = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30)'], { stdio: 'ignore' });
  });
  after(() => {
    holder?.kill('SIGKILL');
    fs.rmSync(work, { recursive: true, force: true });
  });

  it(`${CASES} damaged copies of a trained run: a clear message or a correct result, never a write into a locked run`, async () => {
    const bootId = (() => { try { return fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(); } catch { return undefined; } })();
    const lockedBy = { pid: holder.pid!, startTime: processStartTime(holder.pid!), ...(bootId ? { bootId } : {}) };
    const caseArb = fc.record({ edits: fc.array(editArb, { minLength: 1, maxLength: 3 }), locked: fc.nat({ max: 4 }) });
    const inputs: ExperimentCase[] = fc.sample(caseArb, { numRuns: CASES, seed }).map((c, index) => ({
      base, work, index, edits: c.edits, ...(c.locked === 0 ? { lockedBy } : {}),
    }));
    const run = await runTimeBoxed(path.join(CHECKER), inputs, PER_CASE_MS);
    console.log(`      seed ${seed}: ${inputs.length} folders in ${run.ms} ms — ${JSON.stringify(run.stats)}`);
    const shown = run.failures.slice(0, 12).map((f) => `case ${f.index} ${JSON.stringify(f.input.edits).slice(0, 400)}${f.input.lockedBy ? ' (locked)' : ''}:\n  ${f.error}`).join('\n');
    assert.equal(run.failures.length, 0, `${run.failures.length} failing case(s) (FUZZ_SEED=${seed} replays this run)\n${shown}`);
    // the damage must leave some runs that still work, or only the first check is exercised
    for (const k of ['eval ok', 'compile ok', 'resume ok', 'eval refused', 'resume refused', 'locked: untouched']) assert.ok((run.stats[k] ?? 0) >= 20, `only ${run.stats[k] ?? 0} cases '${k}'`);
  });
});
