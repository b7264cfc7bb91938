/**
 * The training engine: one run of a model on a dataset with Bop / Bop2ndOrder / the latent baseline, streaming
 * WorkerToHost messages and keeping the experiment folder up to date. Used by the worker process (extension, CLI)
 * and directly by tests.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ExperimentStatus, MetricsEvent, RunState } from '../experiments/types';
import type { ModelSpec } from '../model/spec';
import { hasBinaryKernel } from '../model/spec';
import type { TrainSettings, WorkerToHost } from '../messages';
import { PROTOCOL_VERSION } from '../messages';
import { initBackend, type BackendName } from './backend';
import { BnnModel, encodeInputs, type MovingUpdates } from './model';
import { CaseOptimizer } from './optimizers';
import { DataParallel } from './parallel';
import { recalibrateBatchNorm } from './recalibrate';
import { DEFAULT_BN_RECALIBRATION } from './defaults';
import { defaultThreads, describeThreads, threadsProblem, type ModelWork } from './threads';
import { Rng, deriveSeed, permutation } from './rng';
import { classCountsOf, validationSplit } from './splits';
import { augmentProblem, encodeShard } from './augment';
import { dataModelMismatch, sampleSize, type TrainingData } from './data';
import { writeCheckpoint, type NamedArray, type TrainingState } from './checkpoint';
import { EXPERIMENT_FORMAT_VERSION, validateOptimizer, writeConfig, writeStatus, type ExperimentInit } from '../experiments/store';
import { createRun, resumeRun, type OpenRun } from './openRun';
import { MetricsWriter } from '../experiments/metrics';

export const ENGINE_NAME = 'bnn-studio';
export const ENGINE_VERSION = '0.1.0';

/** A validated training run: the request's settings with the model spec and the loaded dataset (train/job.ts). */
export interface TrainJob extends TrainSettings {
  spec: ModelSpec;
  data: TrainingData;
  /** Mid-epoch checkpoint interval (default 60 s); epoch ends always checkpoint. */
  checkpointEverySec?: number;
}

export interface TrainHooks {
  emit(msg: WorkerToHost): void;
  /** Polled between steps; true stops the run as 'cancelled'. */
  cancelled(): boolean;
  /** Called once the data-parallel threads are up (threads > 1). */
  threadsStarted?(dp: DataParallel): void;
}

export class TrainingFailure extends Error {
  constructor(message: string, readonly step?: number) {
    super(message);
  }
}

function nowIso(): string {
  return new Date().toISOString();
}

/** Runs a training job to its end; returns the final status (also written to status.json). Never throws for
 * training faults (they become a 'failed' status); throws only for bad input found before the experiment exists. */
export async function runTraining(job: TrainJob, hooks: TrainHooks): Promise<ExperimentStatus> {
  if (!(job.epochs >= 1) || !Number.isInteger(job.epochs)) throw new Error(`epochs must be a positive integer (got ${job.epochs})`);
  if (!(job.batchSize >= 1) || !Number.isInteger(job.batchSize)) throw new Error(`batch size must be a positive integer (got ${job.batchSize})`);
  if (!(job.valSplit >= 0 && job.valSplit < 1)) throw new Error(`validation split must be in [0, 1) (got ${job.valSplit})`);
  if (job.threads !== undefined && threadsProblem(job.threads)) throw new Error(threadsProblem(job.threads));
  if (job.bnRecalibration !== undefined && !(Number.isInteger(job.bnRecalibration) && job.bnRecalibration >= 0)) {
    throw new Error(`BatchNorm recalibration must be a whole number of training images, 0 to turn it off (got ${job.bnRecalibration})`);
  }
  const augmentation = job.augment && augmentProblem(job.augment, job.data.shape);
  if (augmentation) throw new Error(augmentation);
  const optimizerProblem = validateOptimizer(job.optimizer);
  if (optimizerProblem) throw new Error(optimizerProblem);
  const mismatch = dataModelMismatch(job.data, job.spec.input.shape, job.spec.classes);
  if (mismatch) throw new Error(mismatch);
  const backend = await initBackend(job.backend);
  for (const n of backend.notes) hooks.emit({ v: PROTOCOL_VERSION, type: 'log', level: 'info', message: n });
  for (const w of job.data.warnings ?? []) hooks.emit({ v: PROTOCOL_VERSION, type: 'log', level: 'warn', message: `data: ${w}` });

  // ---- the experiment: new, or the one being resumed; locked for this process until the run ends
  const size = sampleSize(job.data);
  const run = job.resume
    ? await resumeRun(job.resume, job.experimentsDir, (config, st, checkpoint) => {
      // experiments from before data-parallel training ran on one thread
      const threads = job.threads ?? config.threads ?? 1;
      return { ...config, epochs: Math.max(config.epochs, job.epochs), backend: describeThreads(backend.description, threads), threads, resumedFrom: `checkpoint ${checkpoint} at step ${st.step}`, ...(job.name ? { name: job.name } : {}) };
    })
    : createRun(job.experimentsDir, newExperimentInit(job, backend));
  try {
    return await train(job, hooks, run, size, backend.name);
  } finally {
    run.lock.release();
  }
}

function newExperimentInit(job: TrainJob, backend: { name: string; description: string }): ExperimentInit {
  const trainCount = Math.min(job.data.train.count, job.maxSamples ?? Infinity);
  // a user's own data is validated on a stratified share (see splits.ts); the record says so for a resume
  const preprocessing = job.data.preprocessing ? { ...job.data.preprocessing, stratifiedValidation: true as const } : undefined;
  const split0 = validationSplit(job.data.train.labels, trainCount, job.valSplit, job.seed, !!preprocessing);
  const threads = job.threads ?? defaultThreads(backend.name, job.batchSize, modelWork(job.spec));
  return {
    ...(job.name ? { name: job.name } : {}),
    modelPath: job.modelPath,
    model: job.spec,
    dataset: {
      name: job.data.name,
      path: job.data.path,
      trainSamples: split0.train.length,
      valSamples: split0.val.length,
      testSamples: job.data.test?.count,
      normalization: 'x = u8 / 127.5 - 1 (inputs in [-1, 1])',
      ...(preprocessing ? { preprocessing } : {}),
      perClass: {
        train: classCountsOf(job.data.train.labels, split0.train, job.spec.classes), val: classCountsOf(job.data.train.labels, split0.val, job.spec.classes),
        test: classCountsOf(job.data.test?.labels ?? new Uint8Array(0), undefined, job.spec.classes),
      },
    },
    optimizer: job.optimizer,
    epochs: job.epochs,
    batchSize: job.batchSize,
    seed: job.seed,
    valSplit: job.valSplit,
    backend: describeThreads(backend.description, threads),
    threads,
    bnRecalibration: job.spec.layers.some((l) => l.type === 'BatchNormalization') ? Math.min(job.bnRecalibration ?? DEFAULT_BN_RECALIBRATION, split0.train.length) : 0,
    ...(job.augment && (job.augment.pad > 0 || job.augment.flip) ? { augment: { pad: job.augment.pad, flip: job.augment.flip } } : {}),
    engine: ENGINE_NAME,
    versions: { 'bnn-studio': ENGINE_VERSION, '@tensorflow/tfjs-core': tf.version_core, node: process.versions.node },
  };
}

async function train(job: TrainJob, hooks: TrainHooks, run: OpenRun, size: number, backendName: BackendName): Promise<ExperimentStatus> {
  const { dir, id, config, state, resumedWeights } = run;
  writeConfig(dir, config);
  const spec = config.model;
  const split = validationSplit(job.data.train.labels, Math.min(job.data.train.count, config.dataset.trainSamples + config.dataset.valSamples), config.valSplit, config.seed,
    config.dataset.preprocessing?.stratifiedValidation === true);
  const batchSize = config.batchSize;
  const stepsPerEpoch = Math.ceil(split.train.length / batchSize);
  const totalSteps = stepsPerEpoch * config.epochs;
  if (split.train.length === 0) throw new Error('no training samples left after the validation split');

  const startedAt = nowIso();
  const status: ExperimentStatus = {
    formatVersion: EXPERIMENT_FORMAT_VERSION, state: 'running', pid: process.pid, startedAt, updatedAt: startedAt, epoch: state?.epoch ?? 0, step: state?.step ?? 0, totalSteps,
    lastCheckpoint: state ? 'last' : undefined,
  };
  writeStatus(dir, status);
  hooks.emit({ v: PROTOCOL_VERSION, type: 'started', experimentId: id, experimentDir: dir, config, backend: config.backend });
  hooks.emit({ v: PROTOCOL_VERSION, type: 'status', experimentId: id, status: { ...status } });

  const latent = config.optimizer.kind === 'latent';
  const model = new BnnModel(spec, { latent, seed: config.seed }, resumedWeights?.weights);
  const optimizer = new CaseOptimizer(config.optimizer, model.trainableParams);
  const log = new MetricsWriter(dir);
  const binaryLayers = model.trainableParams.filter((p) => p.binary);
  const binarySizes = binaryLayers.map((p) => p.variable.size);

  if (state) restoreState(model, optimizer, state, latent);

  let step = state?.step ?? 0;
  let epoch = state?.epoch ?? 0;
  let batchInEpoch = state?.batchInEpoch ?? 0;
  let epochLossSum = state?.epochLossSum ?? 0;
  let epochCorrect = state?.epochCorrect ?? 0;
  let epochSeen = state?.epochSeen ?? 0;
  let bestVal = state?.bestValAccuracy;
  const timeOffset = state?.elapsedMs ?? 0;
  const t0 = Date.now();
  const elapsed = (): number => timeOffset + (Date.now() - t0);
  const eventsPerSecond = job.eventsPerSecond ?? 10;
  const minEventGap = eventsPerSecond > 0 ? 1000 / eventsPerSecond : 0;
  let lastEventWall = Date.now();
  let samplesSinceEvent = 0;
  let stepsSinceEvent = 0;
  const flipSums = new Float64Array(binaryLayers.length);
  let lastCheckpointWall = Date.now();
  const checkpointEvery = (job.checkpointEverySec ?? 60) * 1000;
  const xBuf = new Float32Array(batchSize * size);
  // a fixed, shuffled share of the training images (never validation ones), the same every epoch
  const recalibrationSet = (config.bnRecalibration ?? 0) > 0
    ? Uint32Array.from(permutation(split.train.length, new Rng(deriveSeed(config.seed, 0xb2))).subarray(0, config.bnRecalibration), (i) => split.train[i])
    : undefined;

  const finish = (st: RunState, extra?: Partial<ExperimentStatus>): ExperimentStatus => {
    Object.assign(status, { state: st, updatedAt: nowIso(), endedAt: nowIso(), epoch, step, pid: undefined }, extra);
    delete status.pid;
    writeStatus(dir, status);
    hooks.emit({ v: PROTOCOL_VERSION, type: 'done', experimentId: id, status: { ...status } });
    return status;
  };

  const checkpoint = (name: string, valAccuracy?: number): void => {
    const trained = model.toTrained();
    const st: TrainingState = {
      epoch, batchInEpoch, step, optimizerIterations: optimizer.iterations, bestValAccuracy: bestVal, elapsedMs: elapsed(),
      epochLossSum, epochCorrect, epochSeen, arrays: collectState(model, optimizer, latent),
    };
    writeCheckpoint(dir, name, trained, { experimentId: id, epoch, step, createdAt: nowIso(), ...(valAccuracy !== undefined ? { valAccuracy } : {}) }, st, `${ENGINE_NAME} ${ENGINE_VERSION}`);
    lastCheckpointWall = Date.now();
  };

  const threads = config.threads ?? 1;
  // the recorded augmentation, so a resumed run augments as the run it continues
  const augment = config.augment ? { ...config.augment, shape: job.data.shape, seed: config.seed } : undefined;
  let parallel: DataParallel | undefined;
  try {
    if (threads > 1) {
      parallel = await DataParallel.start({
        threads, model, optimizer, backend: backendName, images: job.data.train.images, labels: job.data.train.labels, latent, seed: config.seed, augment,
      });
      hooks.threadsStarted?.(parallel);
    }
    const trainVars = model.trainableParams.map((p) => p.variable);
    while (epoch < config.epochs) {
      const perm = permutation(split.train.length, new Rng(deriveSeed(config.seed, epoch + 1)));
      for (; batchInEpoch < stepsPerEpoch; batchInEpoch++) {
        if (hooks.cancelled()) return finish('cancelled');
        const from = batchInEpoch * batchSize;
        const n = Math.min(batchSize, split.train.length - from);
        const idx = new Uint32Array(n);
        for (let i = 0; i < n; i++) idx[i] = split.train[perm[from + i]];
        let r: ArrayLike<number>;
        if (parallel) {
          r = await parallel.step(idx, step);
        } else {
          const xs = encodeShard(job.data.train.images, idx, size, augment, step, 0, n === batchSize ? xBuf : undefined);
          const ys = new Int32Array(n);
          for (let i = 0; i < n; i++) ys[i] = job.data.train.labels[idx[i]];
          const out = trainStep(model, optimizer, trainVars, xs, ys, spec);
          r = out.dataSync();
          out.dispose();
        }
        const loss = r[0];
        step++;
        if (!Number.isFinite(loss)) {
          throw new TrainingFailure(`loss became ${loss} at step ${step} (epoch ${epoch + 1}); try a smaller learning rate or gamma`, step);
        }
        epochLossSum += loss * n;
        epochCorrect += r[1];
        epochSeen += n;
        samplesSinceEvent += n;
        stepsSinceEvent++;
        for (let l = 0; l < binaryLayers.length; l++) flipSums[l] += r[2 + l] / binarySizes[l];
        const now = Date.now();
        if (now - lastEventWall >= minEventGap || batchInEpoch === stepsPerEpoch - 1) {
          const h = optimizer.hyper(optimizer.iterations - 1);
          const flipRatio: Record<string, number> = {};
          binaryLayers.forEach((p, l) => { flipRatio[p.layer] = flipSums[l] / stepsSinceEvent; });
          const secs = Math.max((now - lastEventWall) / 1000, 1e-6);
          const ev: MetricsEvent = {
            kind: 'step', step, epoch: epoch + 1, time: elapsed(), loss: epochLossSum / epochSeen, accuracy: epochCorrect / epochSeen,
            flipRatio, lr: h.lr, samplesPerSec: samplesSinceEvent / secs,
            ...(h.gamma !== undefined ? { gamma: h.gamma } : {}), ...(h.threshold !== undefined ? { threshold: h.threshold } : {}),
          };
          log.append([ev]);
          hooks.emit({ v: PROTOCOL_VERSION, type: 'metrics', experimentId: id, event: ev });
          lastEventWall = now;
          samplesSinceEvent = 0;
          stepsSinceEvent = 0;
          flipSums.fill(0);
        }
        if (now - lastCheckpointWall >= checkpointEvery && batchInEpoch < stepsPerEpoch - 1) {
          batchInEpoch++;
          checkpoint('last');
          batchInEpoch--;
          status.lastCheckpoint = 'last';
        }
        // let IPC (cancel) in between steps
        await new Promise<void>((res) => setImmediate(res));
      }
      // ---- end of epoch: BatchNorm statistics for the weights as they are now, validation, checkpoint, epoch event
      if (recalibrationSet && !(await recalibrateBatchNorm(model, job.data.train.images, recalibrationSet, size, batchSize, hooks.cancelled))) return finish('cancelled');
      const val = split.val.length ? evaluateSet(model, job.data.train.images, job.data.train.labels, split.val, size) : undefined;
      const ev: MetricsEvent = {
        kind: 'epoch', step, epoch: epoch + 1, time: elapsed(), loss: epochLossSum / Math.max(epochSeen, 1), accuracy: epochCorrect / Math.max(epochSeen, 1),
        ...(val ? { valLoss: val.loss, valAccuracy: val.accuracy } : {}),
      };
      if (val && !Number.isFinite(val.loss)) throw new TrainingFailure(`validation loss is ${val.loss} after epoch ${epoch + 1}`, step);
      status.final = { trainLoss: ev.loss, trainAccuracy: ev.accuracy, valLoss: val?.loss, valAccuracy: val?.accuracy };
      epoch++;
      batchInEpoch = 0;
      epochLossSum = 0;
      epochCorrect = 0;
      epochSeen = 0;
      const improved = val !== undefined && (bestVal === undefined || val.accuracy > bestVal);
      if (improved) bestVal = val!.accuracy;
      checkpoint('last', val?.accuracy);
      status.lastCheckpoint = 'last';
      if (improved || val === undefined) {
        checkpoint('best', val?.accuracy);
        status.bestCheckpoint = 'best';
      }
      log.append([ev]);
      hooks.emit({ v: PROTOCOL_VERSION, type: 'metrics', experimentId: id, event: ev });
      Object.assign(status, { epoch, step, updatedAt: nowIso() });
      writeStatus(dir, status);
      hooks.emit({ v: PROTOCOL_VERSION, type: 'status', experimentId: id, status: { ...status } });
    }
    if (job.data.test && job.data.test.count > 0) {
      const all = new Uint32Array(job.data.test.count).map((_, i) => i);
      const test = evaluateSet(model, job.data.test.images, job.data.test.labels, all, size);
      status.final = { ...status.final, testAccuracy: test.accuracy };
    }
    return finish('completed');
  } catch (err) {
    const e = err as Error;
    return finish('failed', { error: { message: e.message, step: err instanceof TrainingFailure ? err.step : step } });
  } finally {
    await parallel?.close();
    log.close();
    optimizer.dispose();
    model.dispose();
  }
}

/** One optimizer step; returns [loss, correct, flips per binary param…] as one small tensor (one readback). */
export function trainStep(model: BnnModel, optimizer: CaseOptimizer, vars: tf.Variable[], xs: Float32Array, ys: Int32Array, spec: ModelSpec): tf.Tensor1D {
  const n = ys.length;
  const updates: MovingUpdates = [];
  let correct: tf.Tensor | undefined;
  try {
    return tf.tidy(() => {
      const size = spec.input.shape.reduce((a, b) => a * b, 1);
      const x = tf.tensor(xs.subarray(0, n * size), [n, ...spec.input.shape]);
      const y = tf.tensor1d(ys, 'int32');
      const { value, grads } = tf.variableGrads(() => {
        const logits = model.forward(x, true, updates);
        correct = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), y), 'float32')));
        for (const u of updates) tf.keep(u.value);
        return tf.losses.softmaxCrossEntropy(tf.oneHot(y, spec.classes), logits) as tf.Scalar;
      }, vars);
      const byName: Record<string, tf.Tensor> = {};
      for (const p of model.trainableParams) byName[p.name] = grads[p.variable.name];
      const flips = optimizer.apply(byName);
      for (const u of updates) u.variable.assign(u.value);
      return tf.stack([value, correct!, ...flips]) as tf.Tensor1D;
    });
  } finally {
    correct?.dispose();
    for (const u of updates) u.value.dispose();
  }
}

/** Loss and accuracy of the model in inference mode over the given sample indices. */
export function evaluateSet(model: BnnModel, images: Uint8Array, labels: Uint8Array, indices: Uint32Array, size: number, batch = 500): { loss: number; accuracy: number } {
  let lossSum = 0;
  let correct = 0;
  const spec = model.spec;
  for (let from = 0; from < indices.length; from += batch) {
    const idx = indices.subarray(from, Math.min(from + batch, indices.length));
    const xs = encodeInputs(images, idx, size);
    const ys = new Int32Array(idx.length);
    for (let i = 0; i < idx.length; i++) ys[i] = labels[idx[i]];
    const out = tf.tidy(() => {
      const logits = model.forward(tf.tensor(xs, [idx.length, ...spec.input.shape]), false);
      const y = tf.tensor1d(ys, 'int32');
      const loss = tf.losses.softmaxCrossEntropy(tf.oneHot(y, spec.classes), logits, undefined, undefined, tf.Reduction.SUM);
      const c = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), y), 'float32'));
      return tf.stack([loss, c]);
    });
    const r = out.dataSync();
    out.dispose();
    lossSum += r[0];
    correct += r[1];
  }
  return { loss: lossSum / Math.max(indices.length, 1), accuracy: correct / Math.max(indices.length, 1) };
}

function collectState(model: BnnModel, optimizer: CaseOptimizer, latent: boolean): NamedArray[] {
  const arrays: NamedArray[] = [];
  for (const [name, v] of Object.entries(optimizer.slots)) arrays.push({ name: `slot:${name}`, shape: v.shape, data: Float32Array.from(v.dataSync() as Float32Array) });
  if (latent) {
    for (const p of model.params) if (p.binary) arrays.push({ name: `latent:${p.name}`, shape: p.shape, data: Float32Array.from(p.variable.dataSync() as Float32Array) });
  }
  return arrays;
}

function restoreState(model: BnnModel, optimizer: CaseOptimizer, state: TrainingState, latent: boolean): void {
  for (const a of state.arrays) {
    if (a.name.startsWith('slot:')) {
      const v = optimizer.slots[a.name.slice(5)];
      if (v) tf.tidy(() => v.assign(tf.tensor(a.data, v.shape)));
    } else if (latent && a.name.startsWith('latent:')) {
      const p = model.byName.get(a.name.slice(7));
      if (p) tf.tidy(() => p.variable.assign(tf.tensor(a.data, p.shape)));
    }
  }
  optimizer.iterations = state.optimizerIterations;
}

/** Multiply-accumulates per sample (dense: the kernel; convolution: the kernel at every output position) and trainable
 *  parameters, for the default thread count. */
export function modelWork(spec: ModelSpec): ModelWork {
  const model = new BnnModel(spec, { latent: false, seed: 0 });
  try {
    let macsPerSample = 0;
    spec.layers.forEach((l, i) => {
      const k = model.byName.get(`${l.name}/kernel`);
      if (!k) return;
      const out = model.shapes[i];
      macsPerSample += k.variable.size * (l.type === 'QuantConv2D' ? out[0] * out[1] : 1);
    });
    return { macsPerSample, params: model.trainableParams.reduce((a, p) => a + p.variable.size, 0) };
  } finally {
    model.dispose();
  }
}

/** Whether a spec trains anything with Bop (at least one binary kernel). */
export function hasBinaryLayers(spec: ModelSpec): boolean {
  return spec.layers.some(hasBinaryKernel);
}
