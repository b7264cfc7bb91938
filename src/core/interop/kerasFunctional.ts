/**
 * The wiring of a Keras *functional* model (`class_name` "Functional" or "Model"): which layers each layer reads, from
 * `inbound_nodes`, and the model's input and output from `input_layers` / `output_layers`. kerasImport.ts converts the
 * layers one by one; this file reads the graph before and names every converted layer's `inputs` after.
 *
 * Two serializations exist: Keras 2 and TF.js write a node as a list of `[layer, node index, tensor index, kwargs]`
 * entries; Keras 3 writes `{ args, kwargs }` with `{ class_name: "__keras_tensor__", config: { keras_history:
 * [layer, node index, tensor index] } }` wherever a tensor is passed (Add's list of tensors is one such arg).
 */
import type { LayerSpec } from '../model/spec';
import { MODEL_INPUT } from '../model/spec';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One tensor a layer reads: the producing layer's name and which of its calls and outputs. */
interface TensorRef {
  layer: string;
  node: number;
  tensor: number;
}

export interface FunctionalGraph {
  /** Keras layer indices in an order where every layer follows the layers it reads (the listed order if it already does). */
  order: number[];
  /** Per Keras layer index: the names of the Keras layers it reads, in order. */
  inbound: string[][];
  /** The Keras layer whose output is the model's, when output_layers names exactly one. */
  output?: string;
  /** Problems of one Keras layer (by index), worded without the layer's label, which the converter adds. */
  layerProblems: Map<number, string[]>;
  /** Problems of the model as a whole. */
  modelProblems: string[];
}

const layerName = (kl: Obj, index: number): string => {
  // as kerasImport.ts names a layer (its config's name); Keras writes the same name beside the config
  const c = isObj(kl.config) ? kl.config : {};
  if (typeof c.name === 'string') return c.name;
  return typeof kl.name === 'string' ? kl.name : `${String(kl.class_name).toLowerCase()}_${index}`;
};

/** A `[name, node, tensor, …]` entry (Keras 2, TF.js, input_layers/output_layers, keras_history). */
function refFrom(v: unknown): TensorRef | undefined {
  if (!Array.isArray(v) || typeof v[0] !== 'string') return undefined;
  return { layer: v[0], node: typeof v[1] === 'number' ? v[1] : 0, tensor: typeof v[2] === 'number' ? v[2] : 0 };
}

/** The tensors of one inbound node, in argument order. */
function nodeRefs(node: unknown): TensorRef[] {
  if (Array.isArray(node)) return node.map(refFrom).filter((r): r is TensorRef => r !== undefined);
  if (!isObj(node)) return [];
  const out: TensorRef[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) { v.forEach(walk); return; }
    if (!isObj(v)) return;
    if (v.class_name === '__keras_tensor__' && isObj(v.config)) {
      const r = refFrom(v.config.keras_history);
      if (r) out.push(r);
      return;
    }
    Object.values(v).forEach(walk);
  };
  walk(node.args);
  return out;
}

/** `input_layers` / `output_layers`: one `[name, node, tensor]` or a list of them. */
function endpointRefs(v: unknown): TensorRef[] {
  if (!Array.isArray(v)) return [];
  const one = refFrom(v);
  if (one) return [one];
  return v.map(refFrom).filter((r): r is TensorRef => r !== undefined);
}

/**
 * Reads the graph of a functional model; undefined when no layer carries `inbound_nodes` (nothing to wire: the
 * layers are taken as the chain they are listed as).
 */
export function readFunctionalGraph(layers: readonly Obj[], cfg: Obj): FunctionalGraph | undefined {
  if (!layers.some((l) => Array.isArray(l.inbound_nodes))) return undefined;
  const names = layers.map(layerName);
  const index = new Map<string, number>();
  names.forEach((n, i) => { if (!index.has(n)) index.set(n, i); });
  const layerProblems = new Map<number, string[]>();
  const modelProblems: string[] = [];
  const problem = (i: number, m: string): void => { layerProblems.set(i, [...(layerProblems.get(i) ?? []), m]); };
  names.forEach((n, i) => { if (index.get(n) !== i) problem(i, `has the name of the earlier Keras layer ${index.get(n)! + 1}; a functional model's layer names are unique`); });

  const inbound: string[][] = layers.map((kl, i) => {
    const nodes = Array.isArray(kl.inbound_nodes) ? kl.inbound_nodes : [];
    const isInput = kl.class_name === 'InputLayer';
    if (nodes.length > 1) {
      problem(i, `is called ${nodes.length} times (a shared layer); every BNN Studio layer has its own weights, so give each call its own layer`);
    }
    if (!nodes.length) {
      if (!isInput) problem(i, 'reads no tensor (its "inbound_nodes" is empty): it is not connected to the model');
      return [];
    }
    const refs = nodeRefs(nodes[0]);
    if (!refs.length) problem(i, 'reads no tensor that BNN Studio can follow (its inbound node names no layer)');
    const out: string[] = [];
    for (const r of refs) {
      const j = index.get(r.layer);
      if (j === undefined) { problem(i, `reads '${r.layer}', which is no layer of the model`); continue; }
      if (r.node !== 0) problem(i, `reads call ${r.node + 1} of the shared layer '${r.layer}'`);
      if (r.tensor !== 0) problem(i, `reads output ${r.tensor + 1} of '${r.layer}'; BNN Studio layers have one output`);
      out.push(r.layer);
    }
    return out;
  });

  const inputs = endpointRefs(cfg.input_layers);
  if (inputs.length > 1) modelProblems.push(`the model has ${inputs.length} inputs (${inputs.map((r) => `'${r.layer}'`).join(', ')}); BNN Studio models have one input`);
  const outputs = endpointRefs(cfg.output_layers);
  if (outputs.length > 1) modelProblems.push(`the model has ${outputs.length} outputs (${outputs.map((r) => `'${r.layer}'`).join(', ')}); BNN Studio compiles models with one output (one vector of class scores)`);
  for (const r of [...inputs, ...outputs]) if (!index.has(r.layer)) modelProblems.push(`"${inputs.includes(r) ? 'input_layers' : 'output_layers'}" names '${r.layer}', which is no layer of the model`);
  const output = outputs.length === 1 && index.has(outputs[0].layer) ? outputs[0].layer : undefined;

  return { order: topologicalOrder(names, inbound, index, modelProblems), inbound, output, layerProblems, modelProblems };
}

/** Kahn's algorithm, taking the earliest listed ready layer first, so a list Keras wrote (already sorted) keeps its order. */
function topologicalOrder(names: string[], inbound: string[][], index: Map<string, number>, problems: string[]): number[] {
  const pending = inbound.map((srcs) => new Set(srcs.map((s) => index.get(s)!).filter((j) => j !== undefined)).size);
  const readers: number[][] = names.map(() => []);
  inbound.forEach((srcs, i) => { for (const j of new Set(srcs.map((s) => index.get(s)!).filter((k) => k !== undefined))) readers[j].push(i); });
  const order: number[] = [];
  const done = names.map(() => false);
  for (;;) {
    const next = pending.findIndex((p, i) => p === 0 && !done[i]);
    if (next < 0) break;
    done[next] = true;
    order.push(next);
    for (const r of readers[next]) pending[r]--;
  }
  const stuck = names.filter((_, i) => !done[i]);
  if (stuck.length) problems.push(`the layers ${stuck.map((n) => `'${n}'`).join(', ')} cannot be ordered: they read each other in a cycle, or read a layer that does`);
  return order;
}

/**
 * Names each converted layer's `inputs` from the Keras graph and returns the `outputs` to set (undefined: the last
 * layer is the output). `kerasOf[i]` is the index of the Keras layer spec layer i came from; a Keras layer can give
 * several spec layers (a Dense with softmax inside is QuantDense + Activation), of which the last is what its readers
 * read. A Keras layer that gives none (InputLayer, Dropout) passes its input through. `inputs` is left out where a
 * layer reads the one listed before it, so a chain converts to the file it always did.
 */
export function wireFunctional(graph: FunctionalGraph, kerasLayers: readonly Obj[], layers: LayerSpec[], kerasOf: readonly number[]): string[] | undefined {
  const names = kerasLayers.map(layerName);
  const index = new Map<string, number>();
  names.forEach((n, i) => { if (!index.has(n)) index.set(n, i); });
  /** Per Keras layer index, the spec name its readers read. */
  const produced = new Map<number, string>();
  kerasOf.forEach((k, i) => produced.set(k, layers[i].name));
  const source = (kerasName: string): string => produced.get(index.get(kerasName)!) ?? MODEL_INPUT;
  for (const i of graph.order) {
    if (produced.has(i)) continue;
    produced.set(i, kerasLayers[i].class_name === 'InputLayer' || !graph.inbound[i].length ? MODEL_INPUT : source(graph.inbound[i][0]));
  }
  layers.forEach((l, i) => {
    if (i > 0 && kerasOf[i] === kerasOf[i - 1]) return;
    const srcs = graph.inbound[kerasOf[i]].map(source);
    const implicit = i === 0 ? MODEL_INPUT : layers[i - 1].name;
    if (srcs.length === 1 && srcs[0] === implicit) return;
    l.inputs = srcs;
  });
  const out = graph.output !== undefined ? source(graph.output) : undefined;
  return out !== undefined && layers.length && out !== layers[layers.length - 1].name ? [out] : undefined;
}
