/**
 * An ONNX model file read with onnx-proto (ONNX's protobuf schema compiled for protobufjs, loaded only when an .onnx is
 * imported) into what the converter needs: the graph's nodes in order, its constant tensors (initializers and Constant
 * nodes) as float64 values, and its one real input with a static shape.
 */
import type { onnx as OnnxNs } from 'onnx-proto';

export interface OnnxConst { dims: number[]; data: Float64Array }

export interface OnnxNode {
  op: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attrs: Record<string, number | number[] | string | OnnxConst>;
}

export interface OnnxGraph {
  opset: number;
  producer: string;
  input: { name: string; dims: number[] };
  output: string;
  nodes: OnnxNode[];
  consts: Map<string, OnnxConst>;
}

export class OnnxError extends Error {}

const num = (v: number | { toNumber(): number } | null | undefined): number => (v === null || v === undefined ? 0 : typeof v === 'number' ? v : v.toNumber());

/** ONNX TensorProto.DataType values BNN Studio reads. */
const FLOAT = 1, INT32 = 6, INT64 = 7, DOUBLE = 11;

function tensorValues(t: OnnxNs.ITensorProto, where: string): OnnxConst {
  const dims = (t.dims ?? []).map(num);
  const n = dims.reduce((a, b) => a * b, 1);
  const raw = t.rawData && t.rawData.length ? t.rawData : undefined;
  let data: Float64Array;
  const view = raw ? new DataView(raw.buffer, raw.byteOffset, raw.byteLength) : undefined;
  const fromRaw = (bytes: number, get: (o: number) => number): Float64Array => {
    if (raw!.length !== n * bytes) throw new OnnxError(`${where}: ${raw!.length} bytes of data for ${n} values of ${bytes} bytes`);
    return Float64Array.from({ length: n }, (_, i) => get(i * bytes));
  };
  switch (t.dataType) {
    case FLOAT: data = view ? fromRaw(4, (o) => view.getFloat32(o, true)) : Float64Array.from(t.floatData ?? []); break;
    case DOUBLE: data = view ? fromRaw(8, (o) => view.getFloat64(o, true)) : Float64Array.from(t.doubleData ?? []); break;
    case INT64: data = view ? fromRaw(8, (o) => Number(view.getBigInt64(o, true))) : Float64Array.from((t.int64Data ?? []).map(num)); break;
    case INT32: data = view ? fromRaw(4, (o) => view.getInt32(o, true)) : Float64Array.from(t.int32Data ?? []); break;
    default: throw new OnnxError(`${where}: tensor of ONNX data type ${t.dataType}; BNN Studio reads float, double, int32 and int64 tensors`);
  }
  if (t.dataLocation === 1) throw new OnnxError(`${where}: its data is stored in an external file, which BNN Studio does not read (export with the weights inside the .onnx)`);
  if (data.length !== n) throw new OnnxError(`${where}: ${data.length} values for shape [${dims.join(', ')}]`);
  return { dims, data };
}

export function parseOnnx(bytes: Uint8Array, file: string): OnnxGraph {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on demand: only an ONNX import needs it
  const { onnx } = require('onnx-proto') as typeof import('onnx-proto');
  let model: OnnxNs.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (err) {
    throw new OnnxError(`${file}: not an ONNX model (${(err as Error).message})`);
  }
  const g = model.graph;
  if (!g || !g.node?.length) throw new OnnxError(`${file}: not an ONNX model (no graph with nodes)`);
  const consts = new Map<string, OnnxConst>();
  for (const t of g.initializer ?? []) consts.set(t.name ?? '', tensorValues(t, `${file}: initializer '${t.name}'`));
  const nodes: OnnxNode[] = g.node.map((n, i) => {
    const name = n.name || `node ${i + 1}`;
    const attrs: OnnxNode['attrs'] = {};
    for (const a of n.attribute ?? []) {
      const k = a.name ?? '';
      if (a.t) attrs[k] = tensorValues(a.t, `${file}: ${n.opType} '${name}' attribute ${k}`);
      else if (a.ints && a.ints.length) attrs[k] = a.ints.map(num);
      else if (a.floats && a.floats.length) attrs[k] = a.floats.slice();
      else if (a.s && a.s.length) attrs[k] = new TextDecoder().decode(a.s);
      else if (a.type === 1) attrs[k] = a.f ?? 0;
      else attrs[k] = num(a.i);
    }
    return { op: n.opType ?? '', name, inputs: (n.input ?? []).slice(), outputs: (n.output ?? []).slice(), attrs };
  });
  const inputs = (g.input ?? []).filter((v) => !consts.has(v.name ?? ''));
  if (inputs.length !== 1) throw new OnnxError(`${file}: the graph has ${inputs.length} inputs (${inputs.map((v) => `'${v.name}'`).join(', ')}); BNN Studio imports models of one input`);
  const shape = inputs[0].type?.tensorType?.shape?.dim ?? [];
  const dims = shape.map((d, k) => {
    if (d.dimValue !== null && d.dimValue !== undefined && num(d.dimValue) > 0) return num(d.dimValue);
    if (k === 0) return 1; // the batch may be dynamic
    throw new OnnxError(`${file}: input '${inputs[0].name}' has a dynamic dimension ${k} (${d.dimParam ? `'${d.dimParam}'` : 'no size'}): BNN Studio compiles for one fixed input shape; export with a fixed shape (no dynamic_axes but the batch)`);
  });
  if (dims.length !== 4 && dims.length !== 2) throw new OnnxError(`${file}: input '${inputs[0].name}' has rank ${dims.length}; BNN Studio imports images [N, C, H, W] and vectors [N, F]`);
  const outputs = g.output ?? [];
  if (outputs.length !== 1) throw new OnnxError(`${file}: the graph has ${outputs.length} outputs; BNN Studio imports models of one output`);
  const opset = (model.opsetImport ?? []).filter((o) => !o.domain).map((o) => num(o.version))[0] ?? 0;
  return { opset, producer: `${model.producerName ?? ''} ${model.producerVersion ?? ''}`.trim(), input: { name: inputs[0].name ?? '', dims }, output: outputs[0].name ?? '', nodes, consts };
}
