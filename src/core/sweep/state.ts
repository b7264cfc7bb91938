/**
 * A sweep's own file, `<sweeps dir>/<id>/sweep.json`, written atomically after every change: the grid, the run
 * settings, and for every cell the experiment that trains it and how far it got. Interrupting a sweep (Ctrl-C,
 * SIGKILL, a closed window) keeps it consistent; starting it again keeps the finished cells, resumes the interrupted
 * ones from their last checkpoint and starts the rest (planQueue).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../experiments/atomic';
import type { RunState } from '../experiments/types';
import type { SweepCell } from './plan';

export type CellState = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';

export interface SweepCellRecord extends SweepCell {
  state: CellState;
  /** The experiment training this cell, once started. */
  experimentId?: string;
  error?: string;
}

export interface SweepFile {
  formatVersion: 1;
  id: string;
  createdAt: string;
  /** The model file and the `bnn train` settings every cell shares. */
  model: string;
  data: string;
  preset: string;
  epochs: number;
  threads: number;
  gammas: number[];
  thresholds: number[];
  cells: SweepCellRecord[];
}

export const SWEEP_FILE = 'sweep.json';

export function writeSweep(dir: string, sweep: SweepFile): void {
  mkdirSync(dir, { recursive: true });
  writeFileAtomic(path.join(dir, SWEEP_FILE), JSON.stringify(sweep, null, 2) + '\n');
}

/** Reads and checks a sweep file; every problem names the file and the field. */
export function readSweep(dir: string): SweepFile {
  const file = path.join(dir, SWEEP_FILE);
  if (!existsSync(file)) throw new Error(`${file}: no such sweep (expected a folder made by bnn sweep)`);
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: not valid JSON (${(err as Error).message})`);
  }
  const s = v as Partial<SweepFile>;
  const bad = (field: string, why: string): never => { throw new Error(`${file}: "${field}" ${why}`); };
  if (!s || typeof s !== 'object') bad('(root)', 'must be an object');
  if (s.formatVersion !== 1) bad('formatVersion', `is ${JSON.stringify(s.formatVersion)}; this BNN Studio reads version 1`);
  for (const k of ['id', 'model', 'data', 'preset'] as const) if (typeof s[k] !== 'string') bad(k, 'must be a string');
  for (const k of ['epochs', 'threads'] as const) if (!Number.isInteger(s[k]) || (s[k] as number) < 1) bad(k, 'must be a positive integer');
  if (!Array.isArray(s.cells)) bad('cells', 'must be a list');
  const states: CellState[] = ['pending', 'running', 'completed', 'failed', 'cancelled'];
  s.cells!.forEach((c, i) => {
    if (!(c.gamma > 0) || !(c.threshold > 0)) bad(`cells[${i}]`, 'needs a positive gamma and threshold');
    if (!states.includes(c.state)) bad(`cells[${i}].state`, `is ${JSON.stringify(c.state)} (expected one of ${states.join(', ')})`);
  });
  return s as SweepFile;
}

export type QueueItem = { index: number; action: 'new' } | { index: number; action: 'resume'; experimentId: string };

/**
 * What (re)starting the sweep runs, in grid order: a cell whose experiment completed is kept; one whose experiment
 * exists but stopped (interrupted, cancelled, or still marked running by a process that is gone) resumes it; a cell
 * never started, whose experiment is missing, or that failed starts a new run. `stateOf` gives an experiment's
 * effective state (undefined: no such experiment).
 */
export function planQueue(sweep: SweepFile, stateOf: (experimentId: string) => RunState | 'unreadable' | undefined): QueueItem[] {
  const queue: QueueItem[] = [];
  sweep.cells.forEach((c, index) => {
    const st = c.experimentId ? stateOf(c.experimentId) : undefined;
    if (st === 'completed') return;
    if (c.experimentId && (st === 'interrupted' || st === 'cancelled')) queue.push({ index, action: 'resume', experimentId: c.experimentId });
    else if (st === 'running') return; // another process is training it right now
    else queue.push({ index, action: 'new' });
  });
  return queue;
}
