/**
 * What the graph view draws, computed on the host from the estimator's summary and its deployment plan: one node per
 * layer (plus the model input) with its type, defining attributes, output shape, deployed bytes and BOPs, whether it
 * runs binary or real-valued, and one edge per tensor read, shortcuts marked. The webview only lays this out and
 * draws it, so every number it shows is the estimator's and the Models tree's.
 */
import { formatBytes, formatCount, formatShape, layerCost, type ModelSummary } from '../estimate/summary';
import { INPUT_SOURCE, modelGraph } from '../model/graph';
import { hasBinaryInput, hasBinaryKernel, type LayerSpec, type ModelSpec } from '../model/spec';
import type { Repr } from '../deploy/tensors';
import type { GraphViewEdge, GraphViewModel, GraphViewNode, GraphPrecision } from '../messages';

/** The node id of the model input; layer `i` is `L<i>`. */
export const INPUT_NODE = 'input';
export const nodeId = (source: number): string => (source === INPUT_SOURCE ? INPUT_NODE : `L${source}`);

const REPR_TEXT: Record<Repr, string> = { u8: 'uint8', bits: '1-bit (packed)', i32: 'int32 (popcounts)', f32: 'float32' };

/**
 * How each live layer's output is held in the compiled model: the repr of the tensor its stage writes, 'fused' when
 * the layer is computed inside a later layer's stage (a conv absorbing its BatchNorm and pool), and for layers no
 * stage covers (Flatten, a final softmax) the repr of what they pass on.
 */
export function layerOutputRepr(spec: ModelSpec, summary: ModelSummary): (Repr | 'fused' | undefined)[] {
  const plan = summary.plan;
  const out: (Repr | 'fused' | undefined)[] = spec.layers.map(() => undefined);
  for (const st of plan.stages) {
    st.layers.forEach((l, k) => { out[l] = k === st.layers.length - 1 ? st.output.repr : 'fused'; });
  }
  const graph = modelGraph(spec);
  spec.layers.forEach((_, i) => {
    if (out[i] !== undefined || !graph.live[i]) return;
    const src = graph.inputs[i][0];
    out[i] = src === INPUT_SOURCE ? plan.input.repr : out[src];
  });
  return out;
}

/**
 * Shortcut edges: an edge u → v is a shortcut when v is also reachable from u along another path — the edge skips
 * the layers of that path (an identity shortcut around a block, a downsampling branch's input). Whatever the order
 * the file lists the branches in.
 */
export function shortcutEdges(inputs: number[][], consumers: number[][], inputConsumers: number[]): Set<string> {
  const out = new Set<string>();
  const readersOf = (s: number): number[] => (s === INPUT_SOURCE ? inputConsumers : consumers[s]);
  inputs.forEach((srcs, v) => {
    for (const u of new Set(srcs)) {
      // Depth-first from u's other readers; layers only read earlier layers, so nothing past v can lead back to v.
      const seen = new Set<number>();
      const stack = readersOf(u).filter((r) => r !== v);
      let found = false;
      while (stack.length && !found) {
        const n = stack.pop()!;
        if (n === v) { found = true; break; }
        if (seen.has(n) || n > v) continue;
        seen.add(n);
        stack.push(...consumers[n]);
      }
      if (found) out.add(`${u}>${v}`);
    }
  });
  return out;
}

function pair(a: [number, number]): string {
  return a[0] === a[1] ? String(a[0]) : `${a[0]}×${a[1]}`;
}

/** The attributes Netron would list for the layer, defaults left out where they say nothing. */
function layerAttributes(layer: LayerSpec): [string, string][] {
  const quant = (q: string | null): string => q ?? 'none (float32)';
  switch (layer.type) {
    case 'QuantConv2D':
      return [
        ['filters', String(layer.filters)],
        ['kernel', `${layer.kernelSize[0]}×${layer.kernelSize[1]}`],
        ...(layer.strides[0] !== 1 || layer.strides[1] !== 1 ? [['strides', pair(layer.strides)] as [string, string]] : []),
        ['padding', layer.padding],
        ['input quantizer', quant(layer.inputQuantizer)],
        ['kernel quantizer', quant(layer.kernelQuantizer)],
        ...(layer.useBias ? [['bias', 'yes'] as [string, string]] : []),
      ];
    case 'QuantDense':
      return [
        ['units', String(layer.units)],
        ['input quantizer', quant(layer.inputQuantizer)],
        ['kernel quantizer', quant(layer.kernelQuantizer)],
        ...(layer.useBias ? [['bias', 'yes'] as [string, string]] : []),
      ];
    case 'MaxPool2D':
    case 'AveragePooling2D': {
      const defaultStrides = layer.strides[0] === layer.poolSize[0] && layer.strides[1] === layer.poolSize[1];
      return [
        ['pool', `${layer.poolSize[0]}×${layer.poolSize[1]}`],
        ...(defaultStrides ? [] : [['strides', pair(layer.strides)] as [string, string]]),
        ['padding', layer.padding],
      ];
    }
    case 'BatchNormalization':
      return [...(layer.scale ? [] : [['scale', 'no'] as [string, string]]), ...(layer.center ? [] : [['center', 'no'] as [string, string]])];
    case 'Activation':
      return [['activation', layer.activation]];
    case 'PReLU':
      return layer.alphaInitializer !== 0 ? [['alpha init', String(layer.alphaInitializer)]] : [];
    case 'Concatenate':
      return [['axis', 'channels']];
    case 'Add':
    case 'Flatten':
    case 'GlobalAveragePooling2D':
      return [];
  }
}

/** Binary, real or both (±1 weights on a real input), and the words a person reads for it. */
function precisionOf(layer: LayerSpec, repr: Repr | 'fused' | undefined, fusedInto: Repr | undefined): { precision: GraphPrecision; label: string } {
  if (layer.type === 'QuantConv2D' || layer.type === 'QuantDense') {
    if (hasBinaryKernel(layer) && hasBinaryInput(layer)) return { precision: 'binary', label: '1-bit × 1-bit (XNOR-popcount)' };
    if (hasBinaryKernel(layer)) return { precision: 'mixed', label: '1-bit weights × real input' };
    return { precision: 'real', label: 'float32' };
  }
  const effective = repr === 'fused' ? fusedInto : repr;
  if (effective === 'bits') return { precision: 'binary', label: layer.type === 'BatchNormalization' ? 'folded into 1-bit thresholds' : '1-bit' };
  if (effective === undefined) return { precision: 'none', label: 'not compiled' };
  return { precision: 'real', label: effective === 'i32' ? 'int32' : effective === 'u8' ? 'uint8' : 'float32' };
}

export interface GraphModelSource {
  spec: ModelSpec;
  summary: ModelSummary;
  /** The model's file as shown to the user, and its URI (the host's key for the view). */
  file: string;
  uri: string;
  /** 0-based line of each layer's object in the file, when the loader has ranges (imported files have none). */
  layerLines?: number[];
}

/** The view model of a valid model. */
export function buildGraphModel(src: GraphModelSource): GraphViewModel {
  const { spec, summary } = src;
  const graph = modelGraph(spec);
  const reprs = layerOutputRepr(spec, summary);
  // A fused layer's precision is that of the stage it is computed in: the repr of the stage's output.
  const stageRepr = new Map<number, Repr>();
  for (const st of summary.plan.stages) for (const l of st.layers) stageRepr.set(l, st.output.repr);
  const shortcuts = shortcutEdges(graph.inputs, graph.consumers, graph.inputConsumers);
  const input = summary.plan.input;

  const nodes: GraphViewNode[] = [{
    id: INPUT_NODE, name: 'input', type: 'Input', attrs: [['encoding', 'uint8, x = u8 / 127.5 − 1']],
    shape: formatShape(input.shape), cost: '', flashBytes: 0, binaryMacs: 0, floatMacs: 0,
    precision: 'real', precisionLabel: 'uint8', outputRepr: REPR_TEXT.u8, live: true, isOutput: false,
  }];
  spec.layers.forEach((layer, i) => {
    const row = summary.layers[i];
    const repr = reprs[i];
    const { precision, label } = graph.live[i] ? precisionOf(layer, repr, stageRepr.get(i)) : { precision: 'none' as const, label: 'not compiled' };
    nodes.push({
      id: nodeId(i), layer: i, name: layer.name, type: layer.type, attrs: layerAttributes(layer),
      shape: formatShape(row.outputShape), cost: layerCost(row),
      flashBytes: row.flashBytes, binaryMacs: row.binaryMacs, floatMacs: row.floatMacs,
      precision, precisionLabel: label,
      outputRepr: repr === undefined ? 'not compiled' : repr === 'fused' ? 'fused into the next stage' : REPR_TEXT[repr],
      live: graph.live[i], isOutput: i === graph.output,
      ...(src.layerLines?.[i] !== undefined ? { line: src.layerLines[i] + 1 } : {}),
    });
  });

  const edges: GraphViewEdge[] = [];
  graph.inputs.forEach((srcs, v) => {
    const target = spec.layers[v];
    srcs.forEach((u, k) => {
      const srcRepr = u === INPUT_SOURCE ? input.repr : reprs[u] === 'fused' ? stageRepr.get(u) : reprs[u];
      // What travels on the edge as the compiled model holds it: a binarizing reader sees signs.
      const binary = hasBinaryInput(target) || srcRepr === 'bits';
      edges.push({
        id: `${nodeId(u)}>${nodeId(v)}#${k}`, from: nodeId(u), to: nodeId(v),
        shortcut: shortcuts.has(`${u}>${v}`), precision: binary ? 'binary' : 'real',
        shape: formatShape(u === INPUT_SOURCE ? input.shape : summary.layers[u].outputShape),
        live: graph.live[v],
      });
    });
  });

  const t = summary.totals;
  const residual = summary.plan.residual;
  return {
    name: spec.name, file: src.file, uri: src.uri, nodes, edges,
    totals: {
      flash: formatBytes(t.flashBytes), ram: formatBytes(t.ramBytes),
      bops: formatCount(t.binaryMacs), macs: formatCount(t.floatMacs),
      binaryShare: `${Math.round(100 * t.binaryMacShare)}%`,
      ...(residual ? { residual: `${residual.tensors} ${REPR_TEXT[residual.repr]} tensor${residual.tensors === 1 ? '' : 's'}, largest ${formatBytes(residual.largestBytes)}` } : {}),
    },
  };
}
