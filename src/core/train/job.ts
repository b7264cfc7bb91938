/**
 * Turns a TrainRequest (what the extension or CLI asks for) into a TrainJob: reads and validates the model file,
 * loads the dataset, applies --max-samples. Every problem is an Error whose message names the file and the fix.
 */
import * as fs from 'node:fs';
import type { TrainRequest } from '../messages';
import { loadModelText } from '../model/load';
import type { ModelSpec } from '../model/spec';
import { loadDataset, checkDatasetForModel, takeSamples, readOptionsFrom, classCounts, imbalanceWarning, modelImageShape, cacheDirFor, type Dataset, type DataReadOptions, type LoadProgress } from '../data';
import { readConfigFile } from '../experiments/store';
import { resumeDir } from './openRun';
import type { TrainJob } from './trainer';
import { resolveEpochSchedules, stepsPerEpochFor } from './schedules';

export class RequestError extends Error {}

export function loadSpec(modelPath: string): ModelSpec {
  let text: string;
  try {
    text = fs.readFileSync(modelPath, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new RequestError(`${modelPath}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  const loaded = loadModelText(text, modelPath);
  const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
  if (!loaded.spec || errors.length) {
    const lines = errors.map((d) => `${modelPath}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.message}`);
    throw new RequestError(`the model is invalid; nothing was trained:\n${lines.join('\n')}`);
  }
  return loaded.spec;
}

export function loadDataFor(spec: ModelSpec, data: string, dataDir: string | undefined, maxSamples?: number, read: DataReadOptions = {}, progress?: LoadProgress): Dataset {
  const ds = loadDataset(data, { dataDir }, read, progress);
  checkDatasetForModel(ds, spec);
  if (maxSamples !== undefined) {
    if (!(maxSamples >= 1)) throw new RequestError(`--max-samples must be ≥ 1 (got ${maxSamples})`);
    return { ...ds, train: takeSamples(ds.train, ds.shape, maxSamples), test: takeSamples(ds.test, ds.shape, Math.max(1, Math.min(ds.test.count, Math.ceil(maxSamples / 5)))) };
  }
  return ds;
}

export function prepareJob(req: TrainRequest, progress?: LoadProgress): TrainJob {
  let modelPath = req.modelPath;
  let spec: ModelSpec;
  let data = req.data;
  let read = req.dataOptions ?? {};
  if (req.resume) {
    // resume trains the spec copy saved in the experiment, on the dataset it was started with
    const config = readConfigFile(resumeDir(req.resume, req.experimentsDir));
    spec = config.model;
    modelPath = config.modelPath;
    data = req.data || config.dataset.path || config.dataset.name;
    // the same test split and 8-bit rule as the run was started with
    read = readOptionsFrom(config.dataset.preprocessing);
  } else {
    spec = loadSpec(modelPath);
  }
  // image folders are brought to the model's input shape, and cached beside the experiments
  read = { imageShape: modelImageShape(spec.input.shape), ...read, cacheDir: cacheDirFor(req.experimentsDir) };
  const ds = loadDataFor(spec, data, req.dataDir, req.maxSamples, read, progress);
  const imbalance = imbalanceWarning(classCounts(ds.train.labels, ds.classes), ds.classNames);
  if (imbalance) ds.warnings = [...(ds.warnings ?? []), imbalance];
  // presets count their decays in epochs; the run's steps per epoch are known only now (a resumed run keeps the
  // steps its config.json already holds)
  const optimizer = req.resume ? req.optimizer : resolveEpochSchedules(req.optimizer, stepsPerEpochFor(ds.train.count, req.valSplit, req.batchSize));
  return {
    spec, modelPath, data: { ...ds, path: ds.dir }, optimizer, epochs: req.epochs, batchSize: req.batchSize, seed: req.seed,
    valSplit: req.valSplit, experimentsDir: req.experimentsDir, backend: req.backend, resume: req.resume, maxSamples: req.maxSamples,
    eventsPerSecond: req.eventsPerSecond, threads: req.threads, bnRecalibration: req.bnRecalibration, augment: req.resume ? undefined : req.augment,
    name: req.name,
  };
}
