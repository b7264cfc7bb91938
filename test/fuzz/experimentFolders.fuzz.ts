/**
 * Fuzzing experiment folders (issue 18): ≥ 1,000 copies of a real trained run, each damaged — files truncated,
 * overwritten with garbage, deleted, emptied, replaced by other JSON, fields given the wrong type, turned into folders
 * or dangling links — and some held by a live process's lock; each listed, evaluated, compiled and resumed in a
 * time-boxed worker. A clear message or a correct result, never a stack trace, never a write into a live run's folder.
 */
import { strict as assert } from 'node:assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import type { Damage, ExperimentCase } from './support/experimentCheck';
import { fuzzSeed, runTimeBoxed } from './support/timeBox';

const ROOT = path.join(__dirname, '..', '..');
const CHECKER = path.join(__dirname, 'support', 'experimentCheck.ts');
const CASES = Number(process.env.FUZZ_CASES ?? 1_000);
const PER_CASE_MS = 30_000;

// Small enough that a thousand copies are cheap; still a real run of the real trainer on the bundled data.
const MODEL = {
  name: 'fuzz_mlp', input: { shape: [28, 28, 1] }, classes: 10,
  layers: [
    { type: 'Flatten' },
    { type: 'QuantDense', units: 16, kernelQuantizer: 'ste_sign', useBias: false },
    { type: 'BatchNormalization' },
    { type: 'QuantDense', units: 10, inputQuantizer: 'ste_sign', kernelQuantizer: 'ste_sign', useBias: false },
    { type: 'BatchNormalization' },
    { type: 'Activation', activation: 'softmax' },
  ],
};

const JSON_TEXTS = ['[]', 'null', '{}', '"x"', '0', 'true', '{"id":', '{"formatVersion":99}', '{"state":"running","pid":1}', '\u0000\u0001', '{"a":'.repeat(100)];
const VALUES: unknown[] = [null, -1, 1e308, '', 'x'.repeat(300), [], {}, true, '../../etc/passwd', 'best', 'last', '../outside', NaN];
const damageArb: fc.Arbitrary<Damage> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), file: fc.nat(), at: fc.nat() }),
  fc.record({ kind: fc.constant('garbage' as const), file: fc.nat(), bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant('delete' as const), file: fc.nat() }),
  fc.record({ kind: fc.constant('empty' as const), file: fc.nat() }),
  fc.record({ kind: fc.constant('json' as const), file: fc.nat(), text: fc.constantFrom(...JSON_TEXTS) }),
  fc.record({ kind: fc.constant('jsonField' as const), file: fc.nat(), field: fc.nat(), value: fc.constantFrom(...VALUES) }),
  fc.record({ kind: fc.constant('dir' as const), file: fc.nat() }),
  fc.record({ kind: fc.constant('dangling' as const), file: fc.nat() }),
);

describe('fuzz: damaged experiment folders through list, eval, compile and resume', function () {
  this.timeout(600_000);
  const seed = fuzzSeed();
  let tmp: string;
  let template: string;
  let owner: ChildProcess | undefined;
  let liveLock: string;

  before(async () => {
    // a memory file system where there is one: a thousand copies with their fsyncs and deletes cost ~10× less there
    tmp = fs.mkdtempSync(path.join(fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'bnn-fuzz-exp-'));
    const modelFile = path.join(tmp, 'fuzz_mlp.bnn.json');
    fs.writeFileSync(modelFile, JSON.stringify(MODEL, null, 2));
    const experiments = path.join(tmp, 'template');
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'bnn.js'), 'train', modelFile, '--data', 'bundled', '--epochs', '2', '--max-samples', '300', '--experiments', experiments], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, `training the template run failed (is dist/ built? npm run build):\n${r.stderr}`);
    template = path.join(experiments, fs.readdirSync(experiments)[0]);
    // A live process that holds a lock: its lock.json is copied into the cases that test a live owner.
    const lockDir = path.join(tmp, 'owner');
    fs.mkdirSync(lockDir);
    owner = spawn(process.execPath, ['-e', `require('tsx/cjs'); require(${JSON.stringify(path.join(ROOT, 'src', 'core', 'experiments', 'lock.ts'))}).acquireLock(process.argv[1], 'training'); console.log('locked'); setInterval(() => {}, 1e6);`, lockDir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      owner!.stdout!.on('data', (d: Buffer) => { if (d.toString().includes('locked')) resolve(); });
      owner!.on('exit', (code) => reject(new Error(`the lock holder exited (${code})`)));
    });
    liveLock = fs.readFileSync(path.join(lockDir, 'lock.json'), 'utf8');
  });
  after(() => {
    owner?.kill('SIGKILL');
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it(`${CASES} damaged folders: a result or a clear message, never a stack trace or a write into a live run`, async () => {
    const caseArb = fc.record({ damages: fc.array(damageArb, { minLength: 1, maxLength: 3 }), live: fc.integer({ min: 0, max: 9 }) });
    const inputs: ExperimentCase[] = fc.sample(caseArb, { numRuns: CASES, seed }).map((c, index) => ({
      template, root: path.join(tmp, 'cases'), index, damages: c.damages, liveLock: c.live === 0 ? liveLock : undefined,
    }));
    fs.mkdirSync(path.join(tmp, 'cases'));
    const run = await runTimeBoxed(path.join(CHECKER), inputs, PER_CASE_MS);
    console.log(`      seed ${seed}: ${inputs.length} folders in ${run.ms} ms — ${JSON.stringify(run.stats)}`);
    const shown = run.failures.slice(0, 4).map((f) => `case ${f.index} ${JSON.stringify(f.input.damages)}: ${f.error}`).join('\n\n');
    assert.equal(run.failures.length, 0, `${run.failures.length} failing case(s) (FUZZ_SEED=${seed} replays this run)\n${shown}`);
    // Both outcomes must occur, or the damage is not reaching the commands.
    for (const s of ['eval ok', 'eval refused', 'compile ok', 'compile refused', 'resume ok', 'resume refused', 'resume refused: live owner']) {
      assert.ok((run.stats[s] ?? 0) > 0, `no case ended in "${s}": ${JSON.stringify(run.stats)}`);
    }
  });
});
