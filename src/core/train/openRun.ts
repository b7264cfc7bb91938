/**
 * The experiment a training run writes: a new one, or the one being resumed — locked for this process before anything
 * in it is written, so a second trainer on the same folder is refused instead of interleaving with the first.
 */
import * as path from 'node:path';
import type { ExperimentConfig } from '../experiments/types';
import { CHECKPOINTS_DIR } from '../experiments/types';
import {
  acquireLock, createExperiment, findExperimentDir, readConfigFile, readStatusFile, readableDir,
  type ExperimentInit, type ExperimentLock,
} from '../experiments/store';
import { truncateMetrics } from '../experiments/metrics';
import type { TrainedModel } from '../model/trained';
import { loadCheckpoint, loadTrainingState, type CheckpointMeta, type TrainingState } from './checkpoint';

export interface OpenRun {
  dir: string;
  id: string;
  config: ExperimentConfig;
  lock: ExperimentLock;
  /** Set on resume: where training continues from. */
  state?: TrainingState;
  resumedWeights?: TrainedModel & { meta: CheckpointMeta };
}

/** The experiment folder a `resume` argument names (an id in the experiments folder, or a path). */
export function resumeDir(resume: string, experimentsDir: string): string {
  return findExperimentDir(experimentsDir, resume);
}

/** A new experiment, locked by this process from its first moment on. */
export function createRun(experimentsDir: string, init: ExperimentInit): OpenRun {
  const created = createExperiment(experimentsDir, init);
  return { dir: created.dir, id: created.id, config: created.config, lock: acquireLock(created.dir, 'training') };
}

/**
 * Reopens an experiment to resume it from its last checkpoint (status.lastCheckpoint, else `last`). Its config, status
 * and training state are checked with the rules they were written with; a damaged file is named, never skipped.
 * `update` gives the config the resumed run records.
 */
export async function resumeRun(resume: string, experimentsDir: string, update: (config: ExperimentConfig, state: TrainingState, checkpoint: string) => ExperimentConfig): Promise<OpenRun> {
  const dir = resumeDir(resume, experimentsDir);
  // checked before the lock: a bad config is reported even while another process holds the folder
  const config = readConfigFile(dir);
  const lock = acquireLock(dir, 'resume');
  try {
    const id = config.id;
    const name = readStatusFile(dir)?.lastCheckpoint ?? 'last';
    const ckDir = path.join(dir, CHECKPOINTS_DIR, name);
    if (!readableDir(ckDir)) throw new Error(`experiment ${id} has no checkpoint to resume from (${ckDir})`);
    const resumedWeights = loadCheckpoint(ckDir);
    const state = loadTrainingState(ckDir);
    if (!state) throw new Error(`experiment ${id}: checkpoint ${ckDir} has no training state (training-state.json); cannot resume`);
    await truncateMetrics(dir, state.step);
    return { dir, id, config: update(config, state, name), lock, state, resumedWeights };
  } catch (err) {
    lock.release();
    throw err;
  }
}
