/**
 * The C runtime (firmware/runtime/) kernel by kernel on the host's gcc: random shapes, expected values from the
 * TypeScript reference (test/support/kernelVectors.ts), built as a model build gets it. The other builds (the
 * -DBNN_PORTABLE_C and builtin-popcount paths, the Cortex-M0/M3/M7/M33 matrix) and the emulated Cortex-M4 run, where
 * the inline assembly runs, are test/slow/runtimeKernels.test.ts.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HOST_IO, kernelSuite, mismatches } from '../support/kernelVectors';
import { WARN_FLAGS } from '../support/ccompile';
import { requireTool } from '../support/tools';

const RUNTIME = join(__dirname, '..', '..', 'firmware', 'runtime');

/** Every function the runtime headers define. */
function runtimeFunctions(): string[] {
  const names = new Set<string>();
  for (const f of readdirSync(RUNTIME).filter((n) => n.endsWith('.h'))) {
    for (const m of readFileSync(join(RUNTIME, f), 'utf8').matchAll(/^static\s+[^;{(]*?\b(bnn_\w+)\s*\(/gm)) names.add(m[1]);
  }
  return [...names].sort();
}

describe('C runtime kernels on the host (gcc)', function () {
  this.timeout(120_000);
  let dir: string;
  let gcc: string;
  // Few, short bit-sliced cases: each unrolls into much code (the slow suite runs long rows).
  const suite = kernelSuite(20261202, { cases: 6, maxWords: 3 });
  before(function () {
    gcc = requireTool(this, 'gcc', 'apt-get install gcc');
    dir = mkdtempSync(join(tmpdir(), 'bnn-kernels-'));
    writeFileSync(join(dir, 'kernels.c'), suite.source);
    writeFileSync(join(dir, 'kernel_io.h'), HOST_IO);
  });
  after(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  it('covers every function the runtime headers define', () => {
    assert.ok(runtimeFunctions().length > 20, 'the header scan found the runtime functions');
    assert.deepEqual(runtimeFunctions().filter((f) => !suite.kernels.has(f)), []);
  });

  let stdout = '';
  it(`every kernel bit-exact with the reference, built as a model build gets it (${suite.expected.length} values)`, () => {
    const exe = join(dir, 'kernels');
    execFileSync(gcc, [...WARN_FLAGS, '-O2', '-I', RUNTIME, '-I', dir, '-o', exe, join(dir, 'kernels.c')], { stdio: ['ignore', 'pipe', 'pipe'] });
    stdout = execFileSync(exe, { encoding: 'utf8', maxBuffer: 1 << 26 });
    assert.deepEqual(mismatches(suite, stdout), []);
  });

  it('a wrong value is caught and named by its case', function () {
    if (!stdout) this.skip();
    const lines = stdout.trim().split('\n');
    const at = suite.expected.findIndex((e) => e.label.includes('bnn_win_float_f32'));
    lines[at] = String((Number(lines[at]) ^ 1) >>> 0);
    assert.match(mismatches(suite, lines.join('\n'))[0] ?? '', /bnn_win_float_f32/);
  });
});
