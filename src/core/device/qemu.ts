/**
 * The emulated board (`qemu-stm32`): QEMU's netduinoplus2 machine (STM32F405, Cortex-M4) running our firmware, its
 * USART1 on a pty. `-icount shift=0` makes every instruction advance virtual time by exactly 1 ns, so TIM2 counts
 * instructions, identically run to run.
 *
 * An orphaned QEMU keeps running forever, so every QEMU started here is stopped by stop(), by an `exit`/signal handler
 * of this process, and — on POSIX, where the parent can die by SIGKILL — by a tiny shell watchdog that kills QEMU when
 * our end of its stdin pipe closes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { openSerialTransport } from './serial';
import { requireExecutable, ToolMissingError, type ToolPaths } from './tools';
import { escapingTransport, type ByteTransport } from './transport';

export interface EmulatedBoard {
  /** The host side of the board's serial port, e.g. /dev/pts/4. */
  readonly ptyPath: string;
  /** QEMU's process id. */
  readonly pid: number;
  /** Resolves when QEMU has exited (for any reason). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly running: boolean;
  /** Opens the host side of the serial port (the pty, with the escaping QEMU's mux chardev needs). */
  openTransport(): Promise<ByteTransport>;
  stop(): Promise<void>;
}

export interface StartOptions {
  elf: string;
  tools?: ToolPaths;
  signal?: AbortSignal;
  log?: (line: string) => void;
  /** How long QEMU may take to announce its pty (default 15 s). */
  startTimeoutMs?: number;
  /** 'mux' (default) or QEMU's plain pty backend, which is about half as fast; kept for the benchmark's comparison. */
  serial?: 'mux' | 'pty';
}

/**
 * The serial port goes through QEMU's multiplexing chardev (`mux=on`) although nothing else shares it: the plain pty
 * backend hands the emulated USART one byte per main-loop iteration, and only after the firmware has read the previous
 * one (its can_receive is "RXNE clear"), so every byte costs a round trip between QEMU's I/O thread and its vCPU
 * thread. The mux keeps a 32-byte buffer that its I/O thread fills independently and hands the next byte to the USART
 * right inside the firmware's read of the data register: measured, it halves the time per byte (docs/device.md).
 * Its price is the escape character: the host doubles every MUX_ESCAPE byte it sends (escapingTransport).
 */
export const MUX_ESCAPE = 0x01;

export function qemuArgs(elf: string, serial: 'mux' | 'pty' = 'mux'): string[] {
  return ['-M', 'netduinoplus2', '-nographic', '-monitor', 'none', '-icount', 'shift=0', '-kernel', elf,
    ...(serial === 'mux' ? ['-chardev', 'pty,id=bnn-serial,mux=on', '-serial', 'chardev:bnn-serial'] : ['-serial', 'pty'])];
}

// ---- every live QEMU of this process, stopped when the process goes -------------------------------------------------

const live = new Set<number>();
let handlersInstalled = false;

function killAllNow(): void {
  for (const pid of live) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
  }
  live.clear();
}

function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', killAllNow);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      killAllNow();
      // Keep the default behaviour (terminate) unless someone else handles the signal.
      if (process.listenerCount(sig) === 1) {
        process.removeListener(sig, onSignal);
        process.kill(process.pid, sig);
      }
    };
    process.on(sig, onSignal);
  }
}

/** Number of QEMUs this process is running (for tests and diagnostics). */
export function liveEmulatorCount(): number {
  return live.size;
}

// POSIX watchdog: runs QEMU in the background, reports its pid, and kills it when stdin (our pipe) reaches EOF.
const WATCHDOG = 'exec 3<&0; "$0" "$@" </dev/null & q=$!; echo "bnn-qemu-pid $q"; (while read -r _; do :; done <&3; kill $q 2>/dev/null) & w=$!; wait $q; s=$?; kill $w 2>/dev/null; exit $s';

/**
 * What of QEMU's output reaches the log: QEMU says "terminating on signal 15 from pid …" whenever it is stopped, and
 * when the stop is ours that is noise in every normal run; the same line at any other time is news.
 */
export function qemuLogLine(line: string, stoppedByUs: boolean): string | undefined {
  const l = line.trim();
  if (!l || (stoppedByUs && /terminating on signal \d+/.test(l))) return undefined;
  return `qemu: ${l}`;
}

export async function startEmulatedBoard(opts: StartOptions): Promise<EmulatedBoard> {
  const qemu = requireExecutable('qemu-system-arm', opts.tools);
  if (!fs.existsSync(opts.elf)) throw new Error(`firmware ${opts.elf} does not exist: build it first`);
  if (opts.signal?.aborted) throw Object.assign(new Error('cancelled'), { name: 'AbortError' });
  const log = opts.log ?? (() => {});
  const serial = opts.serial ?? 'mux';
  const args = qemuArgs(opts.elf, serial);
  const posix = process.platform !== 'win32';
  log(`$ ${qemu} ${args.join(' ')}`);
  let child: ChildProcess;
  try {
    child = posix
      ? spawn('sh', ['-c', WATCHDOG, qemu, ...args], { stdio: ['pipe', 'pipe', 'pipe'] })
      : spawn(qemu, args, { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
  } catch (err) {
    throw new ToolMissingError('qemu-system-arm', (err as Error).message);
  }
  installExitHandlers();
  let qemuPid = posix ? 0 : child.pid ?? 0;
  if (qemuPid) live.add(qemuPid);
  let running = true;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      running = false;
      if (qemuPid) live.delete(qemuPid);
      resolve({ code, signal });
    });
    child.once('error', () => { running = false; resolve({ code: null, signal: null }); });
  });
  let output = '';
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (!running) return;
    stopping = true;
    child.stdin?.end();
    if (qemuPid) { try { process.kill(qemuPid, 'SIGTERM'); } catch { /* gone */ } }
    const done = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 3000).unref())]);
    if (!done) {
      if (qemuPid) { try { process.kill(qemuPid, 'SIGKILL'); } catch { /* gone */ } }
      child.kill('SIGKILL');
      await exited;
    }
    if (qemuPid) live.delete(qemuPid);
  };

  try {
    const ptyPath = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`QEMU did not announce its serial pty within ${(opts.startTimeoutMs ?? 15000) / 1000} s; its output:\n${output.trim()}`)), opts.startTimeoutMs ?? 15000);
      const onAbort = (): void => reject(Object.assign(new Error('cancelled'), { name: 'AbortError' }));
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      const scan = (chunk: Buffer): void => {
        output += chunk.toString('utf8');
        const pid = /bnn-qemu-pid (\d+)/.exec(output);
        if (pid && !qemuPid) { qemuPid = Number(pid[1]); live.add(qemuPid); }
        const m = /char device redirected to (\S+)/.exec(output);
        if (m && qemuPid) {
          clearTimeout(timer);
          opts.signal?.removeEventListener('abort', onAbort);
          resolve(m[1]);
        }
      };
      child.stdout?.on('data', scan);
      child.stderr?.on('data', scan);
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(new ToolMissingError('qemu-system-arm', err.message));
      });
      void exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`QEMU exited (${signal ?? `code ${code}`}) before the board started:\n${output.replace(/bnn-qemu-pid \d+\n?/, '').trim()}`));
      });
    });
    log(`emulated board started (QEMU pid ${qemuPid}), serial port on ${ptyPath}`);
    const relay = (c: Buffer): void => { for (const l of c.toString('utf8').split('\n')) { const shown = qemuLogLine(l, stopping); if (shown) log(shown); } };
    child.stdout?.on('data', relay);
    child.stderr?.on('data', relay);
    opts.signal?.addEventListener('abort', () => void stop(), { once: true });
    return {
      ptyPath,
      get pid() { return qemuPid; },
      exited,
      get running() { return running; },
      openTransport: async () => {
        const t = await openSerialTransport({ path: ptyPath });
        return serial === 'mux' ? escapingTransport(t, MUX_ESCAPE) : t;
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
