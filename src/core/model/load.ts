/**
 * Reads a `*.bnn.json` text into a ModelSpec, or into diagnostics that point at the exact offending value:
 * JSON syntax → JSON Schema (ajv) → defaults → semantic checks (shape inference, layer combinations, limits).
 * Never throws for bad input: every problem becomes a diagnostic with a range.
 */
import { layerLabel } from './layerLabel';
import { graphWarnings } from './graph';
import { nearestWord } from './nearest';
import { parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import type { ErrorObject } from 'ajv';
import { schemaErrors } from './schema';
import { layerNames, normalizeModel } from './normalize';
import { LineIndex, nodeForPath, type Range } from './positions';
import { findExcessiveNesting, nestingMessage } from './jsonDepth';
import type { ModelSpec } from './spec';
import { planModel, type DeployPlan } from '../deploy/plan';
import { SpecError } from '../deploy/shapes';
import { batchNormAxisProblem } from './batchNormAxis';
import { LAYER_NAME_RULE, MODEL_NAME_RULE } from './names';

export type { Range, Position } from './positions';

export interface ModelDiagnostic {
  message: string;
  severity: 'error' | 'warning';
  /** 0-based, as VS Code ranges; the CLI prints 1-based file:line:col. */
  range: Range;
  /** JSON path of the offending value. */
  path: (string | number)[];
  /** Which check found it: the editor's own JSON support already reports syntax errors, so it shows only the rest. */
  stage: 'syntax' | 'schema' | 'semantic';
  /** The "did you mean" word: the string that replaces the text at `range` (a property name or a string value). */
  suggestion?: string;
}

export interface LoadedModel {
  file: string;
  spec?: ModelSpec;
  /** The deployment plan the loader checked the spec with (set with `spec`), so the estimator need not plan again. */
  plan?: DeployPlan;
  diagnostics: ModelDiagnostic[];
  /** Source range of each layer object (index-aligned with spec.layers), for CodeLens, hovers and reveal. */
  layerRanges: Range[];
  /** Range of the whole document's root object. */
  rootRange?: Range;
}

export function loadModelText(text: string, file: string): LoadedModel {
  const lines = new LineIndex(text);
  const result: LoadedModel = { file, diagnostics: [], layerRanges: [] };
  const tooDeep = findExcessiveNesting(text);
  if (tooDeep) {
    result.diagnostics.push({ message: nestingMessage(tooDeep), severity: 'error', range: lines.range(tooDeep.offset, 1), path: [], stage: 'schema' });
    return result;
  }
  const parseErrors: ParseError[] = [];
  const root = parseTree(text, parseErrors, { allowTrailingComma: false, disallowComments: true });
  const diag = (node: Node | undefined, message: string, path: (string | number)[], stage: ModelDiagnostic['stage'], severity: 'error' | 'warning' = 'error', suggestion?: string): void => {
    const range = node ? lines.range(node.offset, node.length) : lines.range(0, 0);
    // a suggestion is offered only where the range is exactly the misspelt word (a string node)
    result.diagnostics.push({ message, severity, range, path, stage, ...(suggestion !== undefined && node?.type === 'string' ? { suggestion } : {}) });
  };
  if (parseErrors.length || !root) {
    for (const e of parseErrors) {
      result.diagnostics.push({ message: `invalid JSON: ${describeParseError(e)}`, severity: 'error', range: lines.range(e.offset, Math.max(e.length, 1)), path: [], stage: 'syntax' });
    }
    if (!parseErrors.length) diag(undefined, 'the file is empty: a model needs "name", "input", "classes" and "layers"', [], 'syntax');
    return result;
  }
  result.rootRange = lines.range(root.offset, root.length);
  const layersNode = nodeForPath(root, ['layers']);
  if (layersNode?.type === 'array') result.layerRanges = (layersNode.children ?? []).map((n) => lines.range(n.offset, n.length));

  const doc = nodeValue(root);
  const errors = simplify(schemaErrors(doc));
  for (const e of errors) {
    const { path, key, message, suggestion } = describeSchemaError(e, doc);
    diag(nodeForPath(root, path, key), message, path, 'schema', 'error', suggestion);
  }
  if (errors.length) return result;

  const spec = normalizeModel(doc as Record<string, unknown>);
  const seen = new Map<string, number>();
  spec.layers.forEach((l, i) => {
    const prev = seen.get(l.name);
    if (prev !== undefined) diag(nodeForPath(root, ['layers', i, 'name']), `${layerLabel(i, l.type, l.name)}: the name '${l.name}' is already used by ${layerLabel(prev, spec.layers[prev].type)}`, ['layers', i, 'name'], 'semantic');
    else seen.set(l.name, i);
  });
  let plan: DeployPlan | undefined;
  try {
    // The plan infers the shapes and adds its own checks (a construct the compiler cannot run, such as an Add on the
    // raw 8-bit input), so those show in the editor too, not first at compile time.
    const checked = planModel(spec);
    plan = checked;
    // "axis" is checked against its input's rank, so after shape inference; the spec does not keep it (always -1)
    (doc as { layers: Record<string, unknown>[] }).layers.forEach((raw, i) => {
      const l = spec.layers[i];
      if (l.type !== 'BatchNormalization') return;
      const problem = batchNormAxisProblem(raw.axis, checked.layers[i].inputShape);
      if (problem) diag(nodeForPath(root, ['layers', i, 'axis']), `${layerLabel(i, l.type, l.name)} "axis": ${problem}`, ['layers', i, 'axis'], 'semantic');
    });
  } catch (err) {
    if (!(err instanceof SpecError)) throw err;
    for (const issue of err.issues) diag(nodeForPath(root, issue.path), issue.message, issue.path, 'semantic');
  }
  const hasErrors = result.diagnostics.length > 0;
  // Warnings (a layer nothing reads) do not stop the model: it trains and compiles without that layer.
  if (!hasErrors) for (const w of graphWarnings(spec)) diag(nodeForPath(root, w.path), w.message, w.path, 'semantic', 'warning');
  if (!hasErrors) {
    result.spec = spec;
    result.plan = plan;
  }
  return result;
}

/**
 * A model spec that arrived inside another file (a checkpoint's model.json, a *.trained.json): the same loader as a
 * *.bnn.json, so a spec never reaches the compiler without passing every check. `reason` lists the errors by JSON path.
 */
export function loadEmbeddedSpec(value: unknown, file: string): { spec: ModelSpec; reason?: undefined } | { spec?: undefined; reason: string } {
  const loaded = loadModelText(JSON.stringify(value) ?? '', file);
  const errors = loaded.diagnostics.filter((x) => x.severity === 'error');
  if (loaded.spec && !errors.length) return { spec: loaded.spec };
  return { reason: errors.map((e) => `${e.path.length ? e.path.join('.') + ': ' : ''}${e.message}`).join('; ') || 'not a model' };
}

/** jsonc-parser's node → plain value (its getNodeValue, with duplicate keys reported separately). */
function nodeValue(node: Node): unknown {
  switch (node.type) {
    case 'object': {
      const o: Record<string, unknown> = {};
      for (const p of node.children ?? []) {
        const [k, v] = p.children ?? [];
        if (k && v) o[k.value as string] = nodeValue(v);
      }
      return o;
    }
    case 'array':
      return (node.children ?? []).map(nodeValue);
    default:
      return node.value;
  }
}

function describeParseError(e: ParseError): string {
  const code = printParseErrorCode(e.error);
  const words: Record<string, string> = {
    InvalidSymbol: 'unexpected character', InvalidNumberFormat: 'malformed number', PropertyNameExpected: 'expected a property name in double quotes',
    ValueExpected: 'expected a value', ColonExpected: "expected ':'", CommaExpected: "expected ','", CloseBraceExpected: "expected '}'",
    CloseBracketExpected: "expected ']'", EndOfFileExpected: 'unexpected content after the end of the model', InvalidCommentToken: 'comments are not allowed in a model file',
    UnexpectedEndOfComment: 'unterminated comment', UnexpectedEndOfString: 'unterminated string', UnexpectedEndOfNumber: 'unterminated number',
    InvalidUnicode: 'invalid unicode escape', InvalidEscapeCharacter: 'invalid escape character', InvalidCharacter: 'invalid character in string',
  };
  return words[code] ?? code;
}

/** Drops ajv's bookkeeping errors (failed `if`, the `oneOf` of an int-or-pair) that restate a more precise one. */
function simplify(errors: ErrorObject[]): ErrorObject[] {
  const out: ErrorObject[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    if (e.keyword === 'if') continue;
    const pairParent = /\/(kernelSize|strides|poolSize)(\/\d+)?$/.test(e.instancePath);
    const key = pairParent ? e.instancePath.replace(/\/\d+$/, '') : `${e.instancePath}|${e.keyword}|${JSON.stringify(e.params)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(e);
  }
  return out;
}

function toPath(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function where(path: (string | number)[], doc: unknown): string {
  if (path[0] === 'layers' && typeof path[1] === 'number') {
    const layers = (doc as { layers?: unknown[] }).layers;
    const layer = layers?.[path[1]] as { type?: unknown } | undefined;
    const name = Array.isArray(layers) ? layerNames(layers)[path[1]] : undefined;
    const rest = path.slice(2).join('.');
    return `${layerLabel(path[1], typeof layer?.type === 'string' ? layer.type : undefined, name)}${rest ? ` "${rest}"` : ''}`;
  }
  return path.length ? `"${path.join('.')}"` : 'the model';
}

const KNOWN_PROPS: Record<string, string[]> = {
  QuantConv2D: ['type', 'name', 'filters', 'kernelSize', 'strides', 'padding', 'inputQuantizer', 'kernelQuantizer', 'useBias'],
  QuantDense: ['type', 'name', 'units', 'inputQuantizer', 'kernelQuantizer', 'useBias'],
  BatchNormalization: ['type', 'name', 'scale', 'center', 'momentum', 'epsilon', 'axis'],
  MaxPool2D: ['type', 'name', 'poolSize', 'strides', 'padding'],
  Flatten: ['type', 'name'],
  Activation: ['type', 'name', 'activation'],
  model: ['$schema', 'name', 'description', 'input', 'classes', 'layers'],
  input: ['shape'],
};

/** Larq/Keras spellings users will type, mapped to ours. */
const ALIASES: Record<string, string> = {
  kernel_size: 'kernelSize', input_quantizer: 'inputQuantizer', kernel_quantizer: 'kernelQuantizer', use_bias: 'useBias',
  pool_size: 'poolSize', filter: 'filters', unit: 'units', stride: 'strides', kernel: 'kernelSize',
  Conv2D: 'QuantConv2D', Dense: 'QuantDense', MaxPooling2D: 'MaxPool2D', BatchNorm: 'BatchNormalization',
  AvgPool2D: 'AveragePooling2D', AveragePooling: 'AveragePooling2D', GlobalAvgPool2D: 'GlobalAveragePooling2D', GlobalAveragePooling: 'GlobalAveragePooling2D',
  Concat: 'Concatenate', input: 'inputs', output: 'outputs',
};

/** The likely word for a misspelt one: a known alias, else the nearest candidate within a few edits. */
function closest(word: string, candidates: string[]): string | undefined {
  if (ALIASES[word] && candidates.includes(ALIASES[word])) return ALIASES[word];
  return nearestWord(word, candidates);
}

const didYouMean = (best: string | undefined): string => (best === undefined ? '' : ` (did you mean "${best}"?)`);

function describeSchemaError(e: ErrorObject, doc: unknown): { path: (string | number)[]; key: boolean; message: string; suggestion?: string } {
  let path = toPath(e.instancePath);
  const at = where(path, doc);
  const last = path[path.length - 1];
  // An int-or-pair fails several ways at once (type, minimum, oneOf); one sentence covers them all.
  const pairAt = /^(kernelSize|strides|poolSize)$/.test(String(last)) ? path : /^(kernelSize|strides|poolSize)$/.test(String(path[path.length - 2])) ? path.slice(0, -1) : undefined;
  if (pairAt && e.keyword !== 'additionalProperties' && e.keyword !== 'required') {
    return { path: pairAt, key: false, message: `${where(pairAt, doc)}: must be a positive integer or a [height, width] pair of positive integers, got ${describeValue(valueAt(doc, pairAt))}` };
  }
  switch (e.keyword) {
    case 'required': {
      const prop = (e.params as { missingProperty: string }).missingProperty;
      return { path, key: false, message: `${at}: missing required property "${prop}"` };
    }
    case 'additionalProperties': {
      const prop = (e.params as { additionalProperty: string }).additionalProperty;
      const layerType = path[0] === 'layers' && path.length === 2 ? (doc as { layers: { type: string }[] }).layers[path[1] as number]?.type : path.length === 0 ? 'model' : String(last);
      const known = KNOWN_PROPS[layerType] ?? [];
      path = [...path, prop];
      const best = closest(prop, known);
      return { path, key: true, message: `${at}: unknown property "${prop}"${didYouMean(best)}`, suggestion: best };
    }
    case 'enum': {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
      const got = valueAt(doc, path);
      // a misspelt layer type, quantizer ('ste_sing'), padding or activation: the nearest allowed string
      const best = typeof got === 'string' ? closest(got, allowed.filter((v): v is string => typeof v === 'string')) : undefined;
      return { path, key: false, message: `${at}: ${JSON.stringify(got)} is not one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}${didYouMean(best)}`, suggestion: best };
    }
    case 'type':
      return { path, key: false, message: `${at}: must be ${article((e.params as { type: string }).type)}, got ${describeValue(valueAt(doc, path))}` };
    case 'minimum': case 'maximum': case 'exclusiveMinimum': case 'exclusiveMaximum': {
      const p = e.params as { comparison: string; limit: number };
      return { path, key: false, message: `${at}: must be ${p.comparison} ${p.limit}, got ${JSON.stringify(valueAt(doc, path))}` };
    }
    case 'oneOf': case 'anyOf':
      return { path, key: false, message: `${at}: ${e.message ?? 'is invalid'}` };
    case 'minItems': case 'maxItems':
      return { path, key: false, message: `${at}: ${e.message?.replace('NOT', 'not') ?? 'wrong number of items'}` };
    case 'pattern': {
      // the schema's only patterns are the two name rules: a model's "name" and a layer's "name"
      const rule = path.length === 1 && path[0] === 'name' ? `a model name is ${MODEL_NAME_RULE}` : `a layer name is ${LAYER_NAME_RULE}`;
      return { path, key: false, message: `${at}: ${JSON.stringify(valueAt(doc, path))} is not a valid name (${rule})` };
    }
    case 'minLength':
      return { path, key: false, message: `${at}: must not be empty` };
    default:
      return { path, key: false, message: `${at}: ${e.message ?? 'is invalid'}` };
  }
}

function article(type: string): string {
  return (/^[aeiou]/.test(type) ? 'an ' : 'a ') + type;
}

function valueAt(doc: unknown, path: (string | number)[]): unknown {
  let v: unknown = doc;
  for (const p of path) v = v === null || v === undefined ? undefined : (v as Record<string | number, unknown>)[p];
  return v;
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array ${JSON.stringify(v)}`;
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${JSON.stringify(v)}`;
}
