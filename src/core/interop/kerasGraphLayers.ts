/**
 * The Keras layers of residual binary networks (Bi-Real Net, ReActNet, QuickNet, binary DenseNets) → BNN Studio layers:
 * Add, Concatenate, (Global)AveragePooling2D, ReLU and PReLU. Settings BNN Studio cannot honour are errors, not
 * silently changed; those that depend on the input's rank (PReLU's shared axes, Concatenate's axis) are checked once
 * the converted model's shapes are known (checkRanks).
 */
import type { LayerSpec } from '../model/spec';
import { inferShapes } from '../deploy/shapes';
import { INPUT_SOURCE, modelGraph } from '../model/graph';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Keras class names (with their aliases) this file converts. */
export const GRAPH_LAYER_CLASSES: ReadonlySet<string> = new Set([
  'Add', 'Concatenate', 'AveragePooling2D', 'AvgPool2D', 'GlobalAveragePooling2D', 'GlobalAvgPool2D', 'ReLU', 'PReLU',
]);

/** A check of a converted layer against the rank of its input ([H, W, C] → 3, [N] → 1); a message when it fails. */
export interface RankCheck {
  /** Index of the converted layer in the spec. */
  layer: number;
  check: (rank: number) => string | undefined;
  /** Reports a failed check as the converter reports the layer's other problems. */
  report: (message: string) => void;
}

export interface GraphLayerContext {
  /** The converted layer's name (already made unique). */
  name: string;
  /** Where the layer will sit in the spec. */
  at: number;
  config: Obj;
  err: (message: string, severity?: 'error' | 'warning') => void;
  pair: (key: string, fallback: [number, number]) => [number, number];
  rankChecks: RankCheck[];
}

/** The initializer's constant, or undefined for one that is not (RandomNormal, …). */
function constantInitializer(v: unknown): number | undefined {
  if (v === undefined || v === null) return 0; // Keras' default alpha_initializer is "zeros"
  const id = typeof v === 'string' ? v : isObj(v) ? String(v.class_name) : '';
  const key = id.replace(/_/g, '').toLowerCase();
  if (key === 'zeros' || key === 'zero') return 0;
  if (key === 'ones' || key === 'one') return 1;
  if (key === 'constant' && isObj(v) && isObj(v.config)) return typeof v.config.value === 'number' ? v.config.value : undefined;
  return undefined;
}

function channelsLast(c: Obj, err: GraphLayerContext['err']): void {
  if (c.data_format === 'channels_first') err('data_format "channels_first" is not supported (BNN Studio is channels-last)');
}

/** Converts one of GRAPH_LAYER_CLASSES; undefined (with an error reported) when it cannot be. */
export function convertGraphLayer(cls: string, ctx: GraphLayerContext): LayerSpec | undefined {
  const { name, config: c, err } = ctx;
  switch (cls) {
    case 'Add':
      return { type: 'Add', name };
    case 'Concatenate': {
      const axis = c.axis ?? -1;
      if (typeof axis !== 'number' || !Number.isInteger(axis)) { err(`"axis" must be an integer, got ${JSON.stringify(axis)}`); return undefined; }
      if (axis !== -1) {
        // Keras counts the batch axis: the channel axis of an [H, W, C] input is 3, of an [N] input 1
        ctx.rankChecks.push({ layer: ctx.at, report: err, check: (rank) => (axis === rank ? undefined : `joins along axis ${axis}; BNN Studio joins along the channel axis (-1, here ${rank})`) });
      }
      return { type: 'Concatenate', name };
    }
    case 'AveragePooling2D': case 'AvgPool2D': {
      channelsLast(c, err);
      const poolSize = ctx.pair('pool_size', [2, 2]);
      return { type: 'AveragePooling2D', name, poolSize, strides: ctx.pair('strides', poolSize), padding: c.padding === 'same' ? 'same' : 'valid' };
    }
    case 'GlobalAveragePooling2D': case 'GlobalAvgPool2D':
      channelsLast(c, err);
      if (c.keepdims === true) { err('keepdims=True (a [1, 1, C] output) is not supported: BNN Studio\'s GlobalAveragePooling2D gives the [C] vector'); return undefined; }
      return { type: 'GlobalAveragePooling2D', name };
    case 'ReLU': {
      const set = (k: string, neutral: number): boolean => c[k] !== undefined && c[k] !== null && c[k] !== neutral;
      if (set('max_value', Infinity) || set('negative_slope', 0) || set('threshold', 0)) {
        err(`ReLU(max_value=${JSON.stringify(c.max_value ?? null)}, negative_slope=${JSON.stringify(c.negative_slope ?? 0)}, threshold=${JSON.stringify(c.threshold ?? 0)}) is not supported: BNN Studio has the plain ReLU (and PReLU for a learned slope)`);
        return undefined;
      }
      return { type: 'Activation', name, activation: 'relu' };
    }
    case 'PReLU': {
      let alpha = constantInitializer(c.alpha_initializer);
      if (alpha === undefined) {
        err(`alpha_initializer ${JSON.stringify(isObj(c.alpha_initializer) ? c.alpha_initializer.class_name : c.alpha_initializer)} becomes the constant 0 (BNN Studio starts every alpha at one constant)`, 'warning');
        alpha = 0;
      }
      for (const k of ['alpha_regularizer', 'alpha_constraint']) if (c[k] !== undefined && c[k] !== null) err(`${k} is not kept (BNN Studio trains alpha with Adam, unconstrained)`, 'warning');
      const shared = Array.isArray(c.shared_axes) ? [...c.shared_axes].sort() : c.shared_axes === null || c.shared_axes === undefined ? [] : [c.shared_axes];
      const said = JSON.stringify(c.shared_axes ?? null);
      ctx.rankChecks.push({
        layer: ctx.at, report: err, check: (rank) => {
          // one alpha per channel: shared over H and W of an image, nothing to share on a vector
          const ok = rank === 3 ? shared.length === 2 && shared[0] === 1 && shared[1] === 2 : rank === 1 && shared.length === 0;
          return ok ? undefined : `shared_axes ${said} on a ${rank === 3 ? '[H, W, C]' : `rank-${rank}`} input is not one alpha per channel, the only PReLU BNN Studio has (use shared_axes=${rank === 3 ? '[1, 2]' : 'None'})`;
        },
      });
      return { type: 'PReLU', name, alphaInitializer: alpha };
    }
  }
  return undefined;
}

/**
 * Runs the rank checks on the converted layers: the rank of each one's input comes from the model's shapes. When the
 * shapes cannot be inferred the loader reports why, and the checks wait for a model that has them.
 */
export function checkRanks(spec: { name: string; input: { shape: number[] }; classes: number; layers: LayerSpec[]; outputs?: string[] }, checks: readonly RankCheck[]): void {
  if (!checks.length) return;
  let shapes: number[][];
  let inputs: number[][];
  try {
    inputs = modelGraph(spec).inputs;
    shapes = inferShapes(spec);
  } catch {
    return;
  }
  for (const c of checks) {
    const src = inputs[c.layer][0];
    const shape = src === INPUT_SOURCE ? spec.input.shape : shapes[src];
    const m = c.check(shape.length);
    if (m) c.report(m);
  }
}
