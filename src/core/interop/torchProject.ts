/**
 * "Export PyTorch Training Project": the Python sources in python/bnn_torch/ (real files, shipped with the extension
 * and tested with Python) plus a generated config.json they read — the model spec, the checkpoint's Keras topology
 * (one definition: kerasExport.ts), the optimizer with its schedules resolved to steps, epochs, batch, seed and the
 * dataset's files. Nothing model-specific is written as Python.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { ModelSpec } from '../model/spec';
import type { OptimizerConfig } from '../experiments/types';
import type { IdxRole } from '../data/named';
import { validateOptimizer, assertValid } from '../experiments/files';
import { specToKerasJson } from './kerasExport';

export const TORCH_SOURCES_SUBDIR = path.join('python', 'bnn_torch');
export const TORCH_PROJECT_KIND = 'bnn-studio-torch-project';

/** The command that runs the project on two processes. `--redirects 1 --tee 1`: without them Debian's torch 1.13 on
 *  Python 3.11 fails before starting a worker (AttributeError: 'NoneType' object has no attribute 'get', in
 *  elastic/multiprocessing/api.py to_map; measured); with them each rank's output is shown, prefixed by its rank. */
export const TORCHRUN_ARGS = ['--redirects', '1', '--tee', '1'];
export const TORCHRUN_COMMAND = `python3 -m torch.distributed.run --nproc_per_node 2 ${TORCHRUN_ARGS.join(' ')} train.py`;

export interface TorchProjectOptions {
  spec: ModelSpec;
  /** The model file as given (the experiment's modelPath). */
  modelPath: string;
  optimizer: OptimizerConfig;
  dataset: { name: string; dir: string; files: Record<IdxRole, string> };
  epochs: number;
  batchSize: number;
  seed: number;
  valSplit: number;
  logEvery?: number;
  generator: string;
}

/** Finds python/bnn_torch by walking up from this file (src/core/interop in the repository, dist/ when bundled). */
export function torchSourcesDir(start: string = __dirname): string | undefined {
  let dir = start;
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, TORCH_SOURCES_SUBDIR);
    if (existsSync(path.join(candidate, 'train.py'))) return candidate;
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return undefined;
}

export function torchProjectConfig(o: TorchProjectOptions): Record<string, unknown> {
  assertValid('optimizer for the PyTorch project', validateOptimizer(o.optimizer));
  const unresolved = (['lr', 'gamma', 'threshold', 'sigma'] as const).find((k) => { const s = o.optimizer[k]; return s && s.kind !== 'constant' && s.unit === 'epochs'; });
  if (unresolved) throw new Error(`optimizer.${unresolved} is counted in epochs: resolve it to steps before export`);
  return {
    formatVersion: 1,
    kind: TORCH_PROJECT_KIND,
    generator: o.generator,
    modelPath: o.modelPath,
    model: o.spec,
    topology: { ...specToKerasJson(o.spec), keras_version: 'tfjs-layers 4.22.0', backend: 'tensor_flow.js' },
    optimizer: o.optimizer,
    dataset: { name: o.dataset.name, path: o.dataset.dir, files: o.dataset.files },
    epochs: o.epochs,
    batchSize: o.batchSize,
    seed: o.seed,
    valSplit: o.valSplit,
    logEvery: o.logEvery ?? 10,
  };
}

/** Writes the project: the .py sources copied as they are, and config.json. Returns the files written. */
export function writeTorchProject(outDir: string, o: TorchProjectOptions, sourcesDir = torchSourcesDir()): string[] {
  if (!sourcesDir) throw new Error(`the PyTorch project sources (${TORCH_SOURCES_SUBDIR}) were not found next to BNN Studio's code`);
  const config = torchProjectConfig(o);
  mkdirSync(outDir, { recursive: true });
  const files = readdirSync(sourcesDir).filter((f) => f.endsWith('.py')).sort();
  for (const f of files) copyFileSync(path.join(sourcesDir, f), path.join(outDir, f));
  writeFileSync(path.join(outDir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
  writeFileSync(path.join(outDir, 'requirements.txt'), 'torch>=1.13\nnumpy\n');
  return [...files, 'config.json', 'requirements.txt'];
}
