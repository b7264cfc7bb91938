import * as path from 'node:path';
import { EXPERIMENTS_DIR, type MetricsEvent, type OptimizerKind, type Schedule } from '../../core/experiments/types';
import { PROTOCOL_VERSION, type TrainRequest, type WorkerToHost } from '../../core/messages';
import { optimizerFromFlags, optimizerFromPreset, withOverrides, BOP_PRESETS } from '../../core/train/presets';
import { describeSchedule, scheduleProblem } from '../../core/train/schedules';
import { startTrainer } from '../../core/train/host';
import { MAX_THREADS } from '../../core/train/threads';
import { TRAIN_DEFAULTS } from '../../core/train/defaults';
import { formatStep, formatEpoch } from '../../core/train/progress';
import { parseArgs, UsageError, type CliCommand } from '../errors';
import { createProgress } from '../progress';
import { loadModelFile, formatDiagnostics } from './modelFile';
import { fitProblem, formatProblem } from './boardFit';
import { summarize } from '../../core/estimate/summary';
import { DEFAULT_CHECKPOINT_RULE } from '../../core/experiments/checkpoints';
import { loadExperimentModel } from '../../core/train/experimentModel';
import { runNameProblem } from '../../core/experiments/labels';

/**
 * The checkpoint eval, compile, bench and flash will use, named as they name it (`checkpoint: best (epoch …)`), so the
 * end of training and the next command say the same thing.
 */
function checkpointLine(experimentDir: string): string {
  try {
    const m = loadExperimentModel(experimentDir);
    return `checkpoint: ${m.label} — what eval, compile, bench and flash use (${DEFAULT_CHECKPOINT_RULE})\n  folder   ${m.checkpointDir}\n`;
  } catch (err) {
    return `checkpoint: none usable (${(err as Error).message})\n`;
  }
}
import { RESIZE_MODES, type ResizeMode } from '../../core/data/imageDecode';
import { describeAugment, type AugmentConfig } from '../../core/train/augment';

function num(flags: Record<string, string>, name: string, opts: { int?: boolean; min?: number; max?: number; exclusiveMax?: boolean } = {}): number | undefined {
  const raw = flags[name];
  if (raw === undefined) return undefined;
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v)) throw new UsageError(`--${name} must be a number (got '${raw}')`);
  if (opts.int && !Number.isInteger(v)) throw new UsageError(`--${name} must be an integer (got ${raw})`);
  if (opts.min !== undefined && v < opts.min) throw new UsageError(`--${name} must be ≥ ${opts.min} (got ${raw})`);
  if (opts.max !== undefined && (opts.exclusiveMax ? v >= opts.max : v > opts.max)) throw new UsageError(`--${name} must be ${opts.exclusiveMax ? '<' : '≤'} ${opts.max} (got ${raw})`);
  return v;
}

/**
 * A hyperparameter flag: a number (constant), or a schedule as JSON in config.json's form, e.g.
 * `{"kind":"exponential","initial":0.01,"decayRate":0.1,"decaySteps":5,"staircase":false,"unit":"epochs"}`.
 */
function hyper(flags: Record<string, string>, name: string): number | Schedule | undefined {
  const raw = flags[name];
  if (raw === undefined || !raw.trim().startsWith('{')) return num(flags, name, { min: 0 });
  let s: Schedule;
  try {
    s = JSON.parse(raw) as Schedule;
  } catch {
    throw new UsageError(`--${name}: not a number nor a JSON schedule (got '${raw}')`);
  }
  const problem = scheduleProblem(s, `--${name}`);
  if (problem) throw new UsageError(`${problem} (kinds: constant {value}, exponential {initial, decayRate, decaySteps, staircase}, linear {initial, final, steps}; "unit": "epochs" counts steps in epochs)`);
  const values = s.kind === 'constant' ? [s.value] : [s.initial, s.kind === 'linear' ? s.final : s.decayRate];
  if (values.some((v) => v < 0)) throw new UsageError(`--${name}: schedule values must be ≥ 0`);
  return s;
}

/** `--augment crop,flip`, `crop=3` (zero padding in pixels; `crop` alone: 4, as for CIFAR-10), `flip`. */
function augmentFlag(raw: string | undefined): AugmentConfig | undefined {
  if (raw === undefined) return undefined;
  const a: AugmentConfig = { pad: 0, flip: false };
  for (const part of raw.split(',').map((p) => p.trim())) {
    const m = /^crop(?:=(\d+))?$/.exec(part);
    if (m) a.pad = m[1] === undefined ? 4 : Number(m[1]);
    else if (part === 'flip') a.flip = true;
    else throw new UsageError(`--augment takes crop, crop=P (zero padding in pixels) and flip, comma-separated (got '${part}')`);
  }
  return a;
}

export function resizeFlag(raw: string | undefined): ResizeMode | undefined {
  if (raw === undefined) return undefined;
  if (!(RESIZE_MODES as readonly string[]).includes(raw)) throw new UsageError(`--resize must be ${RESIZE_MODES.join(', ')} (got '${raw}')`);
  return raw as ResizeMode;
}

/** "classes  3: train 40–52, validation 5–6, test 10–13 samples per class" (min–max; one number when equal). */
function perClassLine(p: { train: number[]; val: number[]; test: number[] } | undefined): string {
  if (!p) return '';
  const span = (a: number[]): string => (Math.min(...a) === Math.max(...a) ? String(a[0]) : `${Math.min(...a)}–${Math.max(...a)}`);
  return `  classes  ${p.train.length}: train ${span(p.train)}, validation ${span(p.val)}, test ${span(p.test)} samples per class\n`;
}

export const trainCommand: CliCommand = {
  name: 'train',
  usage: 'bnn train <model.bnn.json> --data <name|path> [--epochs N] [--batch-size B] [--optimizer bop|bop2|latent] [--preset P] [--gamma G] [--threshold T] [--lr L] [--seed S] [--val-split F] [--test-split F] [--split-seed N] [--label-column NAME|INDEX] [--resize bilinear|area|center-crop] [--augment crop[=P],flip] [--experiments DIR] [--data-dir DIR] [--backend auto|tensorflow|wasm|cpu] [--threads N] [--bn-recalibration N] [--max-samples N] [--resume ID] [--name TEXT] [--json]',
  summary: 'train a BNN with Bop (or Bop2ndOrder / latent weights + Adam); writes an experiment',
  async run(args) {
    const { positional, flags, bools } = parseArgs(args, {
      flags: ['data', 'epochs', 'batch-size', 'optimizer', 'preset', 'gamma', 'threshold', 'lr', 'sigma', 'seed', 'val-split', 'test-split', 'split-seed', 'label-column', 'resize', 'augment', 'experiments', 'data-dir', 'backend', 'threads', 'bn-recalibration', 'max-samples', 'resume', 'name'],
      booleans: ['json'],
    });
    const json = bools.has('json');
    const experimentsDir = path.resolve(flags.experiments ?? EXPERIMENTS_DIR);
    let modelPath = positional[0] ?? '';
    if (!flags.resume) {
      const model = loadModelFile(positional[0]);
      if (!model.spec) {
        process.stderr.write(`${formatDiagnostics(model)}\nbnn train: the model is invalid; nothing was trained\n`);
        return 1;
      }
      if (!flags.data) throw new UsageError('--data <name|path> is required (fashion-mnist, mnist, cifar10, bundled, a folder, or a NumPy .npz)');
      // Said before hours of training, not at link time: the run goes ahead (it can still be exported to Larq/TF.js).
      const fit = fitProblem(model, summarize(model.spec, model.plan));
      if (fit) process.stderr.write(`${formatProblem(model.file, fit)}\nbnn train: training anyway; the trained model can be exported, but compile, bench and flash will refuse it\n`);
      modelPath = path.resolve(positional[0]);
    }
    const epochs = num(flags, 'epochs', { int: true, min: 1 }) ?? TRAIN_DEFAULTS.epochs;
    const name = flags.name?.trim();
    if (flags.name !== undefined) {
      const problem = runNameProblem(name);
      if (problem) throw new UsageError(`--name: ${problem}`);
    }
    const kind = (flags.optimizer ?? 'bop') as OptimizerKind;
    if (!['bop', 'bop2', 'latent'].includes(kind)) throw new UsageError(`--optimizer must be bop, bop2 or latent (got '${flags.optimizer}')`);
    const backend = flags.backend ?? 'auto';
    if (!['auto', 'tensorflow', 'wasm', 'cpu'].includes(backend)) throw new UsageError(`--backend must be auto, tensorflow, wasm or cpu (got '${backend}')`);
    let batchSize = num(flags, 'batch-size', { int: true, min: 1 });
    const overrides = { gamma: hyper(flags, 'gamma'), threshold: hyper(flags, 'threshold'), lr: hyper(flags, 'lr'), sigma: hyper(flags, 'sigma') };
    let optimizer;
    if (flags.preset) {
      if (!BOP_PRESETS.some((p) => p.id === flags.preset)) throw new UsageError(`unknown --preset '${flags.preset}' (expected ${BOP_PRESETS.map((p) => p.id).join(', ')})`);
      // the preset's epoch-based decays are resolved to steps by the trainer once it knows the data's size
      const preset = optimizerFromPreset(flags.preset);
      batchSize ??= preset.batchSize;
      optimizer = withOverrides(preset.optimizer, overrides);
    } else {
      optimizer = optimizerFromFlags(kind, overrides);
    }
    const request: TrainRequest = {
      modelPath,
      data: flags.data ?? '',
      dataDir: flags['data-dir'],
      epochs,
      batchSize: batchSize ?? TRAIN_DEFAULTS.batchSize,
      optimizer,
      seed: num(flags, 'seed', { int: true, min: 0 }) ?? TRAIN_DEFAULTS.seed,
      valSplit: num(flags, 'val-split', { min: 0, max: 1, exclusiveMax: true }) ?? TRAIN_DEFAULTS.valSplit,
      experimentsDir,
      backend: backend === 'auto' ? undefined : backend,
      resume: flags.resume,
      maxSamples: num(flags, 'max-samples', { int: true, min: 1 }),
      threads: num(flags, 'threads', { int: true, min: 1, max: MAX_THREADS }),
      bnRecalibration: num(flags, 'bn-recalibration', { int: true, min: 0 }),
      augment: augmentFlag(flags.augment),
      name,
      // NumPy/CSV data without a test part: the share held out as test split, and that split's own seed
      dataOptions: {
        testSplit: num(flags, 'test-split', { min: 0, max: 1, exclusiveMax: true }), splitSeed: num(flags, 'split-seed', { int: true, min: 0 }),
        labelColumn: flags['label-column'] === undefined ? undefined : /^\d+$/.test(flags['label-column']) ? Number(flags['label-column']) : flags['label-column'],
        resize: resizeFlag(flags.resize),
      },
    };
    // a bar on a terminal; piped output gets the epoch lines only
    const progress = createProgress({ plainEvery: 0 });
    let totalSteps = 0;
    let totalEpochs = epochs;
    const onMessage = (m: WorkerToHost): void => {
      switch (m.type) {
        case 'started':
          totalEpochs = m.config.epochs;
          if (!json) process.stderr.write(`experiment ${m.experimentId}${m.config.name ? ` “${m.config.name}”` : ''}\n  folder   ${m.experimentDir}\n  backend  ${m.backend}\n  data     ${m.config.dataset.name}: ${m.config.dataset.trainSamples} train / ${m.config.dataset.valSamples} validation / ${m.config.dataset.testSamples ?? 0} test samples${m.config.dataset.preprocessing?.testSplit ? ` (test: a stratified ${m.config.dataset.preprocessing.testSplit.fraction} share, seed ${m.config.dataset.preprocessing.testSplit.seed})` : ''}\n  optimizer ${describeOptimizer(m.config.optimizer)}, batch ${m.config.batchSize}, ${m.config.epochs} epochs, seed ${m.config.seed}\n${perClassLine(m.config.dataset.perClass)}${m.config.augment ? `  augment  ${describeAugment(m.config.augment)} (training batches only)\n` : ''}${m.config.bnRecalibration ? `  BatchNorm statistics re-estimated over ${m.config.bnRecalibration} training images after every epoch\n` : ''}`);
          break;
        case 'status':
          totalSteps = m.status.totalSteps ?? totalSteps;
          break;
        case 'metrics':
          if (json) {
            process.stdout.write(JSON.stringify({ experimentId: m.experimentId, ...m.event }) + '\n');
          } else if (m.event.kind === 'step') {
            progress.update(m.event.step, totalSteps, formatStep(m.event, totalSteps, totalEpochs));
          } else {
            progress.log(formatEpoch(m.event as Extract<MetricsEvent, { kind: 'epoch' }>, totalEpochs));
          }
          break;
        case 'log':
          if (m.level !== 'info') progress.log(`${m.level}: ${m.message}`);
          break;
        case 'dataProgress':
          if (!json && m.total > 1) progress.update(m.done, m.total, m.message);
          break;
        case 'error':
          progress.log(`bnn train: ${m.message}`);
          break;
        case 'done':
          break;
      }
    };
    const trainer = startTrainer(request, onMessage);
    let interrupts = 0;
    const onSigint = (): void => {
      interrupts++;
      if (interrupts === 1) {
        progress.log('stopping after the current step (Ctrl-C again to kill)…');
        trainer.cancel();
      } else {
        trainer.kill();
      }
    };
    process.on('SIGINT', onSigint);
    const result = await trainer.done.finally(() => progress.stop());
    process.off('SIGINT', onSigint);
    const st = result.status;
    if (!st) return 1;
    if (!json) {
      const f = st.final ?? {};
      const pct = (v?: number): string => (v === undefined ? '—' : `${(v * 100).toFixed(2)}%`);
      process.stderr.write(`${st.state}: epoch ${st.epoch}, step ${st.step}; val accuracy ${pct(f.valAccuracy)}, test accuracy ${pct(f.testAccuracy)}\n`);
      if (st.error) process.stderr.write(`error: ${st.error.message}${st.error.stderrTail ? `\n--- trainer stderr (tail) ---\n${st.error.stderrTail}` : ''}\n`);
      if (result.experimentDir) process.stderr.write(checkpointLine(result.experimentDir));
    } else {
      process.stderr.write(JSON.stringify({ v: PROTOCOL_VERSION, experimentId: result.experimentId, status: st }) + '\n');
    }
    return st.state === 'completed' ? 0 : st.state === 'cancelled' ? 130 : 1;
  },
};

function describeOptimizer(o: TrainRequest['optimizer']): string {
  const v = (s?: Schedule): string => (s ? describeSchedule(s) : 'default');
  if (o.kind === 'latent') return `latent weights + Adam (lr ${v(o.lr)})`;
  return `${o.kind === 'bop' ? 'Bop' : 'Bop2ndOrder'} (γ ${v(o.gamma)}, τ ${v(o.threshold)}${o.kind === 'bop2' ? `, σ ${v(o.sigma)}` : ''}; Adam lr ${v(o.lr)})${o.preset ? ` [${o.preset}]` : ''}`;
}

