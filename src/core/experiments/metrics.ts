/**
 * metrics.jsonl: one MetricsEvent per line, append-only. The writer emits each line with a single write() so a killed
 * trainer leaves at most one incomplete last line; readers skip such a line (and any garbled one) and say how many
 * they skipped, so a killed run still opens.
 */
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { watch, type FSWatcher } from 'node:fs';
import * as path from 'node:path';
import { METRICS_FILE, type MetricsEvent } from './types';
import { toMetricsEvent, type MetricsParseIssue } from './metricsFile';
import { writeFileAtomic } from './atomic';

export interface MetricsParse {
  events: MetricsEvent[];
  /** Lines ignored: garbled, not a metrics event, or an incomplete last line. */
  skipped: number;
  /** The skipped complete lines, with their line numbers and why (an incomplete last line is `truncatedTail`). */
  issues: MetricsParseIssue[];
  /** The file ended in an incomplete line (a killed or still-writing run); it is counted in `skipped`. */
  truncatedTail: boolean;
  /** Bytes consumed: up to the end of the last line that will never change (a follower continues from here). */
  offset: number;
}

const MAX_ISSUES = 100;

/** The shape check of metricsFile.ts (one definition of a valid event), as an event or undefined. */
export function asMetricsEvent(x: unknown): MetricsEvent | undefined {
  const ev = toMetricsEvent(x);
  return typeof ev === 'string' ? undefined : ev;
}

function emptyParse(): MetricsParse {
  return { events: [], skipped: 0, issues: [], truncatedTail: false, offset: 0 };
}

function parseLine(line: string, lineNo: number, out: MetricsParse): boolean {
  const t = line.trim();
  if (!t) return true;
  let v: unknown;
  try {
    v = JSON.parse(t);
  } catch (err) {
    out.skipped++;
    if (out.issues.length < MAX_ISSUES) out.issues.push({ line: lineNo, message: `not valid JSON (${(err as Error).message})` });
    return false;
  }
  const ev = toMetricsEvent(v);
  if (typeof ev === 'string') {
    out.skipped++;
    if (out.issues.length < MAX_ISSUES) out.issues.push({ line: lineNo, message: ev });
    return false;
  }
  out.events.push(ev);
  return true;
}

/**
 * Parses the whole text of a metrics.jsonl. A last line without a newline is kept if it is complete JSON (some external
 * writers omit the final newline) and skipped as `truncatedTail` if not (a killed writer).
 */
export function parseMetricsText(text: string): MetricsParse {
  const out = emptyParse();
  const lastNl = text.lastIndexOf('\n');
  const complete = lastNl >= 0 ? text.slice(0, lastNl) : '';
  const tail = text.slice(lastNl + 1);
  const lines = complete ? complete.split('\n') : [];
  lines.forEach((l, i) => parseLine(l, i + 1, out));
  out.offset = Buffer.byteLength(complete, 'utf8') + (lastNl >= 0 ? 1 : 0);
  if (tail.trim()) {
    let v: unknown;
    try {
      v = JSON.parse(tail);
    } catch {
      out.truncatedTail = true;
      out.skipped++;
    }
    if (!out.truncatedTail) {
      // Complete JSON: consumed, so a follower starting at `offset` only sees the newline that may follow.
      out.offset += Buffer.byteLength(tail, 'utf8');
      const ev = toMetricsEvent(v);
      if (typeof ev === 'string') {
        out.skipped++;
        out.issues.push({ line: lines.length + 1, message: ev });
      } else out.events.push(ev);
    }
  }
  return out;
}

/** Human summary of what a reader skipped, e.g. for a warning line; empty when nothing was. */
export function describeSkipped(p: Pick<MetricsParse, 'skipped' | 'issues' | 'truncatedTail'>): string {
  if (!p.skipped) return '';
  const parts = p.issues.slice(0, 3).map((i) => `line ${i.line}: ${i.message}`);
  if (p.truncatedTail) parts.push('an incomplete last line (the writer was interrupted)');
  return `skipped ${p.skipped} line${p.skipped === 1 ? '' : 's'}: ${parts.join('; ')}${p.issues.length > 3 ? '; …' : ''}`;
}

/**
 * Reads a metrics file, or the metrics.jsonl of an experiment folder; a missing file is an empty history (a run that
 * has not logged yet).
 */
export async function readMetrics(fileOrExperimentDir: string): Promise<MetricsParse> {
  let text: string;
  let file = fileOrExperimentDir;
  try {
    if ((await stat(file)).isDirectory()) file = path.join(file, METRICS_FILE);
  } catch {
    // missing: handled by the read below
  }
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') return emptyParse();
    throw new Error(`${file}: cannot be read (${e.code ?? e.message})`);
  }
  return parseMetricsText(text);
}

/**
 * The last epoch event, reading backwards from the end in chunks (the file of a long run can be tens of MB; the
 * Experiments tree only needs the latest validation accuracy). Gives up after `maxBytes`.
 */
const EPOCH_KIND = /"kind"\s*:\s*"epoch"/;

export async function readLastEpochEvent(file: string, maxBytes = 8 << 20): Promise<Extract<MetricsEvent, { kind: 'epoch' }> | undefined> {
  let fh;
  try {
    fh = await open(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const size = (await fh.stat()).size;
    let end = size;
    let carry = Buffer.alloc(0);
    const chunk = 64 * 1024;
    while (end > 0 && size - end < maxBytes) {
      const start = Math.max(0, end - chunk);
      const buf = Buffer.alloc(end - start);
      await fh.read(buf, 0, buf.length, start);
      const data = Buffer.concat([buf, carry]);
      const text = data.toString('utf8');
      const lines = text.split('\n');
      // The first piece may be a partial line unless we reached the start of the file.
      const firstComplete = start === 0 ? 0 : 1;
      for (let i = lines.length - 1; i >= firstComplete; i--) {
        const l = lines[i].trim();
        // Cheap pre-filter (JSON.parse of every step line of a long run would cost seconds); tolerates `"kind": "epoch"`.
        if (!EPOCH_KIND.test(l)) continue;
        try {
          const ev = asMetricsEvent(JSON.parse(l));
          if (ev?.kind === 'epoch') return ev;
        } catch {
          // garbled line: keep looking
        }
      }
      carry = start === 0 ? Buffer.alloc(0) : Buffer.from(lines[0], 'utf8');
      end = start;
    }
    return undefined;
  } finally {
    await fh.close();
  }
}

/**
 * For a resume from a checkpoint taken at `lastStep`: rewrites metrics.jsonl (atomically) keeping only the events with
 * step ≤ lastStep, so the resumed run continues the curves without duplicated or orphaned points; garbled lines go too.
 * A follower sees the replaced file and starts over (`reset`). Returns how many lines were dropped.
 */
export async function truncateMetrics(experimentDir: string, lastStep: number): Promise<number> {
  const file = path.join(experimentDir, METRICS_FILE);
  const parsed = await readMetrics(file);
  const kept = parsed.events.filter((e) => e.step <= lastStep);
  writeFileAtomic(file, kept.map((e) => `${JSON.stringify(e)}\n`).join(''));
  return parsed.events.length - kept.length + parsed.skipped;
}

/** Appends events to an experiment's metrics.jsonl, one write() per line. Sync: the trainer's step order is the file order. */
export class MetricsWriter {
  private fd: number | undefined;
  readonly file: string;

  constructor(experimentDir: string) {
    this.file = path.join(experimentDir, METRICS_FILE);
    this.fd = openSync(this.file, 'a+');
    // A resumed run may follow a killed one whose last line is cut: start on a fresh line so only that line is lost.
    const size = fstatSync(this.fd).size;
    if (size > 0) {
      const last = Buffer.alloc(1);
      readSync(this.fd, last, 0, 1, size - 1);
      if (last[0] !== 0x0a) writeSync(this.fd, '\n');
    }
  }

  append(event: MetricsEvent | MetricsEvent[]): void {
    if (this.fd === undefined) throw new Error(`metrics writer for ${this.file} is closed`);
    const events = Array.isArray(event) ? event : [event];
    if (!events.length) return;
    writeSync(this.fd, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }
}

export interface FollowOptions {
  /** Byte offset to start at (e.g. MetricsParse.offset after reading the history); default 0. */
  fromOffset?: number;
  /** Poll interval in ms (default 250); fs.watch triggers reads sooner where it works. */
  pollMs?: number;
  /** Use fs.watch in addition to polling (default true). */
  watch?: boolean;
}

export interface FollowInfo {
  /** The file shrank or was replaced: consumers should drop what they had; lines restart from the beginning. */
  reset: boolean;
  /** Byte offset after these lines. */
  offset: number;
}

export interface Follower {
  stop(): void;
  /** Same as stop(), so a follower is a VS Code Disposable. */
  dispose(): void;
  readonly offset: number;
  /** Resolves after the follower has read everything currently in the file (for tests and catch-up). */
  flush(): Promise<void>;
}

/**
 * Follows a growing text file, calling `onLines` with each batch of new complete lines ("\n"-terminated). Works when
 * the file does not exist yet, and when it is truncated or replaced (then `reset` is true). Errors reading the file are
 * passed to `onError` and following continues. Stop with stop().
 */
export function followLines(file: string, onLines: (lines: string[], info: FollowInfo) => void, opts: FollowOptions = {}, onError?: (err: Error) => void): Follower {
  let offset = opts.fromOffset ?? 0;
  let partial = Buffer.alloc(0);
  let ino: number | undefined;
  let stopped = false;
  let reading: Promise<void> | undefined;
  let again = false;
  let watcher: FSWatcher | undefined;

  const readOnce = async (): Promise<void> => {
    let st;
    try {
      st = await stat(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') onError?.(err as Error);
      return;
    }
    let reset = false;
    if ((ino !== undefined && st.ino !== ino) || st.size < offset) {
      reset = ino !== undefined || st.size < offset;
      offset = 0;
      partial = Buffer.alloc(0);
    }
    ino = st.ino;
    if (st.size === offset && !reset) return;
    const fh = await open(file, 'r');
    try {
      const lines: string[] = [];
      while (!stopped) {
        const buf = Buffer.alloc(Math.min(1 << 20, Math.max(0, st.size - offset)));
        if (buf.length === 0) break;
        const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
        if (bytesRead === 0) break;
        offset += bytesRead;
        const data = partial.length ? Buffer.concat([partial, buf.subarray(0, bytesRead)]) : buf.subarray(0, bytesRead);
        const lastNl = data.lastIndexOf(0x0a);
        if (lastNl < 0) {
          partial = Buffer.from(data);
          continue;
        }
        partial = Buffer.from(data.subarray(lastNl + 1));
        for (const l of data.subarray(0, lastNl).toString('utf8').split('\n')) lines.push(l);
      }
      if (!stopped && (lines.length || reset)) onLines(lines, { reset, offset: offset - partial.length });
    } finally {
      await fh.close();
    }
  };

  const tick = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    if (reading) {
      again = true;
      return reading;
    }
    reading = (async () => {
      do {
        again = false;
        try {
          await readOnce();
        } catch (err) {
          onError?.(err as Error);
        }
      } while (again && !stopped);
      reading = undefined;
    })();
    return reading;
  };

  const timer = setInterval(() => void tick(), opts.pollMs ?? 250);
  timer.unref?.();
  if (opts.watch !== false) {
    try {
      // Watch the folder, not the file: the file may not exist yet, and renames replace it.
      watcher = watch(path.dirname(file), { persistent: false }, (_ev, name) => {
        if (!name || name.toString() === path.basename(file)) void tick();
      });
      watcher.on('error', () => { watcher?.close(); watcher = undefined; });
    } catch {
      watcher = undefined; // polling alone still works
    }
  }
  void tick();

  const stop = (): void => {
    stopped = true;
    clearInterval(timer);
    watcher?.close();
  };
  return {
    stop,
    dispose: stop,
    get offset() {
      return offset - partial.length;
    },
    async flush() {
      await tick();
      if (reading) await reading;
      await tick();
    },
  };
}

/** followLines for metrics.jsonl: parses each line; garbled lines are counted, not fatal. */
export function followMetrics(file: string, onEvents: (events: MetricsEvent[], info: FollowInfo & { skipped: number }) => void, opts: FollowOptions = {}, onError?: (err: Error) => void): Follower {
  return followLines(file, (lines, info) => {
    const out = emptyParse();
    lines.forEach((l, i) => parseLine(l, i + 1, out));
    if (out.events.length || out.skipped || info.reset) onEvents(out.events, { ...info, skipped: out.skipped });
  }, opts, onError);
}
