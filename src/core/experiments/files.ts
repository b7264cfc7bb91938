/**
 * The one rule for what an experiment's config.json and status.json may hold, checked by every reader (the tree, the
 * CLI, the trainer on resume, bench) and by the writers before they write, so a file BNN Studio writes always reads
 * back and a file it reads was checked the same way. Validators return a message naming the file and the fault.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { scheduleProblem } from '../train/schedules';
import { runNameProblem } from './labels';
import {
  CONFIG_FILE, OPTIMIZER_KINDS, STATUS_FILE,
  type ExperimentConfig, type ExperimentStatus, type RunState, type Schedule,
} from './types';

export const RUN_STATES: readonly RunState[] = ['running', 'completed', 'failed', 'cancelled', 'interrupted', 'imported'];
/** The experiment folder's schema version (config.json's formatVersion; status.json's when present). */
export const EXPERIMENT_FORMAT_VERSION = 1;

export type JsonRead = { value?: unknown; error?: string; missing?: boolean };

function describeJsonError(file: string, err: unknown): JsonRead {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'ENOENT') return { missing: true, error: `${path.basename(file)} is missing` };
  if (e instanceof SyntaxError) return { error: `${path.basename(file)} is not valid JSON (${e.message})` };
  if (e instanceof RangeError) return { error: `${path.basename(file)} is nested too deeply to read` };
  return { error: `${path.basename(file)} cannot be read (${e.code ?? e.message})` };
}

export async function readJson(file: string): Promise<JsonRead> {
  try {
    return { value: JSON.parse(await readFile(file, 'utf8')) };
  } catch (err) {
    return describeJsonError(file, err);
  }
}

export function readJsonSync(file: string): JsonRead {
  try {
    return { value: JSON.parse(readFileSync(file, 'utf8')) };
  } catch (err) {
    return describeJsonError(file, err);
  }
}

/** A value as messages quote it: JSON, cut short; "(missing)" for an absent one. */
export function shown(v: unknown): string {
  if (v === undefined) return '(missing)';
  const t = JSON.stringify(v) ?? String(v);
  return t.length > 60 ? `${t.slice(0, 57)}…` : t;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 0;

/** Returns an error message, or undefined when `v` is an ExperimentStatus. */
export function validateStatus(v: unknown): string | undefined {
  if (!isObject(v)) return 'status.json is not a JSON object';
  const s = v;
  if (s.formatVersion !== undefined && s.formatVersion !== EXPERIMENT_FORMAT_VERSION) return `status.json: formatVersion ${shown(s.formatVersion)} is not supported (this BNN Studio reads version ${EXPERIMENT_FORMAT_VERSION})`;
  if (!RUN_STATES.includes(s.state as RunState)) return `status.json: unknown state ${shown(s.state)} (expected ${RUN_STATES.join(', ')})`;
  if (s.pid !== undefined && !(Number.isInteger(s.pid) && (s.pid as number) > 0)) return `status.json: pid ${shown(s.pid)} is not a process id`;
  if (!isCount(s.epoch)) return `status.json: epoch ${shown(s.epoch)} is not a whole number ≥ 0`;
  if (!isCount(s.step)) return `status.json: step ${shown(s.step)} is not a whole number ≥ 0`;
  for (const k of ['lastCheckpoint', 'bestCheckpoint'] as const) {
    if (s[k] !== undefined && !(typeof s[k] === 'string' && CHECKPOINT_NAME.test(s[k] as string))) return `status.json: ${k} ${shown(s[k])} is not a checkpoint name`;
  }
  if (s.final !== undefined && !isObject(s.final)) return 'status.json: final is not an object';
  return undefined;
}

/** Checkpoint folder names: no path separators, no leading dot (staging folders start with one). */
export const CHECKPOINT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** An optimizer config's problem (`where` prefixes the message), or undefined; config.json's rule for its optimizer. */
export function validateOptimizer(o: unknown, where = 'optimizer'): string | undefined {
  if (!isObject(o)) return `${where}: missing`;
  if (!OPTIMIZER_KINDS.includes(o.kind as never)) return `${where}.kind ${shown(o.kind)} is not one of ${OPTIMIZER_KINDS.join(', ')}`;
  for (const k of ['lr', 'gamma', 'threshold', 'sigma'] as const) {
    if (o[k] === undefined && k !== 'lr') continue;
    const p = scheduleProblem(o[k] as Schedule, `${where}.${k}`);
    if (p) return p;
  }
  if (o.epsilon !== undefined && !(typeof o.epsilon === 'number' && o.epsilon > 0)) return `${where}.epsilon ${shown(o.epsilon)} is not a number > 0`;
  return undefined;
}

/** Returns an error message, or undefined when `v` is an ExperimentConfig this version can read. */
export function validateConfig(v: unknown): string | undefined {
  if (!isObject(v)) return 'config.json is not a JSON object';
  const c = v;
  if (c.formatVersion !== EXPERIMENT_FORMAT_VERSION) return `config.json: formatVersion ${shown(c.formatVersion)} is not supported (this BNN Studio reads version ${EXPERIMENT_FORMAT_VERSION})`;
  if (typeof c.id !== 'string' || !c.id) return 'config.json: no id';
  if (c.name !== undefined) {
    const p = runNameProblem(c.name);
    if (p) return `config.json: name ${shown(c.name)}: ${p}`;
  }
  if (!isObject(c.model) || typeof c.model.name !== 'string' || !Array.isArray(c.model.layers)) return 'config.json: no model spec';
  if (!isObject(c.optimizer)) return 'config.json: no optimizer';
  const opt = validateOptimizer(c.optimizer, 'config.json: optimizer');
  if (opt) return opt;
  if (!isObject(c.dataset) || typeof c.dataset.name !== 'string') return 'config.json: no dataset';
  if (!isCount(c.dataset.trainSamples) || !isCount(c.dataset.valSamples)) return 'config.json: dataset.trainSamples and dataset.valSamples must be whole numbers ≥ 0';
  if (c.dataset.path !== undefined && c.dataset.path !== null && typeof c.dataset.path !== 'string') return 'config.json: dataset.path is not a string';
  if (!(Number.isInteger(c.epochs) && (c.epochs as number) >= 1)) return `config.json: epochs ${shown(c.epochs)} is not a whole number ≥ 1`;
  if (!(Number.isInteger(c.batchSize) && (c.batchSize as number) >= 1)) return `config.json: batchSize ${shown(c.batchSize)} is not a whole number ≥ 1`;
  if (!isCount(c.seed)) return `config.json: seed ${shown(c.seed)} is not a whole number ≥ 0`;
  if (!(typeof c.valSplit === 'number' && c.valSplit >= 0 && c.valSplit < 1)) return `config.json: valSplit ${shown(c.valSplit)} is not in [0, 1)`;
  if (c.threads !== undefined && !(Number.isInteger(c.threads) && (c.threads as number) >= 1)) return `config.json: threads ${shown(c.threads)} is not a whole number ≥ 1`;
  return undefined;
}

/** Reads and checks config.json of an experiment folder; throws an Error naming the file and the fault. */
export function readConfigFile(dir: string): ExperimentConfig {
  const file = path.join(dir, CONFIG_FILE);
  const r = readJsonSync(file);
  const problem = r.error ?? validateConfig(r.value);
  if (problem) throw new Error(`${file}: ${problem.replace(/^config\.json(: | is )?/, '')}`);
  return r.value as ExperimentConfig;
}

/** status.json of an experiment folder when it is present and valid, else undefined (a reader shows it unreadable). */
export function readStatusFile(dir: string): ExperimentStatus | undefined {
  const r = readJsonSync(path.join(dir, STATUS_FILE));
  return r.value !== undefined && validateStatus(r.value) === undefined ? r.value as ExperimentStatus : undefined;
}

/** Writers check what they write with the readers' rule: a file that would not read back is a bug, not a file. */
export function assertValid(what: string, problem: string | undefined): void {
  if (problem) throw new Error(`BNN Studio would write an invalid ${what}: ${problem}`);
}
