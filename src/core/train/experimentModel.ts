/**
 * The trained model of an experiment, from the checkpoint chooseCheckpoint picks (experiments/checkpoints.ts): what
 * eval, compile, bench, flash and export load, so they all use, and name, the same checkpoint.
 */
import { chooseCheckpoint, describeCheckpoint } from '../experiments/checkpoints';
import { readConfigFile } from '../experiments/files';
import type { ExperimentConfig } from '../experiments/types';
import type { TrainedModel } from '../model/trained';
import { loadCheckpoint, type CheckpointMeta } from './checkpoint';

export interface ExperimentModel {
  trained: TrainedModel & { meta: CheckpointMeta };
  /** Checkpoint name ('best', 'last', …) and folder. */
  checkpoint: string;
  checkpointDir: string;
  /** "best (epoch 7, step 420, val acc 91.20%)": what commands print as `checkpoint: …`. */
  label: string;
  /** config.json, when it reads; otherwise why not (bench needs its dataset; compile and export do not). */
  config?: ExperimentConfig;
  configProblem?: string;
}

/** Loads the chosen checkpoint; its errors (a damaged model.json or weights.bin) name the file. */
export function loadExperimentModel(experimentDir: string, requested?: string): ExperimentModel {
  const choice = chooseCheckpoint(experimentDir, requested);
  const trained = loadCheckpoint(choice.dir);
  let config: ExperimentConfig | undefined;
  let configProblem: string | undefined;
  try {
    config = readConfigFile(experimentDir);
  } catch (err) {
    configProblem = (err as Error).message;
  }
  return { trained, checkpoint: choice.name, checkpointDir: choice.dir, label: describeCheckpoint(choice.name, trained.meta), config, configProblem };
}
