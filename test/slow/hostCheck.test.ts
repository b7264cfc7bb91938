/**
 * A fresh machine without QEMU (issue 16 item 12): every tool is checked at once with one install line for all, and
 * the compiled C is still checked bit for bit on the host with gcc.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compileModel } from '../../src/core/compile/compile';
import { referenceInfer } from '../../src/core/compile/reference';
import { loadDataset } from '../../src/core/data/load';
import { runCompiledOnHost } from '../../src/core/device/hostRun';
import { installAllHint } from '../../src/core/device/tools';
import { loadExperimentModel } from '../../src/core/train/experimentModel';
import { requireTool } from '../support/tools';
import { trainedExperiment } from '../support/trainedExperiment';

const root = path.join(__dirname, '..', '..');

/** A PATH holding everything /usr/bin and /bin hold except QEMU, as on a machine that never installed it. */
function pathWithoutQemu(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-noqemu-'));
  for (const bin of ['/usr/bin', '/bin']) {
    for (const f of fs.readdirSync(bin)) {
      if (f.startsWith('qemu-system') || fs.existsSync(path.join(dir, f))) continue;
      fs.symlinkSync(path.join(bin, f), path.join(dir, f));
    }
  }
  return dir;
}

function bnn(env: NodeJS.ProcessEnv, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'bnn.js'), ...args], { cwd: root, env, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('one install line for every missing tool', () => {
  it('as root (a container, no sudo): apt-get without recommends, each package once', () => {
    assert.equal(installAllHint(['qemu-system-arm', 'arm-none-eabi-gcc', 'newlib', 'gcc'], 'linux', true),
      'apt-get install -y --no-install-recommends qemu-system-arm gcc-arm-none-eabi libnewlib-arm-none-eabi gcc');
  });
  it('as a user: the same line behind sudo', () => {
    assert.equal(installAllHint(['qemu-system-arm'], 'linux', false), 'sudo apt-get install -y --no-install-recommends qemu-system-arm');
  });
  it('a tool without a Debian package keeps its own instruction after the apt line', () => {
    assert.match(installAllHint(['gcc', 'arduino-cli'], 'linux', true), /^apt-get install -y --no-install-recommends gcc; arduino-cli: curl /);
  });
  it('macOS: one brew line for the formulae', () => {
    assert.equal(installAllHint(['qemu-system-arm', 'openocd'], 'darwin'), 'brew install qemu open-ocd');
  });
});

describe('without QEMU: bnn tools and bnn bench --host', function () {
  this.timeout(180_000);
  let noQemu: string;
  let env: NodeJS.ProcessEnv;
  let exp: { root: string; dir: string; id: string };

  before(async function () {
    requireTool(this, 'gcc', 'apt-get install gcc');
    noQemu = pathWithoutQemu();
    env = { ...process.env, PATH: noQemu };
    exp = await trainedExperiment();
  });
  after(() => { if (noQemu) fs.rmSync(noQemu, { recursive: true, force: true }); });

  it('bnn tools names QEMU missing, finds gcc, and gives one line for all that is missing', () => {
    const r = bnn(env, 'tools', '--json');
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { tools: { tool: string; path?: string }[]; missing: string[]; installEmulator?: string };
    assert.ok(j.missing.includes('qemu-system-arm'));
    assert.ok(j.tools.find((t) => t.tool === 'gcc')?.path, 'gcc is found');
    assert.match(j.installEmulator ?? '', /apt-get install -y --no-install-recommends .*qemu-system-arm/);
    assert.equal(j.installEmulator?.split('\n').length, 1);
  });

  it('bnn bench --host checks the compiled C against the reference on the test samples, and its accuracy', () => {
    const r = bnn(env, 'bench', exp.id, '--experiments', exp.root, '--host', '--samples', '40', '--json');
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { samples: number; exact: number; correct: number };
    assert.equal(j.samples, 40);
    assert.equal(j.exact, 40);
    // the accuracy, independently: the compiler's TypeScript twin on the same first 40 bundled test images
    const { trained } = loadExperimentModel(exp.dir);
    const compiled = compileModel(trained);
    const ds = loadDataset('bundled');
    const size = ds.shape.reduce((a, b) => a * b, 1);
    let correct = 0;
    for (let i = 0; i < 40; i++) if (referenceInfer(compiled.model, ds.test.images.subarray(i * size, (i + 1) * size)).class === ds.test.labels[i]) correct++;
    assert.equal(j.correct, correct);
  });

  it('a C build that differs from the reference is reported, sample by sample', async () => {
    const { trained } = loadExperimentModel(exp.dir);
    const compiled = compileModel(trained);
    // flip every bit of the first kernel word: the C now computes another model than the reference
    const c = compiled.files['bnn_model.c'];
    const m = /0x[0-9a-fA-F]{8}u?/.exec(c);
    assert.ok(m, 'the C has packed kernel words');
    const flipped = `0x${(~parseInt(m[0].slice(2, 10), 16) >>> 0).toString(16).padStart(8, '0')}u`;
    const bad = { ...compiled, files: { ...compiled.files, 'bnn_model.c': c.replace(m[0], flipped) } };
    const ds = loadDataset('bundled');
    const size = ds.shape.reduce((a, b) => a * b, 1);
    const inputs = Array.from({ length: 40 }, (_, i) => ds.test.images.subarray(i * size, (i + 1) * size));
    const r = await runCompiledOnHost(bad, inputs, { gcc: 'gcc' });
    assert.equal(r.samples, 40);
    assert.ok(r.exact < 40, 'some sample differs');
    assert.ok(r.firstMismatch);
    const good = await runCompiledOnHost(compiled, inputs, { gcc: 'gcc' });
    assert.equal(good.exact, 40);
  });
});
