// Instructions per 32-bit word of XNOR-popcount on an emulated Cortex-M4 (QEMU netduinoplus2, -icount shift=0, TIM2),
// for the compiler's SWAR loop and the alternatives it was chosen over. Needs arm-none-eabi-gcc and qemu-system-arm.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = new URL('../bench/popcount/', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'bnn-popbench-'));
try {
  const elf = join(tmp, 'popbench.elf');
  execFileSync('arm-none-eabi-gcc', ['-mcpu=cortex-m4', '-mthumb', '-O2', '-Wall', '-Wextra', '-Werror', '-nostartfiles',
    '-T', join(dir, 'popbench.ld'), '-o', elf, join(dir, 'popbench.c'), '-lgcc'], { stdio: 'inherit' });
  // QEMU writes the semihosting console to stderr.
  const r = spawnSync('qemu-system-arm', ['-M', 'netduinoplus2', '-nographic', '-monitor', 'none', '-serial', 'none',
    '-icount', 'shift=0', '-semihosting-config', 'enable=on,target=native', '-kernel', elf], { encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`qemu-system-arm exited with ${r.status}: ${r.stderr}`);
  process.stdout.write(`XNOR-popcount on Cortex-M4 (QEMU netduinoplus2, instructions emulated, 512-word rows):\n${r.stdout}${r.stderr}`);
} catch (err) {
  const missing = err.code === 'ENOENT' ? ` (${err.path} not found: apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm)` : '';
  process.stderr.write(`bench-popcount: ${err.message}${missing}\n`);
  process.exitCode = 1;
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
