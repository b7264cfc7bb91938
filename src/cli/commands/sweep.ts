import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EXPERIMENTS_DIR, type ExperimentStatus } from '../../core/experiments/types';
import type { TrainRequest } from '../../core/messages';
import { runState } from '../../core/experiments/read';
import { readMetrics } from '../../core/experiments/metrics';
import { startTrainer, type TrainerProcess } from '../../core/train/host';
import { TRAIN_DEFAULTS } from '../../core/train/defaults';
import { MAX_THREADS } from '../../core/train/threads';
import { cellOptimizer, parseValueList, sweepConcurrency, sweepGrid } from '../../core/sweep/plan';
import { planQueue, readSweep, writeSweep, type SweepFile } from '../../core/sweep/state';
import { sweepHeatmaps, type CellRun, type Heatmap } from '../../core/sweep/heatmap';
import { parseArgs, InputError, UsageError, type CliCommand } from '../errors';
import { loadModelFile, formatDiagnostics } from './modelFile';

const DEFAULT_PRESET = 'bop-paper-5.1';

function positiveInt(raw: string | undefined, flag: string, fallback: number, max = Infinity): number {
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < 1 || v > max) throw new UsageError(`--${flag} must be a whole number from 1${max < Infinity ? ` to ${max}` : ''} (got '${raw}')`);
  return v;
}

function sweepId(now = new Date()): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)}-sweep`;
}

/** The heatmaps as text tables: γ down, τ across. */
export function formatHeatmap(m: Heatmap): string {
  const head = `${m.title}\n  γ \\ τ    ${m.thresholds.map((t) => t.toExponential(0).padStart(9)).join('')}\n`;
  const pct = m.title === 'final accuracy';
  const cell = (v: number | undefined): string => (v === undefined ? '—' : pct ? `${(v * 100).toFixed(2)}%` : v.toExponential(2)).padStart(9);
  return head + m.gammas.map((g, i) => `  ${g.toExponential(0).padEnd(8)} ${m.values[i].map(cell).join('')}`).join('\n') + '\n';
}

function statusOf(experimentsDir: string, id: string): ReturnType<typeof runState> | undefined {
  const dir = path.join(experimentsDir, id);
  try {
    return runState(dir, JSON.parse(fs.readFileSync(path.join(dir, 'status.json'), 'utf8')) as ExperimentStatus);
  } catch {
    return undefined;
  }
}

async function cellRuns(sweep: SweepFile, experimentsDir: string): Promise<CellRun[]> {
  const runs: CellRun[] = [];
  for (const c of sweep.cells) {
    if (!c.experimentId) continue;
    const dir = path.join(experimentsDir, c.experimentId);
    if (!fs.existsSync(dir)) continue;
    let testAccuracy: number | undefined;
    try { testAccuracy = (JSON.parse(fs.readFileSync(path.join(dir, 'status.json'), 'utf8')) as ExperimentStatus).final?.testAccuracy; } catch { /* no status yet */ }
    runs.push({ gamma: c.gamma, threshold: c.threshold, testAccuracy, events: (await readMetrics(dir)).events });
  }
  return runs;
}

export const sweepCommand: CliCommand = {
  name: 'sweep',
  usage: 'bnn sweep <model.bnn.json> --data <name|path> --gamma G1,G2,… --threshold T1,T2,… [--preset P] [--epochs N] [--threads N] [--parallel N] [--seed S] [--val-split F] [--max-samples N] [--experiments DIR] [--data-dir DIR] | bnn sweep --resume <sweep folder>',
  summary: 'train a γ × τ grid with Bop (the paper\'s Section 5 ablation): runs in parallel as the cores allow, heatmaps of accuracy and flip ratio; an interrupted sweep resumes',
  async run(args) {
    const { positional, flags } = parseArgs(args, {
      flags: ['data', 'gamma', 'threshold', 'preset', 'epochs', 'threads', 'parallel', 'seed', 'val-split', 'max-samples', 'experiments', 'data-dir', 'resume'],
    });
    const experimentsDir = path.resolve(flags.experiments ?? EXPERIMENTS_DIR);
    let dir: string;
    let sweep: SweepFile;
    if (flags.resume) {
      dir = path.resolve(flags.resume);
      try { sweep = readSweep(dir); } catch (err) { throw new InputError((err as Error).message); }
    } else {
      const model = loadModelFile(positional[0]);
      if (!model.spec) {
        process.stderr.write(`${formatDiagnostics(model)}\nbnn sweep: the model is invalid; nothing was trained\n`);
        return 1;
      }
      if (!flags.data) throw new UsageError('--data <name|path> is required');
      if (!flags.gamma || !flags.threshold) throw new UsageError('--gamma and --threshold take comma-separated lists, e.g. --gamma 1e-5,1e-4,1e-3 --threshold 1e-8,1e-7,1e-6');
      let gammas: number[];
      let thresholds: number[];
      try {
        gammas = parseValueList(flags.gamma, '--gamma');
        thresholds = parseValueList(flags.threshold, '--threshold');
      } catch (err) { throw new UsageError((err as Error).message); }
      const preset = flags.preset ?? DEFAULT_PRESET;
      const epochs = positiveInt(flags.epochs, 'epochs', TRAIN_DEFAULTS.epochs);
      try { cellOptimizer(preset, epochs, { gamma: gammas[0], threshold: thresholds[0] }); } catch (err) { throw new UsageError((err as Error).message); }
      const id = sweepId();
      dir = path.join(path.dirname(experimentsDir), 'sweeps', id);
      sweep = {
        formatVersion: 1, id, createdAt: new Date().toISOString(), model: path.resolve(positional[0]), data: flags.data, preset, epochs,
        threads: positiveInt(flags.threads, 'threads', 1, MAX_THREADS), gammas, thresholds,
        cells: sweepGrid(gammas, thresholds).map((c) => ({ ...c, state: 'pending' as const })),
      };
      writeSweep(dir, sweep);
    }
    const queue = planQueue(sweep, (id) => statusOf(experimentsDir, id));
    const parallel = positiveInt(flags.parallel, 'parallel', sweepConcurrency(os.availableParallelism?.() ?? os.cpus().length, sweep.threads, Math.max(queue.length, 1)));
    process.stderr.write(`sweep ${sweep.id}: ${sweep.gammas.length} γ × ${sweep.thresholds.length} τ, ${sweep.preset}, ${sweep.epochs} epochs; ` +
      `${sweep.cells.length - queue.length} done, ${queue.length} to run, ${parallel} at a time (${sweep.threads} thread${sweep.threads > 1 ? 's' : ''} each)\n  folder   ${dir}\n`);

    const running = new Set<TrainerProcess>();
    let stopping = false;
    const onSigint = (): void => {
      if (stopping) { for (const t of running) t.kill(); return; }
      stopping = true;
      process.stderr.write('stopping the running cells after their current step (Ctrl-C again to kill); bnn sweep --resume continues\n');
      for (const t of running) t.cancel();
    };
    process.on('SIGINT', onSigint);
    const save = (): void => writeSweep(dir, sweep);
    const runCell = async (item: (typeof queue)[number]): Promise<void> => {
      const cell = sweep.cells[item.index];
      const { optimizer, batchSize } = cellOptimizer(sweep.preset, sweep.epochs, cell);
      const request: TrainRequest = {
        modelPath: sweep.model, data: sweep.data, dataDir: flags['data-dir'], epochs: sweep.epochs, batchSize: batchSize ?? TRAIN_DEFAULTS.batchSize, optimizer,
        seed: flags.seed === undefined ? TRAIN_DEFAULTS.seed : Number(flags.seed), valSplit: flags['val-split'] === undefined ? TRAIN_DEFAULTS.valSplit : Number(flags['val-split']),
        experimentsDir, threads: sweep.threads, maxSamples: flags['max-samples'] === undefined ? undefined : Number(flags['max-samples']),
        resume: item.action === 'resume' ? item.experimentId : undefined, name: `sweep ${sweep.id} γ=${cell.gamma} τ=${cell.threshold}`,
      };
      const trainer = startTrainer(request, (m) => {
        if (m.type === 'started') { cell.experimentId = m.experimentId; cell.state = 'running'; save(); }
        if (m.type === 'error') process.stderr.write(`  γ=${cell.gamma} τ=${cell.threshold}: ${m.message}\n`);
      });
      running.add(trainer);
      const result = await trainer.done.finally(() => running.delete(trainer));
      const st = result.status;
      cell.state = st?.state === 'completed' ? 'completed' : st?.state === 'cancelled' ? 'cancelled' : 'failed';
      if (st?.error) cell.error = st.error.message;
      save();
      const acc = st?.final?.testAccuracy ?? st?.final?.valAccuracy;
      process.stderr.write(`  γ=${cell.gamma} τ=${cell.threshold}: ${cell.state}${acc !== undefined ? `, accuracy ${(acc * 100).toFixed(2)}%` : ''} (${cell.experimentId ?? 'no experiment'})\n`);
    };
    const t0 = Date.now();
    let next = 0;
    const worker = async (): Promise<void> => { while (!stopping && next < queue.length) await runCell(queue[next++]); };
    try {
      await Promise.all(Array.from({ length: Math.min(parallel, queue.length) }, worker));
    } finally {
      process.off('SIGINT', onSigint);
    }
    const maps = sweepHeatmaps(sweep.gammas, sweep.thresholds, await cellRuns(sweep, experimentsDir));
    fs.writeFileSync(path.join(dir, 'heatmaps.json'), JSON.stringify(maps, null, 2) + '\n');
    process.stdout.write(maps.map(formatHeatmap).join('\n'));
    const left = sweep.cells.filter((c) => c.state !== 'completed').length;
    process.stderr.write(`sweep ${sweep.id}: ${sweep.cells.length - left} of ${sweep.cells.length} cells completed in ${((Date.now() - t0) / 1000).toFixed(1)} s${left ? `; bnn sweep --resume ${dir} runs the rest` : ''}\n`);
    return stopping ? 130 : left ? 1 : 0;
  },
};
