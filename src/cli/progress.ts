/**
 * Progress for long CLI commands (train, bench): a cli-progress bar on a terminal, plain lines when the output is a
 * pipe or a file (a log then holds no carriage returns or escape codes). Log lines print above the bar.
 */
import { MultiBar, type SingleBar } from 'cli-progress';

export interface Progress {
  /** Moves the bar to done/total with `text` beside it; on a pipe, a line at most every `plainEvery` of the total. */
  update(done: number, total: number, text: string): void;
  /** A line that stays (above the bar on a terminal). */
  log(line: string): void;
  stop(): void;
}

export interface ProgressOptions {
  stream?: NodeJS.WriteStream;
  /** Plain mode: print an update each time this share of the total is passed (0: never; default 0.25). */
  plainEvery?: number;
  /** Whether the stream is a terminal (default: its isTTY); TERM=dumb counts as none. */
  tty?: boolean;
}

export function isInteractive(stream: NodeJS.WriteStream = process.stderr, env: NodeJS.ProcessEnv = process.env): boolean {
  return !!stream.isTTY && env.TERM !== 'dumb';
}

export function createProgress(opts: ProgressOptions = {}): Progress {
  const stream = opts.stream ?? process.stderr;
  if (opts.tty ?? isInteractive(stream)) return barProgress(stream);
  return plainProgress(stream, opts.plainEvery ?? 0.25);
}

function barProgress(stream: NodeJS.WriteStream): Progress {
  const multi = new MultiBar({
    stream, format: '{bar} {percentage}% | {text}', barCompleteChar: '█', barIncompleteChar: '░', hideCursor: true,
    clearOnComplete: true, stopOnComplete: false, autopadding: true, forceRedraw: false, linewrap: false,
  });
  let bar: SingleBar | undefined;
  return {
    update(done, total, text) {
      bar ??= multi.create(Math.max(1, total), 0, { text });
      bar.setTotal(Math.max(1, total));
      bar.update(done, { text });
    },
    log(line) {
      // MultiBar only prints its log buffer when it redraws: write at once (above the bar when there is one)
      if (!bar) { stream.write(`${line}\n`); return; }
      multi.log(`${line}\n`);
      multi.update();
    },
    stop() {
      if (!bar) return;
      multi.update();
      multi.stop();
      bar = undefined;
    },
  };
}

function plainProgress(stream: NodeJS.WriteStream, every: number): Progress {
  let next = every;
  return {
    update(done, total, text) {
      if (every <= 0 || total <= 0) return;
      if (done / total + 1e-9 >= next) {
        stream.write(`${text}\n`);
        while (next <= done / total + 1e-9) next += every;
      }
    },
    log(line) { stream.write(`${line}\n`); },
    stop() {},
  };
}
