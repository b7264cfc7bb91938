/**
 * Where a model to compile comes from (a `*.trained.json`, a checkpoint directory or an experiment directory) and
 * where the generated files go. Shared by the CLI and the extension.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TrainedModel } from '../model/trained';
import { loadExperimentModel } from '../train/experimentModel';
import { CHECKPOINTS_DIR } from '../experiments/types';
import { symlinkProblem } from '../experiments/read';
import { loadCheckpoint } from '../train/checkpoint';
import { parseTrainedModel } from './trainedJson';

export type CompileSourceKind = 'trained-json' | 'checkpoint' | 'experiment';

export interface CompileSource {
  trained: TrainedModel;
  kind: CompileSourceKind;
  path: string;
  /** For an experiment: the checkpoint used, as commands print it ("best (epoch 7, step 420, val acc 91.20%)"). */
  checkpoint?: string;
}

export class CompileInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CompileInputError';
  }
}

/** `checkpoint`: a checkpoint name under an experiment's checkpoints/ (default: experiments/checkpoints.ts's rule). */
export function loadCompileSource(p: string, checkpoint?: string): CompileSource {
  // a symlinked experiment is followed as everywhere else, a looping or dangling one refused (experiments/read.ts)
  const linkProblem = symlinkProblem(p);
  if (linkProblem) throw new CompileInputError(linkProblem);
  let st: fs.Stats;
  try { st = fs.statSync(p); } catch { throw new CompileInputError(`${p}: no such file or directory`); }
  if (st.isFile()) {
    let text: string;
    try { text = fs.readFileSync(p, 'utf8'); } catch (err) { throw new CompileInputError(`${p}: ${(err as Error).message}`); }
    return { trained: parseTrainedModel(text, p), kind: 'trained-json', path: p };
  }
  if (fs.existsSync(path.join(p, CHECKPOINTS_DIR))) {
    // The same checkpoint `bnn bench` runs, so a compiled folder and a benchmark report the same model hash.
    try {
      const m = loadExperimentModel(p, checkpoint);
      return { trained: m.trained, kind: 'experiment', path: p, checkpoint: m.label };
    } catch (err) {
      throw new CompileInputError((err as Error).message);
    }
  }
  if (checkpoint) throw new CompileInputError(`${p} is not an experiment folder (no ${CHECKPOINTS_DIR}/), so it has no checkpoint '${checkpoint}'`);
  return { trained: loadCheckpointDir(p), kind: 'checkpoint', path: p };
}

/** Reads a trainer checkpoint (or an experiment's last checkpoint); its errors become input errors naming the file. */
function loadCheckpointDir(dir: string): TrainedModel {
  try {
    const { spec, weights } = loadCheckpoint(dir);
    return { spec, weights };
  } catch (err) {
    throw new CompileInputError((err as Error).message);
  }
}

/** The default output folder: inside the experiment for experiments and checkpoints, next to a JSON file otherwise. */
export function defaultOutDir(source: CompileSource, board: string): string {
  if (source.kind === 'experiment') return path.join(source.path, 'compiled', board);
  if (source.kind === 'checkpoint') return path.join(source.path, 'compiled', board);
  return path.join(path.dirname(source.path), `${source.trained.spec.name}-${board}`);
}

/** Writes each file through a temp file and a rename, so a reader never sees a half-written bnn_model.c. */
export function writeCompiledFiles(outDir: string, files: Record<string, string>): string[] {
  try {
    fs.mkdirSync(outDir, { recursive: true });
  } catch (err) {
    throw new CompileInputError(`cannot create ${outDir}: ${(err as Error).message}`);
  }
  if (!fs.statSync(outDir).isDirectory()) throw new CompileInputError(`${outDir} is not a directory`);
  const written: string[] = [];
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(outDir, name);
    const tmp = path.join(outDir, `.${name}.${process.pid}.tmp`);
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
    written.push(file);
  }
  return written;
}
