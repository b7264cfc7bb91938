/**
 * The model as a graph: which tensors every layer reads, who reads every layer's output, and which layers matter to
 * the output. Every stage (shape inference, the deployment plan, the trainer, the graph view) walks this one
 * resolution, so `inputs` has one meaning everywhere.
 *
 * Layers run in the order they are listed, and a layer may only read the model input or a layer listed before it —
 * as Keras lists a functional model's layers. That keeps one execution order for every stage (the trainer's forward
 * pass, the compiled C, the reference) and makes a cycle impossible to run rather than something to schedule around.
 */
import { layerLabel } from './layerLabel';
import { nearestWord } from './nearest';
import { isMergeLayer, MODEL_INPUT, type ModelSpec } from './spec';

/** A tensor source: the model input, or the output of the layer at this index. */
export const INPUT_SOURCE = -1;

export interface ModelGraph {
  /** Per layer, the sources it reads in order (INPUT_SOURCE or a layer index, always < the layer's own). */
  inputs: number[][];
  /** Per layer, the layers that read its output, in order. */
  consumers: number[][];
  /** Layers reading the model input. */
  inputConsumers: number[];
  /** The output layer's index. */
  output: number;
  /** Per layer: does the output depend on it? Layers that do not are left out of training and the compiled model. */
  live: boolean[];
  /** True when every layer reads the one before it and only it (the shape every model had before graphs). */
  isChain: boolean;
}

/** A problem with a JSON path into the model file, as plan.ts's SpecIssue. */
export interface GraphIssue {
  path: (string | number)[];
  message: string;
  severity: 'error' | 'warning';
}

export class GraphError extends Error {
  constructor(readonly issues: GraphIssue[]) {
    super(issues.map((i) => i.message).join('; '));
    this.name = 'GraphError';
  }
}

/** Resolves the graph, or throws GraphError with every error found (warnings: see graphWarnings). */
export function modelGraph(spec: ModelSpec): ModelGraph {
  const { graph, issues } = resolveGraph(spec);
  const errors = issues.filter((i) => i.severity === 'error');
  if (errors.length || !graph) throw new GraphError(errors);
  return graph;
}

/** The graph's warnings (layers nothing reads); empty when the graph has errors (those are reported first). */
export function graphWarnings(spec: ModelSpec): GraphIssue[] {
  const { graph, issues } = resolveGraph(spec);
  return graph ? issues.filter((i) => i.severity === 'warning') : [];
}

/** The sources of layer `i` as named in the file, or the implicit previous layer. */
export function declaredInputs(spec: ModelSpec, i: number): string[] {
  const own = spec.layers[i].inputs;
  if (own) return own;
  return [i === 0 ? MODEL_INPUT : spec.layers[i - 1].name];
}

function resolveGraph(spec: ModelSpec): { graph?: ModelGraph; issues: GraphIssue[] } {
  const issues: GraphIssue[] = [];
  const layers = spec.layers;
  const index = new Map<string, number>();
  layers.forEach((l, i) => { if (!index.has(l.name)) index.set(l.name, i); });
  const label = (i: number): string => layerLabel(i, layers[i].type, layers[i].name);
  const error = (path: (string | number)[], message: string): void => { issues.push({ path, message, severity: 'error' }); };

  layers.forEach((l, i) => {
    if (l.name === MODEL_INPUT) error(['layers', i, 'name'], `${label(i)}: "${MODEL_INPUT}" names the model input in "inputs"; give the layer another name`);
  });

  const inputs: number[][] = layers.map((l, i) => {
    const names = declaredInputs(spec, i);
    const at = (k: number): (string | number)[] => (l.inputs ? ['layers', i, 'inputs', k] : ['layers', i]);
    const sources: number[] = [];
    names.forEach((name, k) => {
      if (name === MODEL_INPUT) { sources.push(INPUT_SOURCE); return; }
      const j = index.get(name);
      if (j === undefined) {
        error(at(k), `${label(i)}: reads '${name}', which is no layer of this model${suggestName(name, [...index.keys(), MODEL_INPUT])}`);
      } else if (j === i) {
        error(at(k), `${label(i)}: reads its own output (a cycle)`);
      } else if (j > i) {
        error(at(k), reachesBack(spec, index, j, i)
          ? `${label(i)}: reads '${name}' (${layerLabel(j)}), which depends on this layer: a cycle`
          : `${label(i)}: reads '${name}', listed later as ${layerLabel(j)}; layers run in the order listed, so move it before this one`);
      } else {
        sources.push(j);
      }
    });
    if (isMergeLayer(l)) {
      if (names.length < 2) error(l.inputs ? ['layers', i, 'inputs'] : ['layers', i], `${label(i)}: needs two or more "inputs" (the layers it ${l.type === 'Add' ? 'adds' : 'joins'})`);
      const seen = new Set<string>();
      names.forEach((n, k) => { if (seen.has(n) && l.type === 'Add') error(at(k), `${label(i)}: reads '${n}' twice; to double a tensor, scale it in a BatchNormalization`); seen.add(n); });
    } else if (names.length !== 1) {
      error(['layers', i, 'inputs'], `${label(i)}: a ${l.type} reads exactly one input, not ${names.length} (join them first with Add or Concatenate)`);
    }
    return sources;
  });

  let output = layers.length - 1;
  if (spec.outputs) {
    if (spec.outputs.length !== 1) error(['outputs'], `the model has ${spec.outputs.length} outputs; BNN Studio compiles models with one output (one vector of class scores)`);
    const j = index.get(spec.outputs[0]);
    if (j === undefined) error(['outputs', 0], `"outputs" names '${spec.outputs[0]}', which is no layer of this model${suggestName(spec.outputs[0], [...index.keys()])}`);
    else output = j;
  }
  if (issues.length) return { issues };

  const consumers: number[][] = layers.map(() => []);
  const inputConsumers: number[] = [];
  inputs.forEach((srcs, i) => { for (const s of new Set(srcs)) (s === INPUT_SOURCE ? inputConsumers : consumers[s]).push(i); });
  const live = layers.map(() => false);
  const stack = [output];
  while (stack.length) {
    const i = stack.pop()!;
    if (live[i]) continue;
    live[i] = true;
    for (const s of inputs[i]) if (s !== INPUT_SOURCE) stack.push(s);
  }
  layers.forEach((_, i) => {
    if (live[i] || i === output) return;
    const unread = consumers[i].length === 0;
    issues.push({
      path: ['layers', i],
      severity: 'warning',
      message: unread
        ? `${label(i)}: nothing reads its output, so it does not affect the model's output and is left out of training and the compiled model`
        : `${label(i)}: the model's output does not depend on it (only on layers up to ${layerLabel(output, layers[output].type, layers[output].name)}), so it is left out of training and the compiled model`,
    });
  });
  const isChain = inputs.every((srcs, i) => srcs.length === 1 && srcs[0] === i - 1) && output === layers.length - 1;
  return { graph: { inputs, consumers, inputConsumers, output, live, isChain }, issues };
}

/** Does layer `from` depend (through its inputs, transitively) on layer `target`? */
function reachesBack(spec: ModelSpec, index: Map<string, number>, from: number, target: number): boolean {
  const seen = new Set<number>();
  const stack = [from];
  while (stack.length) {
    const i = stack.pop()!;
    if (i === target) return true;
    if (seen.has(i)) continue;
    seen.add(i);
    for (const n of declaredInputs(spec, i)) {
      const j = index.get(n);
      if (j !== undefined) stack.push(j);
    }
  }
  return false;
}

function suggestName(name: string, candidates: string[]): string {
  const best = nearestWord(name, candidates);
  return best !== undefined ? ` (did you mean '${best}'?)` : '';
}
