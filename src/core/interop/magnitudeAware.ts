/**
 * Larq's `MagnitudeAwareSign` kernel quantizer (Bi-Real Net's): sign(w) times each output channel's mean |w|. The
 * ±1 kernel BNN Studio packs cannot carry that scale, but the BatchNormalization after the layer can: a positive
 * per-channel scale s multiplies the channel's mean and spread alike, so BatchNormalization's output is unchanged
 * but for ε, and a trained scale folds exactly into its γ and moving mean (scaleFold.ts does that when weights are
 * imported). So the quantizer imports as ste_sign when a BatchNormalization reads the layer — directly, or through
 * a MaxPool2D, which commutes with a positive scale — and the import report says so; anywhere else the scale would
 * change what the next layer sees (an Add with a real shortcut, a Dense head), and the layer is refused.
 */
import type { ModelSpec } from '../model/spec';
import { modelGraph, type ModelGraph } from '../model/graph';
import { layerLabel } from '../model/layerLabel';
import type { ImportProblem, LayerOrigin } from './kerasImport';
import { foldTarget } from './scaleFold';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Larq's names for the quantizer: its class in a serialized config, its string alias in code. */
export const MAGNITUDE_AWARE_SIGN = new Set(['MagnitudeAwareSign', 'magnitude_aware_sign']);

/** The Keras layer list of a parsed model document (Keras to_json, TF.js model.json, Keras 3 build). */
function kerasLayers(doc: Obj): Obj[] {
  const top = isObj(doc.modelTopology) ? doc.modelTopology : doc;
  const model = isObj(top.model_config) ? top.model_config : top;
  const layers = isObj(model.config) ? model.config.layers : undefined;
  return Array.isArray(layers) ? layers.map((l) => (isObj(l) ? l : {})) : [];
}

function usesMagnitudeAwareSign(kl: Obj, key: 'kernel_quantizer' | 'input_quantizer'): boolean {
  const q = isObj(kl.config) ? kl.config[key] : undefined;
  const id = typeof q === 'string' ? q : isObj(q) ? String(q.class_name) : '';
  return MAGNITUDE_AWARE_SIGN.has(id);
}

/**
 * The notes (one per layer whose MagnitudeAwareSign scale folds into a BatchNormalization) and the errors (a layer
 * with nowhere to fold it) of a converted model.
 */
export function magnitudeAwareFolds(doc: Obj | undefined, spec: ModelSpec, origins: readonly LayerOrigin[]): { notes: string[]; problems: ImportProblem[] } {
  const notes: string[] = [];
  const problems: ImportProblem[] = [];
  if (!doc) return { notes, problems };
  const source = kerasLayers(doc);
  let graph: ModelGraph;
  try {
    graph = modelGraph(spec);
  } catch {
    return { notes, problems }; // the loader reports the graph's errors
  }
  spec.layers.forEach((l, i) => {
    const o = origins[i];
    if (l.type !== 'QuantConv2D' && l.type !== 'QuantDense') return;
    const kl = o ? source[o.kerasIndex] : undefined;
    if (!kl) return;
    const label = layerLabel(i, l.type, l.name);
    if (usesMagnitudeAwareSign(kl, 'input_quantizer')) {
      problems.push({ severity: 'error', layerIndex: o.kerasIndex, layerName: o.kerasName, message: `${label}: input_quantizer MagnitudeAwareSign is not supported (its scale is the mean |x| of each input, which no threshold can hold): use ste_sign or approx_sign` });
    }
    if (!usesMagnitudeAwareSign(kl, 'kernel_quantizer')) return;
    const target = foldTarget(spec, graph, i);
    if ('reason' in target) {
      problems.push({
        severity: 'error', layerIndex: o.kerasIndex, layerName: o.kerasName,
        message: `${label}: kernel_quantizer MagnitudeAwareSign scales each output channel by its mean |w|, which a ±1 kernel cannot hold; it folds into a BatchNormalization that alone reads the layer, and none does here (use ste_sign, or put a BatchNormalization after the layer)`,
      });
      return;
    }
    const bn = target.bn;
    notes.push(`${label}: Larq's MagnitudeAwareSign kernel quantizer becomes ste_sign; its per-channel scale (each filter's mean |w|, positive) folds into ${layerLabel(bn, 'BatchNormalization', spec.layers[bn].name)}, whose normalization absorbs it (trained weights: into its γ and moving mean)`);
  });
  return { notes, problems };
}
