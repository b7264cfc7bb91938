/**
 * The C runtime's kernel program (test/support/kernelVectors.ts) beyond the host's default build: the host's
 * -DBNN_PORTABLE_C and builtin-popcount paths, the emulated Cortex-M4 (QEMU netduinoplus2; the Thumb-2 DSP inline
 * assembly and VMLA paths) under -O2 with the firmware's hard-float flags and with -DBNN_PORTABLE_C, and a
 * Cortex-M0/M3/M7/M33 compile matrix of the portable paths.
 */
import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BOARD_IO, HOST_IO, kernelSuite, mismatches } from '../support/kernelVectors';
import { WARN_FLAGS } from '../support/ccompile';
import { requireTool } from '../support/tools';

const ROOT = join(__dirname, '..', '..');
const RUNTIME = join(ROOT, 'firmware', 'runtime');
const CM4 = join(ROOT, 'scripts', 'bench', 'cm4');
const FIRMWARE_FLAGS = ['-mcpu=cortex-m4', '-mthumb', '-mfloat-abi=hard', '-mfpu=fpv4-sp-d16'];

describe('C runtime kernels: other builds and the emulated board', function () {
  this.timeout(300_000);
  let dir: string;
  const suite = kernelSuite(7);
  before(() => {
    // kernels.c alone in its folder: its #include "kernel_io.h" then finds each build's own copy on -I.
    dir = mkdtempSync(join(tmpdir(), 'bnn-kernels-slow-'));
    writeFileSync(join(dir, 'kernels.c'), suite.source);
  });
  after(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  for (const flag of ['-DBNN_PORTABLE_C', '-DBNN_USE_BUILTIN_POPCOUNT']) {
    it(`host gcc ${flag}: bit-exact with the reference`, function () {
      const gcc = requireTool(this, 'gcc', 'apt-get install gcc');
      const host = join(dir, 'host');
      rmSync(host, { recursive: true, force: true });
      execFileSync('mkdir', ['-p', host]);
      writeFileSync(join(host, 'kernel_io.h'), HOST_IO);
      const exe = join(host, `k${flag.replace(/\W/g, '_')}`);
      execFileSync(gcc, [...WARN_FLAGS, '-O2', flag, '-I', RUNTIME, '-I', host, '-o', exe, join(dir, 'kernels.c')], { stdio: ['ignore', 'pipe', 'pipe'] });
      assert.deepEqual(mismatches(suite, execFileSync(exe, { encoding: 'utf8', maxBuffer: 1 << 26 })), []);
    });
  }

  for (const extra of [[], ['-DBNN_PORTABLE_C']]) {
    it(`emulated Cortex-M4 (QEMU)${extra.length ? ` ${extra[0]}` : ', inline assembly paths'}: bit-exact with the reference`, function () {
      const gcc = requireTool(this, 'arm-none-eabi-gcc', 'apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi');
      const qemu = requireTool(this, 'qemu-system-arm', 'apt-get install --no-install-recommends qemu-system-arm');
      const board = join(dir, `board${extra.length}`);
      execFileSync('mkdir', ['-p', board]);
      writeFileSync(join(board, 'kernel_io.h'), BOARD_IO);
      const elf = join(board, 'kernels.elf');
      // harness.h's vector table is not -pedantic C (a function pointer as an object pointer).
      execFileSync(gcc, [...FIRMWARE_FLAGS, '-O2', ...WARN_FLAGS.filter((f) => f !== '-pedantic'), ...extra, '-nostartfiles', '-I', RUNTIME, '-I', board, '-I', CM4,
        '-T', join(CM4, 'qemu-m4.ld'), '-o', elf, join(dir, 'kernels.c'), '-lgcc'], { stdio: ['ignore', 'pipe', 'pipe'] });
      const r = spawnSync(qemu, ['-M', 'netduinoplus2', '-nographic', '-monitor', 'none', '-serial', 'none', '-icount', 'shift=0',
        '-semihosting-config', 'enable=on,target=native', '-kernel', elf], { encoding: 'utf8', timeout: 240_000 });
      assert.equal(r.status, 0, `QEMU: ${r.error?.message ?? r.stderr}`);
      // QEMU writes the semihosting console to stderr.
      const out = `${r.stdout}${r.stderr}`;
      assert.match(out, /^end$/m, 'the program ran to its end');
      assert.deepEqual(mismatches(suite, out), []);
    });
  }

  it('the Cortex-M0/M3/M7/M33 matrix builds every kernel warning-free', function () {
    const gcc = requireTool(this, 'arm-none-eabi-gcc', 'apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi');
    const m = join(dir, 'matrix');
    execFileSync('mkdir', ['-p', m]);
    writeFileSync(join(m, 'kernel_io.h'), 'void out_sink(uint32_t v);\nstatic void out_u32(uint32_t v) { out_sink(v); }\nvoid run_all(void);\n');
    for (const cpu of [['-mcpu=cortex-m0'], ['-mcpu=cortex-m3'], ['-mcpu=cortex-m7', '-mfloat-abi=hard', '-mfpu=fpv5-d16'], ['-mcpu=cortex-m33', '-mfloat-abi=hard', '-mfpu=fpv5-sp-d16']]) {
      execFileSync(gcc, [...cpu, '-mthumb', '-O2', ...WARN_FLAGS, '-I', RUNTIME, '-I', m, '-c', '-o', join(m, 'k.o'), join(dir, 'kernels.c')], { stdio: ['ignore', 'pipe', 'pipe'] });
    }
  });
});
