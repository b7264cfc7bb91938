/**
 * An imported model's own input encoding, folded into its first layer so the model runs on BNN Studio's
 * x = u8 / 127.5 − 1 (INPUT_ENCODING) everywhere — trainer, host reference, compiled C.
 *
 * The source model sees x' = a_c·u8 + b_c per input channel c (a Keras Rescaling/Normalization, or what the user says
 * with --input-scale/--input-offset or --input-mean/--input-std). Since u8 = 127.5·(x + 1), x' = s_c·x + t_c with
 * s_c = 127.5·a_c and t_c = 127.5·a_c + b_c. Then, for the first layer's pre-activation z = Σ W·x + b:
 * - real kernel: W'[…, c, o] = s_c·W, b'_o = b_o + Σ t_c·W[…, c, o] — exact;
 * - ±1 kernel: only one s for all channels fits (the kernel cannot carry per-channel scales); z' = s·z + c_o with
 *   c_o = Σ t_c·W + b_o·(1 − s), folded into the BatchNormalization after it (scaleFold.ts);
 * - binarized input: sign(s·x + t) = sign(x) only when t = 0 and s > 0.
 * 'same' padding adds x' = 0 in the source, which is x = −t/s here, not BNN Studio's 0: exact only when every t_c = 0.
 */
import type { TrainedModel } from '../model/trained';
import { INPUT_ENCODING } from '../model/spec';
import { layerLabel } from '../model/layerLabel';
import type { PreprocessingStep } from './kerasImport';
import { foldChannelScale } from './scaleFold';
import { modelGraph } from '../model/graph';

/** x' = scale_c·u8 + offset_c; one value each, or one per input channel. */
export interface InputEncoding {
  scale: number[];
  offset: number[];
  /** Where it came from, for messages ("Keras Rescaling 'rescaling'", "--input-scale/--input-offset"). */
  source: string;
}

const fmt = (v: number): string => Number(v.toPrecision(6)).toString();

export function describeEncoding(e: InputEncoding): string {
  const one = (i: number): string => `${fmt(e.scale[i])}·u8 ${e.offset[i] < 0 ? '−' : '+'} ${fmt(Math.abs(e.offset[i]))}`;
  return e.scale.length === 1 ? `x = ${one(0)}` : `x_c = ${e.scale.map((_, i) => one(i)).join(', ')} (per channel)`;
}

/** The encoding that Keras preprocessing layers compose to, applied to the raw 8-bit input; an error message otherwise. */
export function encodingFromPreprocessing(steps: readonly PreprocessingStep[], weights: Map<string, { name: string; data: Float32Array }[]>): InputEncoding | string {
  let scale = [1];
  let offset = [0];
  const widen = (n: number): void => {
    if (scale.length === 1 && n > 1) { scale = new Array(n).fill(scale[0]); offset = new Array(n).fill(offset[0]); }
  };
  const list = (v: number | number[] | ArrayLike<number>): number[] => (typeof v === 'number' ? [v] : Array.from(v));
  for (const st of steps) {
    let mul: number[];
    let add: number[];
    if (st.kind === 'rescaling') {
      mul = list(st.scale);
      add = list(st.offset);
    } else {
      const stored = weights.get(st.layer) ?? [];
      const named = (k: string, at: number): Float32Array | undefined => stored.find((a) => a.name.replace(/:\d+$/, '').split('/').pop() === k)?.data ?? stored[at]?.data;
      const mean = st.mean !== undefined ? list(st.mean) : named('mean', 0) ? list(named('mean', 0)!) : undefined;
      const variance = st.variance !== undefined ? list(st.variance) : named('variance', 1) ? list(named('variance', 1)!) : undefined;
      if (!mean || !variance) return `Normalization '${st.layer}' has no mean and variance in its config or weights`;
      // Keras: (x − mean) / max(√variance, ε), ε = 1e-7
      mul = variance.map((v) => 1 / Math.max(Math.sqrt(v), 1e-7));
      add = mean.map((m, i) => -m * mul[mul.length === 1 ? 0 : i]);
    }
    const n = Math.max(mul.length, add.length);
    widen(n);
    if (scale.length !== n && n > 1) return `the preprocessing layers disagree on the number of channels (${scale.length} and ${n})`;
    scale = scale.map((a, i) => a * mul[mul.length === 1 ? 0 : i]);
    offset = offset.map((b, i) => b * mul[mul.length === 1 ? 0 : i] + add[add.length === 1 ? 0 : i]);
  }
  const names = steps.map((s) => `${s.kind === 'rescaling' ? 'Rescaling' : 'Normalization'} '${s.layer}'`).join(' + ');
  return { scale, offset, source: `the model's ${names}` };
}

/** Folds `enc` into the first layer of `trained` (mutated); notes for the user, or the reason it cannot. */
export function foldInputEncoding(trained: TrainedModel, enc: InputEncoding): { notes: string[] } | { error: string } {
  const spec = trained.spec;
  const inC = spec.input.shape[spec.input.shape.length - 1];
  if (enc.scale.length !== 1 && enc.scale.length !== inC) return { error: `${enc.source} gives ${enc.scale.length} channels; the model input [${spec.input.shape.join(', ')}] has ${inC}` };
  // u8 = (x − offset_bnn) / scale_bnn, so x' = a·u8 + b = (a / scale_bnn)·x + (b − a·offset_bnn / scale_bnn)
  const a = (c: number): number => enc.scale[enc.scale.length === 1 ? 0 : c];
  const s = (c: number): number => a(c) / INPUT_ENCODING.scale;
  const t = (c: number): number => enc.offset[enc.offset.length === 1 ? 0 : c] - a(c) * INPUT_ENCODING.offset / INPUT_ENCODING.scale;
  const channels = Array.from({ length: inC }, (_, c) => c);
  const said = `${enc.source} (${describeEncoding(enc)})`;
  if (channels.every((c) => Math.abs(s(c) - 1) < 1e-9 && Math.abs(t(c)) < 1e-9)) return { notes: [`${said} is BNN Studio's own (${INPUT_ENCODING.description}): nothing to fold`] };
  // the one layer that reads the input, through a Flatten
  const graph = modelGraph(spec);
  let first = graph.inputConsumers.length === 1 ? graph.inputConsumers[0] : -1;
  while (first >= 0 && spec.layers[first].type === 'Flatten' && graph.consumers[first].length === 1) first = graph.consumers[first][0];
  if (graph.inputConsumers.length !== 1) return { error: `${enc.source} cannot be folded: ${graph.inputConsumers.length} layers read the model input, and it folds into one` };
  const layer = spec.layers[first];
  if (!layer || (layer.type !== 'QuantConv2D' && layer.type !== 'QuantDense')) return { error: `${said} cannot be folded: the first layer is ${layer ? layerLabel(first, layer.type, layer.name) : 'missing'}, not a convolution or dense layer` };
  const label = layerLabel(first, layer.type, layer.name);
  const allT0 = channels.every((c) => Math.abs(t(c)) < 1e-9);
  if (layer.inputQuantizer !== null) {
    if (allT0 && channels.every((c) => s(c) > 0)) return { notes: [`${said}: ${label} binarizes its input, and sign(x') = sign(x) for this encoding, so nothing changes`] };
    return { error: `${said} cannot be folded: ${label} binarizes its input, at u8 = ${[...new Set(channels.map((c) => fmt(-enc.offset[enc.offset.length === 1 ? 0 : c] / a(c))))].join(', ')} in the source model and at u8 = 127.5 in BNN Studio (x = 0)` };
  }
  if (layer.type === 'QuantConv2D' && layer.padding === 'same' && !allT0) {
    return { error: `${said} cannot be folded exactly: ${label} pads with x' = 0, which is x = ${fmt(-t(0) / s(0))} in BNN Studio's encoding where it pads with x = 0, so the border outputs would differ; use padding 'valid' or an encoding with x' = 0 at u8 = 127.5` };
  }
  const w = trained.weights[layer.name] ??= {};
  const k = w.kernel!;
  const outs = layer.type === 'QuantConv2D' ? layer.filters : layer.units;
  // kernel index j: [kh, kw, cin, cout] or [in, out], the input channel is (j / outs) mod C (Keras' Flatten is H, W, C)
  const chanOf = (j: number): number => Math.floor(j / outs) % inC;
  const tSum = new Array<number>(outs).fill(0);
  for (let j = 0; j < k.length; j++) tSum[j % outs] += t(chanOf(j)) * (layer.kernelQuantizer !== null ? (k[j] >= 0 ? 1 : -1) : k[j]);
  const bias = w.bias ?? new Float32Array(outs);
  if (layer.kernelQuantizer === null) {
    for (let j = 0; j < k.length; j++) k[j] *= s(chanOf(j));
    for (let o = 0; o < outs; o++) bias[o] += tSum[o];
    w.bias = bias;
    if (!layer.useBias) spec.layers[first] = { ...layer, useBias: true };
    return { notes: [`${said} is folded into ${label}: its kernel is scaled per input channel and the offset goes into its bias${layer.useBias ? '' : ' (the layer now has one)'}`] };
  }
  const s0 = s(0);
  if (channels.some((c) => Math.abs(s(c) - s0) > 1e-9 * Math.abs(s0))) {
    return { error: `${said} cannot be folded: ${label} has a ±1 kernel, which cannot carry a different scale per input channel (${channels.map((c) => fmt(s(c))).join(', ')} against BNN Studio's)` };
  }
  const c = tSum.map((v, o) => v + (w.bias ? w.bias[o] * (1 - s0) : 0));
  const problem = foldChannelScale(trained, first, new Array(outs).fill(s0), c);
  if (problem) return { error: `${said}: the scale it puts on ${label}'s ±1 kernel ${problem}` };
  return { notes: [`${said} is folded into the BatchNormalization after ${label}: its ±1 kernel stays, the scale ${fmt(s0)} and the offsets go into the moving mean and γ`] };
}
