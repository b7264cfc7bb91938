/** Runs an external tool with its output streamed line by line to a log, cancellable, with a time limit. */
import { spawn } from 'node:child_process';

export interface ToolRun {
  code: number;
  output: string;
}

export class ToolFailedError extends Error {
  constructor(readonly commandLine: string, readonly code: number, readonly output: string, message: string) {
    super(message);
    this.name = 'ToolFailedError';
  }
}

/** How a command line reads in a log: arguments with spaces quoted. */
export function formatCommandLine(cmd: string, args: readonly string[]): string {
  return [cmd, ...args].map((a) => (/[\s"']/.test(a) ? JSON.stringify(a) : a)).join(' ');
}

export function runTool(cmd: string, args: readonly string[], opts: { signal?: AbortSignal; log?: (line: string) => void; timeoutMs?: number; cwd?: string } = {}): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const line = formatCommandLine(cmd, args);
    opts.log?.(`$ ${line}`);
    const child = spawn(cmd, args as string[], { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    let output = '';
    let pending = '';
    const onData = (d: Buffer): void => {
      const s = d.toString('utf8');
      output += s;
      pending += s;
      const lines = pending.split(/\r?\n/);
      pending = lines.pop() ?? '';
      for (const l of lines) opts.log?.(l);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    let why: string | undefined;
    const kill = (reason: string): void => { why ??= reason; child.kill(); };
    const timer = opts.timeoutMs ? setTimeout(() => kill(`timed out after ${Math.round(opts.timeoutMs! / 1000)} s`), opts.timeoutMs) : undefined;
    const onAbort = (): void => kill('cancelled');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (err) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      reject(new ToolFailedError(line, -1, output, `could not start ${cmd}: ${err.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (pending) opts.log?.(pending);
      if (why) reject(new ToolFailedError(line, code ?? -1, output, `${cmd} ${why}`));
      else resolve({ code: code ?? -1, output });
    });
  });
}
