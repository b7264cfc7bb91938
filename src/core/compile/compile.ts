/**
 * The compiler's entry points: a TrainedModel in, a C99 library out (bnn_model.h, bnn_model.c, a manifest and a
 * copy of the C runtime bnn_model.c includes), emitted exactly from the deployment plan.
 */
import { findBoard } from '../boards';
import { requireFit } from '../estimate/fit';
import type { DeployPlan, FirstLayerKernel } from '../deploy/plan';
import type { TrainedModel } from '../model/trained';
import { emitHeader, emitSource, GENERATOR } from './codegen';
import { hashLowered } from './hash';
import { lowerModel, stageArrayBytes } from './lower';
import { runtimeFiles } from './runtimeFiles';
import type { LoweredModel } from './types';

export interface CompileOptions {
  /**
   * Board id, recorded in the generated files and the manifest. A model that does not fit a known board (with its
   * firmware) is refused here, before any C is written or built: DoesNotFitError, with the numbers.
   */
  board?: string;
  /** The first layer's kernel (plan.ts FirstLayerKernel): 'fast' (default) or the table-free, RAM-lean one. */
  firstLayer?: FirstLayerKernel;
}

/** What `bnn_model.json` holds: the numbers a host tool needs without parsing C. */
export interface CompileManifest {
  generator: string;
  model: string;
  board?: string;
  hash: string;
  inputSize: number;
  inputShape: number[];
  classes: number;
  scoresAreFloat: boolean;
  flashBytes: number;
  ramBytes: number;
  /** The one activation arena (DeployPlan.arena). */
  arenaBytes: number;
  stages: { kind: string; name: string; kernelBytes: number; epilogueBytes: number; output: { shape: number[]; repr: string; bytes: number } }[];
}

export interface CompiledModel {
  files: Record<string, string>;
  plan: DeployPlan;
  hash: string;
  /** The lowered model: give it to referenceInfer() for the exact outputs the C produces. */
  model: LoweredModel;
  manifest: CompileManifest;
}

export function modelHash(trained: TrainedModel, opts: Pick<CompileOptions, 'firstLayer'> = {}): string {
  return hashLowered(lowerModel(trained, { firstLayer: opts.firstLayer }));
}

export function compileModel(trained: TrainedModel, opts: CompileOptions = {}): CompiledModel {
  const model = lowerModel(trained, { firstLayer: opts.firstLayer });
  const hash = hashLowered(model);
  const plan = model.plan;
  const board = opts.board !== undefined ? findBoard(opts.board) : undefined;
  if (board) requireFit(trained.spec.name, plan, board);
  const manifest: CompileManifest = {
    generator: GENERATOR,
    model: trained.spec.name,
    board: opts.board,
    hash,
    inputSize: model.inputBytes,
    inputShape: trained.spec.input.shape.slice(),
    classes: model.classes,
    scoresAreFloat: model.scoresAreFloat,
    flashBytes: plan.flashBytes,
    ramBytes: plan.ramBytes,
    arenaBytes: plan.arena.bytes,
    stages: model.stages.map((s, k) => {
      const b = stageArrayBytes(s);
      const ps = plan.stages[k];
      return { kind: s.kind, name: s.name, kernelBytes: b.kernel, epilogueBytes: b.epilogue, output: { shape: ps.output.shape, repr: ps.output.repr, bytes: ps.output.bytes } };
    }),
  };
  const emit = { hash, board: opts.board };
  return {
    files: {
      'bnn_model.h': emitHeader(model, emit),
      'bnn_model.c': emitSource(model, emit),
      'bnn_model.json': JSON.stringify(manifest, null, 2) + '\n',
      // The runtime bnn_model.c includes, so the folder builds on its own (the hash covers these bytes).
      ...runtimeFiles(),
    },
    plan,
    hash,
    model,
    manifest,
  };
}
