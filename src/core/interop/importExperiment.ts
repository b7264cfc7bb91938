/**
 * An imported trained model as an experiment folder (the store's layout, types.ts): state 'imported', engine
 * 'import', and a checkpoint `last` in the trainer's own format (train/checkpoint.ts), so compile, bench, flash, eval and
 * export take it exactly as a run trained here. config.json keeps where it came from and what the import changed; its
 * optimizer is the Bop defaults a fine-tuning run (Resume) would start from, since none trained it here.
 */
import { createExperiment, updateStatus, type CreatedExperiment } from '../experiments/store';
import { writeCheckpoint } from '../train/checkpoint';
import { optimizerFromPreset } from '../train/presets';
import { TRAIN_DEFAULTS } from '../train/defaults';
import { INPUT_ENCODING } from '../model/spec';
import type { TrainedModel } from '../model/trained';
import { IMPORTED_WITHOUT_DATA } from '../experiments/types';

export interface ImportedRunInfo {
  /** The imported file, as given. */
  source: string;
  format: string;
  encoding?: string;
  notes: string[];
  /** Accuracy on the test part of a dataset, when one was given. */
  testAccuracy?: number;
  dataset?: string;
}

export function writeImportedExperiment(root: string, trained: TrainedModel, info: ImportedRunInfo, now = new Date()): CreatedExperiment {
  const created = createExperiment(root, {
    modelPath: info.source,
    model: trained.spec,
    dataset: { name: info.dataset ?? IMPORTED_WITHOUT_DATA, trainSamples: 0, valSamples: 0, normalization: INPUT_ENCODING.description },
    optimizer: optimizerFromPreset('bop').optimizer,
    epochs: 1,
    batchSize: TRAIN_DEFAULTS.batchSize,
    seed: TRAIN_DEFAULTS.seed,
    valSplit: TRAIN_DEFAULTS.valSplit,
    backend: 'none (trained elsewhere, imported)',
    engine: 'import',
    imported: { source: info.source, format: info.format, encoding: info.encoding, notes: info.notes },
    versions: { node: process.versions.node },
  }, { now, status: { state: 'imported', pid: undefined, endedAt: now.toISOString() } });
  writeCheckpoint(created.dir, 'last', trained, { experimentId: created.id, epoch: 0, step: 0, createdAt: now.toISOString(), valAccuracy: info.testAccuracy }, undefined, `bnn-studio import of ${info.format}`);
  created.status = updateStatus(created.dir, { lastCheckpoint: 'last', ...(info.testAccuracy !== undefined ? { final: { testAccuracy: info.testAccuracy } } : {}) });
  return created;
}
