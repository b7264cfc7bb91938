/**
 * ONNX (as `torch.onnx.export` writes it) → a BNN Studio model with its weights. NCHW becomes NHWC: kernels OIHW →
 * HWIO, a Dense after a Flatten gets its rows reordered from PyTorch's C, H, W to BNN Studio's H, W, C. Binarization is
 * recognised as the subgraphs PyTorch exports for it: `Sign(x)`, `Where(GreaterOrEqual(x, 0), 1, −1)` (a custom
 * straight-through function's forward), `Where(Less(x, 0), −1, 1)`, and the detach trick `x + (sign(x) − x)`; on an
 * activation it becomes the next layer's input quantizer, on a weight its kernel quantizer (the latent weights are
 * binarized with sign, and said). Every other node is named with its name and op type. Semantics that differ are said:
 * ONNX `Sign(0)` = 0 where BNN Studio's sign(0) = +1, and PyTorch pads a binarized input with 0 where BNN Studio pads
 * with +1.
 */
import type { LayerSpec, ModelSpec, Padding } from '../model/spec';
import type { LayerWeights, TrainedModel } from '../model/trained';
import type { ImportProblem } from './keras';
import { samePadBefore } from '../deploy/geometry';
import { OnnxError, parseOnnx, type OnnxConst, type OnnxGraph, type OnnxNode } from './onnxGraph';

/** Where a tensor comes from and how it is laid out: NCHW becomes [H, W, C]; `chw` is kept by a Flatten of it. */
interface Tensor { src: string; shape: number[]; chw?: [number, number, number] }

const PASS = new Set(['Identity', 'Dropout']);
const SUPPORTED = new Set(['Constant', 'Conv', 'Gemm', 'MatMul', 'Add', 'Sub', 'BatchNormalization', 'MaxPool', 'AveragePool', 'GlobalAveragePool', 'Relu', 'PRelu', 'LeakyRelu',
  'Flatten', 'Reshape', 'Softmax', 'LogSoftmax', 'Sign', 'Where', 'GreaterOrEqual', 'Greater', 'Less', 'LessOrEqual', 'Transpose', 'Concat', ...PASS]);

export interface OnnxImport { trained?: TrainedModel; problems: ImportProblem[]; notes: string[] }

export function importOnnxModel(bytes: Uint8Array, file: string): OnnxImport {
  let g: OnnxGraph;
  try {
    g = parseOnnx(bytes, file);
  } catch (err) {
    if (err instanceof OnnxError) return { problems: [{ severity: 'error', message: err.message }], notes: [] };
    throw err;
  }
  const unsupported = g.nodes.filter((n) => !SUPPORTED.has(n.op));
  if (unsupported.length) {
    return { notes: [], problems: unsupported.map((n) => ({ severity: 'error', message: `${file}: node '${n.name}' (${n.op}) is not an operation BNN Studio can import (it imports Conv, Gemm/MatMul, BatchNormalization, MaxPool, AveragePool, GlobalAveragePool, Add, Concat, Relu, PRelu, Flatten, Softmax and the binarization subgraphs of sign)` })) };
  }
  try {
    return new Converter(g, file).run();
  } catch (err) {
    if (err instanceof OnnxError) return { problems: [{ severity: 'error', message: err.message }], notes: [] };
    throw err;
  }
}

const isConstValue = (c: OnnxConst | undefined, v: number): boolean => !!c && c.data.length > 0 && c.data.every((x) => x === v);

class Converter {
  private readonly tensors = new Map<string, Tensor>();
  /** A binarized value → what it binarizes (an activation or a constant). */
  private readonly binOf = new Map<string, string>();
  /** Comparison results: value → [op, compared value]. */
  private readonly compare = new Map<string, [string, string]>();
  /** `sign(x) − x` of the detach trick: value → x. */
  private readonly steDiff = new Map<string, string>();
  private readonly consts: Map<string, OnnxConst>;
  private readonly layers: LayerSpec[] = [];
  private readonly weights: Record<string, LayerWeights> = {};
  private readonly notes: string[] = [];
  private readonly warnings: ImportProblem[] = [];
  private readonly counts = new Map<string, number>();

  constructor(private readonly g: OnnxGraph, private readonly file: string) {
    this.consts = new Map(g.consts);
  }

  private fail(n: OnnxNode, why: string): never {
    throw new OnnxError(`${this.file}: node '${n.name}' (${n.op}) ${why}`);
  }

  private warn(n: OnnxNode, message: string): void {
    this.warnings.push({ severity: 'warning', message: `${this.file}: node '${n.name}' (${n.op}): ${message}` });
  }

  private name(kind: string): string {
    const k = (this.counts.get(kind) ?? 0) + 1;
    this.counts.set(kind, k);
    return `${kind}_${k}`;
  }

  /** An activation tensor (not binarized) read by `n`. */
  private tensor(n: OnnxNode, v: string): Tensor {
    const t = this.tensors.get(v);
    if (t) return t;
    if (this.binOf.has(v)) this.fail(n, `reads the binarized value '${v}': BNN Studio binarizes only the input of a convolution or dense layer`);
    this.fail(n, `reads '${v}', which is not the output of an operation BNN Studio imported`);
  }

  private push(layer: LayerSpec, input: Tensor[], shape: number[], w?: LayerWeights, chw?: Tensor['chw']): Tensor {
    this.layers.push({ ...layer, inputs: input.map((t) => t.src) } as LayerSpec);
    if (w) this.weights[layer.name] = w;
    return { src: layer.name, shape, chw };
  }

  private attrInts(n: OnnxNode, k: string, fallback: number[]): number[] {
    const v = n.attrs[k];
    return Array.isArray(v) ? v as number[] : typeof v === 'number' ? [v] : fallback;
  }

  run(): OnnxImport {
    const dims = this.g.input.dims;
    const inputShape = dims.length === 4 ? [dims[2], dims[3], dims[1]] : [dims[1]];
    this.tensors.set(this.g.input.name, { src: 'input', shape: inputShape });
    for (const n of this.g.nodes) this.node(n);
    const out = this.tensors.get(this.g.output);
    if (!out) throw new OnnxError(`${this.file}: the graph's output '${this.g.output}' is not the output of a layer BNN Studio imported`);
    if (out.shape.length !== 1) throw new OnnxError(`${this.file}: the output has shape [${out.shape.join(', ')}] (NHWC); BNN Studio models end in class scores [classes]`);
    const spec: ModelSpec = { name: 'onnx_model', input: { shape: inputShape }, classes: out.shape[0], layers: this.layers };
    if (out.src !== this.layers[this.layers.length - 1]?.name) spec.outputs = [out.src];
    return { trained: { spec, weights: this.weights }, problems: this.warnings, notes: this.notes };
  }

  /** The weight a layer reads: its values in their ONNX layout and whether the layer binarizes them. */
  private weight(n: OnnxNode, v: string): { c: OnnxConst; binary: boolean; latent: number } {
    const src = this.binOf.get(v);
    if (src !== undefined) {
      const c = this.consts.get(src);
      if (!c) this.fail(n, `binarizes '${src}', which is neither a weight nor an activation it can binarize`);
      const latent = c.data.reduce((a, x) => a + (x !== 1 && x !== -1 ? 1 : 0), 0);
      return { c: { dims: c.dims, data: c.data.map((x) => (x >= 0 ? 1 : -1)) }, binary: true, latent };
    }
    const c = this.consts.get(v);
    if (!c) this.fail(n, `reads its weights from '${v}', which is computed in the graph, not a stored tensor`);
    return { c, binary: c.data.every((x) => x === 1 || x === -1), latent: 0 };
  }

  private latentNote(layer: string, n: OnnxNode, latent: number, total: number): void {
    if (latent) this.notes.push(`${layer} (from '${n.name}'): its kernel is binarized in the graph from real-valued latent weights (${latent} of ${total} values are not ±1); binarized here with sign, sign(0) = +1`);
  }

  private node(n: OnnxNode): void {
    const [a, b, c] = n.inputs;
    const out = n.outputs[0];
    switch (n.op) {
      case 'Constant': {
        const v = n.attrs.value ?? n.attrs.value_float ?? n.attrs.value_int ?? n.attrs.value_floats ?? n.attrs.value_ints;
        if (v === undefined) this.fail(n, 'has no value BNN Studio reads');
        this.consts.set(out, typeof v === 'object' && !Array.isArray(v) ? v : { dims: [], data: Float64Array.from(Array.isArray(v) ? v as number[] : [v as number]) });
        return;
      }
      case 'Identity': case 'Dropout': {
        for (const m of [this.tensors, this.binOf, this.consts] as Map<string, unknown>[]) if (m.has(a)) m.set(out, m.get(a));
        return;
      }
      case 'GreaterOrEqual': case 'Greater': case 'Less': case 'LessOrEqual':
        if (!isConstValue(this.consts.get(b), 0)) this.fail(n, 'compares with something other than 0, which is no binarization BNN Studio knows');
        this.compare.set(out, [n.op, a]);
        return;
      case 'Where': {
        const cmp = this.compare.get(a);
        const hi = this.consts.get(b);
        const lo = this.consts.get(c);
        if (!cmp) this.fail(n, 'selects on something other than a comparison with 0');
        const up = cmp[0] === 'GreaterOrEqual' || cmp[0] === 'Greater';
        const [yes, no] = up ? [1, -1] : [-1, 1];
        if (!isConstValue(hi, yes) || !isConstValue(lo, no)) this.fail(n, `is not a sign: it selects other values than ${yes} and ${no}`);
        if (cmp[0] === 'Greater' || cmp[0] === 'LessOrEqual') this.warn(n, 'binarizes 0 to −1, where BNN Studio\'s sign(0) = +1: a value exactly 0 becomes +1 here');
        this.binOf.set(out, cmp[1]);
        return;
      }
      case 'Sign':
        this.warn(n, 'ONNX Sign maps 0 to 0, where BNN Studio\'s sign(0) = +1: a value exactly 0 becomes +1 here instead of 0');
        this.binOf.set(out, a);
        return;
      case 'Sub':
        if (this.binOf.get(a) === b) { this.steDiff.set(out, b); return; }
        this.fail(n, 'is not part of a straight-through sign (x + (sign(x) − x)); BNN Studio imports no other subtraction');
        return;
      case 'Transpose': {
        const perm = this.attrInts(n, 'perm', [1, 0]);
        const src = this.binOf.get(a) ?? a;
        const k = this.consts.get(src);
        if (!k || k.dims.length !== 2 || perm[0] !== 1 || perm[1] !== 0) this.fail(n, 'transposes something other than a 2-D weight; BNN Studio imports no transposed activations');
        const [r, cols] = k.dims;
        const t: OnnxConst = { dims: [cols, r], data: Float64Array.from({ length: r * cols }, (_, i) => k.data[(i % r) * cols + Math.floor(i / r)]) };
        const name = `${out}#transposed`;
        this.consts.set(name, t);
        if (this.binOf.has(a)) this.binOf.set(out, name); else this.consts.set(out, t);
        return;
      }
      case 'Add': return this.add(n);
      case 'Conv': return this.conv(n);
      case 'Gemm': case 'MatMul': return this.dense(n);
      case 'BatchNormalization': return this.batchNorm(n);
      case 'MaxPool': case 'AveragePool': return this.pool(n);
      case 'GlobalAveragePool': {
        const x = this.tensor(n, a);
        if (x.shape.length !== 3) this.fail(n, 'pools a tensor that is not an image');
        this.tensors.set(out, this.push({ type: 'GlobalAveragePooling2D', name: this.name('global_average_pooling2d') }, [x], [x.shape[2]]));
        return;
      }
      case 'Relu': this.tensors.set(out, this.push({ type: 'Activation', name: this.name('relu'), activation: 'relu' }, [this.tensor(n, a)], this.tensor(n, a).shape)); return;
      case 'PRelu': case 'LeakyRelu': {
        const x = this.tensor(n, a);
        const ch = x.shape[x.shape.length - 1];
        const slope = n.op === 'LeakyRelu' ? Float64Array.of(typeof n.attrs.alpha === 'number' ? n.attrs.alpha : 0.01) : this.consts.get(b)?.data;
        if (!slope || (slope.length !== 1 && slope.length !== ch)) this.fail(n, `has ${slope?.length ?? 'no'} slopes for ${ch} channels`);
        const alpha = Float32Array.from({ length: ch }, (_, i) => slope[slope.length === 1 ? 0 : i]);
        this.tensors.set(out, this.push({ type: 'PReLU', name: this.name('p_re_lu'), alphaInitializer: 0.25 }, [x], x.shape, { alpha }));
        return;
      }
      case 'Concat': {
        const xs = n.inputs.map((v) => this.tensor(n, v));
        const axis = Number(n.attrs.axis ?? 1);
        if (xs.some((x) => x.shape.length !== 3) || (axis !== 1 && axis !== -3)) this.fail(n, `joins along axis ${axis}; BNN Studio concatenates images along channels (axis 1 in NCHW)`);
        const shape = [xs[0].shape[0], xs[0].shape[1], xs.reduce((s, x) => s + x.shape[2], 0)];
        this.tensors.set(out, this.push({ type: 'Concatenate', name: this.name('concatenate') }, xs, shape));
        return;
      }
      case 'Flatten': case 'Reshape': {
        const x = this.tensor(n, a);
        if (n.op === 'Flatten' && Number(n.attrs.axis ?? 1) !== 1) this.fail(n, 'flattens from an axis other than 1');
        if (n.op === 'Reshape') {
          const to = this.consts.get(b);
          const size = x.shape.reduce((p, q) => p * q, 1);
          if (!to || to.data.length !== 2 || !(to.data[1] === -1 || to.data[1] === size)) this.fail(n, 'reshapes to something other than [batch, features]');
        }
        if (x.shape.length === 1) { this.tensors.set(out, x); return; }
        const [h, w, ch] = x.shape;
        this.tensors.set(out, this.push({ type: 'Flatten', name: this.name('flatten') }, [x], [h * w * ch], undefined, h * w > 1 ? [ch, h, w] : undefined));
        return;
      }
      case 'Softmax': case 'LogSoftmax': {
        const x = this.tensor(n, a);
        if (n.op === 'LogSoftmax') this.notes.push(`'${n.name}' (LogSoftmax) becomes a softmax: the same classes, the scores before it unchanged`);
        this.tensors.set(out, this.push({ type: 'Activation', name: this.name('softmax'), activation: 'softmax' }, [x], x.shape));
        return;
      }
      default:
        this.fail(n, 'is not supported');
    }
  }

  private add(n: OnnxNode): void {
    const [a, b] = n.inputs;
    const out = n.outputs[0];
    // the detach trick: x + (sign(x) − x) is sign(x) forward
    if (this.steDiff.get(b) === a) { this.binOf.set(out, a); return; }
    if (this.steDiff.get(a) === b) { this.binOf.set(out, b); return; }
    const bias = this.consts.get(b) ?? this.consts.get(a);
    if (bias) {
      // a bias added after a MatMul (Linear without Gemm) or a convolution: it goes into that layer
      const x = this.tensor(n, this.consts.has(b) ? a : b);
      const layer = this.layers.find((l) => l.name === x.src);
      const ch = x.shape[x.shape.length - 1];
      if (!layer || (layer.type !== 'QuantDense' && layer.type !== 'QuantConv2D') || (bias.data.length !== ch && bias.data.length !== 1)) this.fail(n, 'adds a constant that is not the bias of the layer before it');
      const w = this.weights[layer.name];
      const prev = w.bias ?? new Float32Array(ch);
      w.bias = Float32Array.from(prev, (v, i) => v + bias.data[bias.data.length === 1 ? 0 : i]);
      const at = this.layers.indexOf(layer);
      this.layers[at] = { ...layer, useBias: true };
      this.tensors.set(out, x);
      return;
    }
    const xs = n.inputs.map((v) => this.tensor(n, v));
    if (xs[0].shape.join() !== xs[1].shape.join()) this.fail(n, `adds tensors of shapes [${xs[0].shape.join(', ')}] and [${xs[1].shape.join(', ')}] (NHWC)`);
    this.tensors.set(out, this.push({ type: 'Add', name: this.name('add') }, xs, xs[0].shape));
  }

  /** The layer input: an activation, or an activation binarized. */
  private layerInput(n: OnnxNode, v: string): { x: Tensor; binary: boolean } {
    const src = this.binOf.get(v);
    if (src !== undefined) {
      if (this.consts.has(src)) this.fail(n, `reads a binarized constant '${src}' as its input`);
      return { x: this.tensor(n, src), binary: true };
    }
    return { x: this.tensor(n, v), binary: false };
  }

  private conv(n: OnnxNode): void {
    const [a, b, c] = n.inputs;
    const { x, binary: binIn } = this.layerInput(n, a);
    if (x.shape.length !== 3) this.fail(n, 'convolves a tensor that is not an image [N, C, H, W]');
    const { c: k, binary, latent } = this.weight(n, b);
    const [cout, cin, kh, kw] = k.dims;
    if (k.dims.length !== 4) this.fail(n, `has a kernel of shape [${k.dims.join(', ')}]; BNN Studio imports 2-D convolutions`);
    const [h, w, ch] = x.shape;
    if (Number(n.attrs.group ?? 1) !== 1 || cin !== ch) this.fail(n, 'is a grouped convolution, which BNN Studio does not have');
    if (this.attrInts(n, 'dilations', [1, 1]).some((d) => d !== 1)) this.fail(n, 'is dilated, which BNN Studio does not support');
    const [sh, sw] = this.attrInts(n, 'strides', [1, 1]);
    const padding = this.padding(n, h, w, kh, kw, sh, sw);
    if (binIn && !binary) this.fail(n, 'binarizes its input but not its kernel: BNN Studio has no compiled kernel for a binarized input with real weights');
    if (padding === 'same' && binIn) this.warn(n, "pads its binarized input with 0 (PyTorch's zero padding); BNN Studio pads binarized inputs with +1, so outputs at the borders change — retrain with BNN Studio's padding or use padding 0");
    const name = this.name('quant_conv2d');
    const kernel = new Float32Array(k.data.length);
    for (let o = 0; o < cout; o++) for (let i = 0; i < cin; i++) for (let y = 0; y < kh; y++) for (let z = 0; z < kw; z++) kernel[((y * kw + z) * cin + i) * cout + o] = k.data[((o * cin + i) * kh + y) * kw + z];
    const lw: LayerWeights = { kernel };
    if (c) lw.bias = Float32Array.from(this.constOf(n, c, cout));
    this.latentNote(name, n, latent, k.data.length);
    const oh = padding === 'same' ? Math.ceil(h / sh) : Math.floor((h - kh) / sh) + 1;
    const ow = padding === 'same' ? Math.ceil(w / sw) : Math.floor((w - kw) / sw) + 1;
    this.tensors.set(n.outputs[0], this.push({
      type: 'QuantConv2D', name, filters: cout, kernelSize: [kh, kw], strides: [sh, sw], padding,
      inputQuantizer: binIn ? 'ste_sign' : null, kernelQuantizer: binary ? 'ste_sign' : null, useBias: !!c,
    }, [x], [oh, ow, cout], lw));
  }

  private constOf(n: OnnxNode, v: string, len: number): Float64Array {
    const c = this.consts.get(v);
    if (!c || c.data.length !== len) this.fail(n, `needs ${len} stored values in '${v}', got ${c ? c.data.length : 'a computed tensor'}`);
    return c.data;
  }

  /** ONNX pads → 'valid' (none) or 'same' (exactly TensorFlow's split), else an error. */
  private padding(n: OnnxNode, h: number, w: number, kh: number, kw: number, sh: number, sw: number): Padding {
    const auto = String(n.attrs.auto_pad ?? 'NOTSET');
    if (auto === 'SAME_UPPER') return 'same';
    if (auto === 'VALID') return 'valid';
    if (auto !== 'NOTSET') this.fail(n, `has auto_pad ${auto}; BNN Studio pads as TensorFlow's 'same' (SAME_UPPER) or not at all`);
    const pads = this.attrInts(n, 'pads', [0, 0, 0, 0]);
    if (pads.every((p) => p === 0)) return 'valid';
    const total = (i: number, k: number, s: number): number => Math.max((Math.ceil(i / s) - 1) * s + k - i, 0);
    const tH = samePadBefore(h, kh, sh), tW = samePadBefore(w, kw, sw);
    if (pads[0] === tH && pads[1] === tW && pads[2] === total(h, kh, sh) - tH && pads[3] === total(w, kw, sw) - tW) return 'same';
    this.fail(n, `pads [${pads.join(', ')}] (top, left, bottom, right); BNN Studio pads not at all or as TensorFlow's 'same' ([${tH}, ${tW}, ${total(h, kh, sh) - tH}, ${total(w, kw, sw) - tW}] here)`);
  }

  private dense(n: OnnxNode): void {
    const [a, b, c] = n.inputs;
    const { x, binary: binIn } = this.layerInput(n, a);
    if (x.shape.length !== 1) this.fail(n, `multiplies a tensor of shape [${x.shape.join(', ')}] (NHWC); flatten it first`);
    if (n.op === 'Gemm' && (Number(n.attrs.transA ?? 0) !== 0 || Number(n.attrs.alpha ?? 1) !== 1 || Number(n.attrs.beta ?? 1) !== 1)) this.fail(n, 'has transA, alpha or beta other than Linear\'s');
    const { c: k, binary, latent } = this.weight(n, b);
    if (k.dims.length !== 2) this.fail(n, `has weights of shape [${k.dims.join(', ')}]`);
    const transB = n.op === 'Gemm' && Number(n.attrs.transB ?? 0) === 1;
    const [inF, units] = transB ? [k.dims[1], k.dims[0]] : k.dims;
    if (inF !== x.shape[0]) this.fail(n, `takes ${inF} features, its input has ${x.shape[0]}`);
    if (binIn && !binary) this.fail(n, 'binarizes its input but not its weights: BNN Studio has no compiled kernel for a binarized input with real weights');
    // row r of BNN Studio's [in, out] kernel is feature r in H, W, C order; PyTorch flattened C, H, W
    const row = x.chw ? (r: number): number => { const [ch, h, w] = x.chw!; const cc = r % ch; const hw = Math.floor(r / ch); return (cc * h + Math.floor(hw / w)) * w + (hw % w); } : (r: number): number => r;
    const kernel = new Float32Array(inF * units);
    for (let r = 0; r < inF; r++) for (let o = 0; o < units; o++) kernel[r * units + o] = transB ? k.data[o * inF + row(r)] : k.data[row(r) * units + o];
    const name = this.name('quant_dense');
    const lw: LayerWeights = { kernel };
    if (c) lw.bias = Float32Array.from(this.constOf(n, c, units));
    this.latentNote(name, n, latent, k.data.length);
    this.tensors.set(n.outputs[0], this.push({ type: 'QuantDense', name, units, inputQuantizer: binIn ? 'ste_sign' : null, kernelQuantizer: binary ? 'ste_sign' : null, useBias: !!c }, [x], [units], lw));
  }

  private batchNorm(n: OnnxNode): void {
    const [a, s, bias, mean, variance] = n.inputs;
    const x = this.tensor(n, a);
    if (x.chw) this.fail(n, 'normalizes flattened image features one by one; BatchNormalization before the Flatten is what BNN Studio imports');
    const ch = x.shape[x.shape.length - 1];
    const f32 = (v: string): Float32Array => Float32Array.from(this.constOf(n, v, ch));
    const lw: LayerWeights = { gamma: f32(s), beta: f32(bias), movingMean: f32(mean), movingVariance: f32(variance) };
    if (lw.movingVariance!.some((v) => v < 0)) this.fail(n, 'has a negative running variance');
    const epsilon = typeof n.attrs.epsilon === 'number' ? n.attrs.epsilon : 1e-5;
    this.tensors.set(n.outputs[0], this.push({ type: 'BatchNormalization', name: this.name('batch_normalization'), scale: true, center: true, momentum: 0.99, epsilon: Number(epsilon.toPrecision(7)) }, [x], x.shape, lw));
  }

  private pool(n: OnnxNode): void {
    const x = this.tensor(n, n.inputs[0]);
    if (x.shape.length !== 3) this.fail(n, 'pools a tensor that is not an image');
    const [kh, kw] = this.attrInts(n, 'kernel_shape', []);
    const [sh, sw] = this.attrInts(n, 'strides', [1, 1]);
    const [h, w, ch] = x.shape;
    if (this.attrInts(n, 'pads', [0, 0, 0, 0]).some((p) => p !== 0)) this.fail(n, 'pads its input; BNN Studio imports pooling without padding');
    if (Number(n.attrs.ceil_mode ?? 0) === 1 && ((h - kh) % sh !== 0 || (w - kw) % sw !== 0)) this.fail(n, 'rounds its output size up (ceil_mode), which BNN Studio\'s pooling does not');
    const shape = [Math.floor((h - kh) / sh) + 1, Math.floor((w - kw) / sw) + 1, ch];
    const layer: LayerSpec = n.op === 'MaxPool'
      ? { type: 'MaxPool2D', name: this.name('max_pooling2d'), poolSize: [kh, kw], strides: [sh, sw], padding: 'valid' }
      : { type: 'AveragePooling2D', name: this.name('average_pooling2d'), poolSize: [kh, kw], strides: [sh, sw], padding: 'valid' };
    this.tensors.set(n.outputs[0], this.push(layer, [x], shape));
  }
}
