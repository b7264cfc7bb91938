/** Two connected pseudo-terminals from socat: what one side writes the other reads, like a USB-serial cable. */
import { spawn, ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PtyPair {
  a: string;
  b: string;
  proc: ChildProcess;
  close(): Promise<void>;
}

const live = new Set<ChildProcess>();
// A socat left running keeps mocha from exiting; whatever a failing test leaves behind is ended with the process.
process.once('exit', () => { for (const p of live) p.kill(); });

const running = (p: ChildProcess): boolean => p.exitCode === null && p.signalCode === null;

export async function openPtyPair(): Promise<PtyPair> {
  const dir = mkdtempSync(join(tmpdir(), 'bnn-pty-'));
  const a = join(dir, 'a');
  const b = join(dir, 'b');
  // raw,echo=0 on both ends so bytes pass unchanged; -t 0.2 ends socat soon after one side closes (an "unplug").
  const proc = spawn('socat', ['-t', '0.2', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: 'ignore' });
  live.add(proc);
  proc.once('exit', () => live.delete(proc));
  proc.unref();
  const t0 = Date.now();
  while (!(existsSync(a) && existsSync(b))) {
    if (!running(proc) || Date.now() - t0 > 5000) {
      proc.kill();
      throw new Error('socat did not create the pty pair');
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    a, b, proc,
    async close() {
      if (running(proc)) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill();
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
