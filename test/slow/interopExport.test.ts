import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tfc from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { runTraining, type TrainJob } from '../../src/core/train/trainer';
import { writeCheckpoint, loadCheckpoint } from '../../src/core/train/checkpoint';
import { predict } from '../../src/core/train/predict';
import type { ModelSpec } from '../../src/core/model/spec';
import type { TrainedModel } from '../../src/core/model/trained';
import { inferGraphShapes, inferShapes } from '../../src/core/deploy/shapes';
import { INPUT_SOURCE } from '../../src/core/model/graph';
import { loadModelText } from '../../src/core/model/load';
import { TEMPLATES, templateText } from '../../src/core/model/templates';
import { importKerasModel } from '../../src/core/interop/keras';
import { exportFiles, writeExport, loadExportSource, ExportError, BNN_LAYERS_JS, type KerasWeightsManifest } from '../../src/core/interop/exportModel';
import { registerBnnLayers, type TfNamespace } from '../../src/core/interop/tfjsLayers';
import { Rng } from '../../src/core/train/rng';
import { syntheticData } from '../support/syntheticData';
import { tinyCnn } from '../support/models';
import { requireTool } from '../support/tools';

const root = path.join(__dirname, '..', '..');
const tf = { ...tfc, layers: tfl.layers, initializers: tfl.initializers } as unknown as TfNamespace;

/** Serves a folder over HTTP, so the model loads through tfjs' stock http IOHandler (what a web app does). */
async function serve(dir: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const file = path.join(dir, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    if (!file.startsWith(dir) || !fs.existsSync(file)) { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'content-type': file.endsWith('.json') ? 'application/json' : 'application/octet-stream' }).end(fs.readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(() => r())) };
}

function softmax(v: number[]): number[] {
  const m = Math.max(...v);
  const e = v.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

/** Loads an export with stock tf.loadLayersModel and compares its predictions with BNN Studio's reference forward pass. */
async function assertSamePredictions(exportDir: string, trained: TrainedModel, images: Uint8Array, count: number): Promise<void> {
  const srv = await serve(exportDir);
  try {
    const model = await tfl.loadLayersModel(`${srv.url}/model.json`);
    const shape = trained.spec.input.shape;
    const x = tfc.tidy(() => tfc.sub(tfc.div(tfc.tensor(images.subarray(0, count * shape.reduce((a, b) => a * b, 1)), [count, ...shape], 'float32'), 127.5), 1));
    const y = model.predict(x) as tfc.Tensor;
    const got = y.arraySync() as number[][];
    tfc.dispose([x, y]);
    model.dispose();
    const ref = predict(trained, images, count);
    const softmaxLast = trained.spec.layers[trained.spec.layers.length - 1].type === 'Activation';
    let maxDiff = 0;
    for (let i = 0; i < count; i++) {
      const want = softmaxLast ? softmax(ref.scores[i]) : ref.scores[i];
      const gotClass = got[i].indexOf(Math.max(...got[i]));
      assert.equal(gotClass, ref.classes[i], `sample ${i}: tf.loadLayersModel says class ${gotClass}, BNN Studio's predict ${ref.classes[i]}`);
      for (let c = 0; c < want.length; c++) maxDiff = Math.max(maxDiff, Math.abs(got[i][c] - want[c]) / Math.max(1, Math.abs(want[c])));
    }
    assert.ok(maxDiff < 1e-4, `scores differ by up to ${maxDiff} (relative)`);
  } finally {
    await srv.close();
  }
}

/** A model exercising every padding/stride/bias/BN variant, with random weights (binary kernels ±1). */
function oddModel(): TrainedModel {
  const spec: ModelSpec = {
    name: 'odd', input: { shape: [9, 7, 2] }, classes: 5,
    layers: [
      { type: 'QuantConv2D', name: 'c1', filters: 6, kernelSize: [3, 2], strides: [2, 1], padding: 'same', inputQuantizer: null, kernelQuantizer: 'ste_sign', useBias: true },
      { type: 'BatchNormalization', name: 'b1', scale: true, center: true, momentum: 0.99, epsilon: 1e-3 },
      { type: 'QuantConv2D', name: 'c2', filters: 7, kernelSize: [2, 3], strides: [1, 2], padding: 'same', inputQuantizer: 'approx_sign', kernelQuantizer: 'ste_sign', useBias: false },
      { type: 'MaxPool2D', name: 'p2', poolSize: [3, 3], strides: [2, 2], padding: 'same' },
      { type: 'BatchNormalization', name: 'b2', scale: false, center: true, momentum: 0.99, epsilon: 1e-3 },
      { type: 'QuantConv2D', name: 'c3', filters: 4, kernelSize: [2, 2], strides: [1, 1], padding: 'same', inputQuantizer: null, kernelQuantizer: null, useBias: true },
      { type: 'Flatten', name: 'f' },
      { type: 'QuantDense', name: 'd1', units: 5, inputQuantizer: 'swish_sign', kernelQuantizer: 'ste_sign', useBias: true },
    ],
  };
  const rng = new Rng(11);
  const rand = (n: number, f: () => number) => Float32Array.from({ length: n }, f);
  const pm1 = () => (rng.next() < 0.5 ? -1 : 1);
  const shapes = inferShapes(spec);
  const weights: TrainedModel['weights'] = {};
  let inShape = spec.input.shape;
  spec.layers.forEach((l, i) => {
    const cin = inShape[inShape.length - 1];
    if (l.type === 'QuantConv2D') weights[l.name] = { kernel: rand(l.kernelSize[0] * l.kernelSize[1] * cin * l.filters, l.kernelQuantizer ? pm1 : () => rng.next() - 0.5), ...(l.useBias ? { bias: rand(l.filters, () => rng.next() - 0.5) } : {}) };
    if (l.type === 'QuantDense') weights[l.name] = { kernel: rand(inShape[0] * l.units, pm1), bias: rand(l.units, () => rng.next() * 4 - 2) };
    if (l.type === 'BatchNormalization') {
      weights[l.name] = { movingMean: rand(cin, () => (rng.next() - 0.5) * 3), movingVariance: rand(cin, () => 0.5 + rng.next() * 4), beta: rand(cin, () => rng.next() - 0.5), ...(l.scale ? { gamma: rand(cin, () => 0.5 + rng.next()) } : {}) };
    }
    inShape = shapes[i];
  });
  return { spec, weights };
}

/** A residual graph model (Add, Concatenate, both average poolings, PReLU on an image and on a vector, ReLU) with random weights. */
function graphModel(): TrainedModel {
  const spec: ModelSpec = {
    name: 'graph', input: { shape: [9, 9, 1] }, classes: 4,
    layers: [
      { type: 'QuantConv2D', name: 'stem', filters: 4, kernelSize: [3, 3], strides: [1, 1], padding: 'same', inputQuantizer: null, kernelQuantizer: 'ste_sign', useBias: false },
      { type: 'BatchNormalization', name: 'bn0', scale: true, center: true, momentum: 0.99, epsilon: 1e-3 },
      { type: 'QuantConv2D', name: 'bin', filters: 4, kernelSize: [3, 3], strides: [1, 1], padding: 'same', inputQuantizer: 'ste_sign', kernelQuantizer: 'ste_sign', useBias: false },
      { type: 'BatchNormalization', name: 'bn1', scale: true, center: true, momentum: 0.99, epsilon: 1e-3 },
      { type: 'Add', name: 'add', inputs: ['bn1', 'bn0'] },
      { type: 'PReLU', name: 'act', alphaInitializer: 0.25 },
      { type: 'AveragePooling2D', name: 'avg', poolSize: [2, 2], strides: [2, 2], padding: 'same' },
      { type: 'MaxPool2D', name: 'mp', poolSize: [2, 2], strides: [2, 2], padding: 'same', inputs: ['act'] },
      { type: 'Concatenate', name: 'cat', inputs: ['avg', 'mp'] },
      { type: 'Activation', name: 'relu', activation: 'relu' },
      { type: 'GlobalAveragePooling2D', name: 'gap' },
      { type: 'PReLU', name: 'vact', alphaInitializer: 0 },
      { type: 'QuantDense', name: 'head', units: 4, inputQuantizer: null, kernelQuantizer: null, useBias: true },
    ],
  };
  const rng = new Rng(7);
  const rand = (n: number, f: () => number) => Float32Array.from({ length: n }, f);
  const c = (n: number) => ({ movingMean: rand(n, () => (rng.next() - 0.5) * 3), movingVariance: rand(n, () => 0.5 + rng.next() * 4), beta: rand(n, () => rng.next() - 0.5), gamma: rand(n, () => 0.5 + rng.next()) });
  const pm1 = () => (rng.next() < 0.5 ? -1 : 1);
  return {
    spec,
    weights: {
      stem: { kernel: rand(9 * 4, pm1) }, bn0: c(4), bin: { kernel: rand(9 * 4 * 4, pm1) }, bn1: c(4),
      act: { alpha: rand(4, () => rng.next() - 0.5) }, vact: { alpha: rand(8, () => rng.next() - 0.5) },
      head: { kernel: rand(8 * 4, () => rng.next() - 0.5), bias: rand(4, () => rng.next() - 0.5) },
    },
  };
}

/** Random weights for any model: ±1 binary kernels, real ones small, BatchNorm statistics and PReLU alphas per channel. */
function randomWeights(spec: ModelSpec, seed: number): TrainedModel {
  const { graph, shapes } = inferGraphShapes(spec);
  const rng = new Rng(seed);
  const rand = (n: number, f: () => number) => Float32Array.from({ length: n }, f);
  const weights: TrainedModel['weights'] = {};
  spec.layers.forEach((l, i) => {
    if (!graph.live[i]) return;
    const src = graph.inputs[i][0];
    const inShape = src === INPUT_SOURCE ? spec.input.shape : shapes[src];
    const cin = inShape[inShape.length - 1];
    const kernel = (n: number) => rand(n, l.type !== 'QuantConv2D' && l.type !== 'QuantDense' ? () => 0 : l.kernelQuantizer ? () => (rng.next() < 0.5 ? -1 : 1) : () => rng.next() - 0.5);
    if (l.type === 'QuantConv2D') weights[l.name] = { kernel: kernel(l.kernelSize[0] * l.kernelSize[1] * cin * l.filters), ...(l.useBias ? { bias: rand(l.filters, () => rng.next() - 0.5) } : {}) };
    if (l.type === 'QuantDense') weights[l.name] = { kernel: kernel(inShape[0] * l.units), ...(l.useBias ? { bias: rand(l.units, () => rng.next() - 0.5) } : {}) };
    if (l.type === 'BatchNormalization') {
      weights[l.name] = { movingMean: rand(cin, () => (rng.next() - 0.5) * 3), movingVariance: rand(cin, () => 0.5 + rng.next() * 4), ...(l.center ? { beta: rand(cin, () => rng.next() - 0.5) } : {}), ...(l.scale ? { gamma: rand(cin, () => 0.5 + rng.next()) } : {}) };
    }
    if (l.type === 'PReLU') weights[l.name] = { alpha: rand(cin, () => rng.next() - 0.5) };
  });
  return { spec, weights };
}

describe('interop: export to TensorFlow.js and Keras', function () {
  this.timeout(60_000);
  let tmp: string;
  let layersJs: string;
  before(async () => {
    await tfc.setBackend('cpu');
    const bundle = path.join(root, 'dist', BNN_LAYERS_JS);
    assert.ok(fs.existsSync(bundle), `${bundle} is missing: run npm run build`);
    layersJs = fs.readFileSync(bundle, 'utf8');
    // The shipped bundle (not the TypeScript source) registers the classes, as in a user's app.
    const mod = { exports: {} as { registerBnnLayers?: (t: TfNamespace) => unknown } };
    new Function('module', 'exports', layersJs)(mod, mod.exports);
    assert.equal(typeof mod.exports.registerBnnLayers, 'function');
    mod.exports.registerBnnLayers!(tf);
  });
  beforeEach(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-export-')); });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('a trained experiment exported as TF.js loads with stock tf.loadLayersModel and predicts exactly like BNN Studio', async () => {
    const data = syntheticData({ shape: [8, 8, 1], classes: 4, train: 600, test: 200, seed: 5 });
    const job: TrainJob = {
      spec: tinyCnn(), modelPath: 'tiny.bnn.json', data, epochs: 1, batchSize: 50, seed: 3, valSplit: 0.1, experimentsDir: path.join(tmp, 'exps'), backend: 'cpu',
      optimizer: { kind: 'bop', gamma: { kind: 'constant', value: 1e-3 }, threshold: { kind: 'constant', value: 1e-6 }, lr: { kind: 'constant', value: 0.01 } },
      eventsPerSecond: 0,
    };
    let dir = '';
    const status = await runTraining(job, { emit: (m) => { if (m.type === 'started') dir = m.experimentDir; }, cancelled: () => false });
    assert.equal(status.state, 'completed', JSON.stringify(status.error));
    const trained = loadExportSource(dir);
    const out = path.join(tmp, 'export');
    assert.deepEqual(writeExport(out, exportFiles(trained, 'tfjs', { layersJs, generatedBy: 'test' })).sort(), ['README.md', BNN_LAYERS_JS, 'model.json', 'weights.bin']);
    assert.match(fs.readFileSync(path.join(out, 'README.md'), 'utf8'), /registerBnnLayers\(tf\);\nconst model = await tf\.loadLayersModel\('model\.json'\)/);
    await assertSamePredictions(out, trained, data.test!.images, data.test!.count);
  });

  it('every padding split, stride, quantizer, bias and BatchNorm variant predicts the same through TF.js', async () => {
    const trained = oddModel();
    const rng = new Rng(2);
    const images = Uint8Array.from({ length: 150 * 9 * 7 * 2 }, () => Math.floor(rng.next() * 256));
    images.fill(127, 0, 126); images.fill(128, 126, 252); // u8 127/128 encode to ±1/255: the sign at the edge of zero
    const out = path.join(tmp, 'odd');
    writeExport(out, exportFiles(trained, 'tfjs', { layersJs, generatedBy: 'test' }));
    await assertSamePredictions(out, trained, images, 150);
  });

  it('a graph model exports as a functional TF.js model that predicts like BNN Studio', async () => {
    const trained = graphModel();
    const rng = new Rng(4);
    const images = Uint8Array.from({ length: 40 * 81 }, () => Math.floor(rng.next() * 256));
    const out = path.join(tmp, 'graph');
    writeExport(out, exportFiles(trained, 'tfjs', { layersJs, generatedBy: 'test' }));
    const topology = (JSON.parse(fs.readFileSync(path.join(out, 'model.json'), 'utf8')) as { modelTopology: { class_name: string } }).modelTopology;
    assert.equal(topology.class_name, 'Functional');
    await assertSamePredictions(out, trained, images, 40);
  });

  for (const id of ['binary-resnet', 'binary-resnet-cifar10']) {
    it(`the ${id} template exports as a functional TF.js model that predicts like BNN Studio`, async () => {
      const t = TEMPLATES.find((x) => x.id === id);
      assert.ok(t, `the ${id} template exists`);
      const trained = randomWeights(loadModelText(templateText(t), `${id}.bnn.json`).spec!, 9);
      const size = trained.spec.input.shape.reduce((a, b) => a * b, 1);
      const rng = new Rng(6);
      const images = Uint8Array.from({ length: 8 * size }, () => Math.floor(rng.next() * 256));
      const out = path.join(tmp, id);
      writeExport(out, exportFiles(trained, 'tfjs', { layersJs, generatedBy: 'test' }));
      await assertSamePredictions(out, trained, images, 8);
    });
  }

  it('a trainer checkpoint folder itself loads with tf.loadLayersModel (same topology)', async () => {
    const trained = oddModel();
    const ck = writeCheckpoint(path.join(tmp, 'ck-exp'), 'ck', trained, { epoch: 1, step: 10, createdAt: new Date().toISOString() }, undefined, 'test');
    const images = Uint8Array.from({ length: 20 * 126 }, (_, i) => (i * 37) % 256);
    await assertSamePredictions(ck, loadCheckpoint(ck), images, 20);
  });

  it('refuses configurations its layers would compute differently, naming the layer', () => {
    const { QuantConv2D, QuantDense } = registerBnnLayers(tf);
    const make = (config: Record<string, unknown>) => new (QuantDense as unknown as new (c: Record<string, unknown>) => unknown)({ name: 'qd', units: 3, ...config });
    assert.throws(() => make({ inputQuantizer: { className: 'DoReFaQuantizer', config: {} } }), /BNN layer 'qd': input quantizer 'DoReFaQuantizer' is not supported/);
    assert.throws(() => make({ activation: 'relu' }), /BNN layer 'qd': activation 'relu' is not supported/);
    assert.throws(() => make({ units: 0 }), /BNN layer 'qd': units must be a positive integer/);
    assert.throws(() => new (QuantConv2D as unknown as new (c: Record<string, unknown>) => unknown)({ name: 'qc', filters: 2, kernelSize: 3, padding: 'same', padValues: 0, inputQuantizer: 'steSign' }), /BNN layer 'qc': pad values 0 for a binarized input/);
    assert.ok(make({ inputQuantizer: { className: 'SteSign', config: { clipValue: 1 } }, kernelQuantizer: 'steSign' }));
  });

  it('registering twice is harmless (apps may call it on every page load)', () => {
    assert.doesNotThrow(() => registerBnnLayers(tf));
  });

  it('Keras export: model.json imports back to the same spec, and the weights manifest reads with numpy in Keras order', function () {
    const trained = oddModel();
    const out = path.join(tmp, 'keras');
    writeExport(out, exportFiles(trained, 'keras', { generatedBy: 'test' }));
    assert.deepEqual(fs.readdirSync(out).sort(), ['README.md', 'load_weights.py', 'model.json', 'weights.bin', 'weights.json']);
    const back = importKerasModel(fs.readFileSync(path.join(out, 'model.json'), 'utf8'), 'model.json');
    assert.deepEqual(back.problems, []);
    assert.deepEqual(back.spec, trained.spec);
    const manifest = JSON.parse(fs.readFileSync(path.join(out, 'weights.json'), 'utf8')) as KerasWeightsManifest;
    assert.deepEqual(manifest.weights.filter((w) => w.layer === 'b1').map((w) => w.name), ['b1/gamma', 'b1/beta', 'b1/moving_mean', 'b1/moving_variance']);
    assert.deepEqual(manifest.weights.find((w) => w.name === 'c1/kernel')?.shape, [3, 2, 2, 6]);
    const python = requireTool(this, 'python3', 'apt-get install python3');
    execFileSync(python, ['-m', 'py_compile', path.join(out, 'load_weights.py')]);
    let numpy = true;
    try { execFileSync(python, ['-c', 'import numpy']); } catch { numpy = false; }
    if (!numpy) return; // the manifest checks above still ran; numpy is optional on this machine
    const dump = execFileSync(python, ['-c', `
import sys, json; sys.path.insert(0, ${JSON.stringify(out)})
import load_weights
w = load_weights.read_weights(${JSON.stringify(out)})
print(json.dumps({k: [{"shape": list(a.shape), "sum": float(a.astype("float64").sum()), "first": float(a.reshape(-1)[0]), "last": float(a.reshape(-1)[-1])} for a in v] for k, v in w.items()}))
`], { encoding: 'utf8' });
    const got = JSON.parse(dump) as Record<string, Array<{ shape: number[]; sum: number; first: number; last: number }>>;
    assert.deepEqual(Object.keys(got), ['c1', 'b1', 'c2', 'b2', 'c3', 'd1']);
    const kinds = ['kernel', 'bias', 'gamma', 'beta', 'movingMean', 'movingVariance'] as const;
    for (const [layer, arrays] of Object.entries(got)) {
      const want = kinds.map((k) => trained.weights[layer][k]).filter((a): a is Float32Array => a !== undefined);
      assert.equal(arrays.length, want.length, layer);
      arrays.forEach((a, i) => {
        assert.equal(a.first, want[i][0], `${layer}[${i}] first`);
        assert.equal(a.last, want[i][want[i].length - 1], `${layer}[${i}] last`);
        assert.ok(Math.abs(a.sum - want[i].reduce((s, v) => s + v, 0)) < 1e-4, `${layer}[${i}] sum`);
      });
    }
  });

  it('bnn export writes both formats from an experiment folder, and explains bad arguments', () => {
    const exp = path.join(tmp, 'exps', 'run1');
    fs.mkdirSync(exp, { recursive: true });
    fs.writeFileSync(path.join(exp, 'config.json'), '{}');
    fs.writeFileSync(path.join(exp, 'status.json'), JSON.stringify({ state: 'completed', startedAt: '2026-11-26T14:00:00Z', updatedAt: '2026-11-26T14:01:00Z', epoch: 3, step: 30, lastCheckpoint: 'final' }));
    writeCheckpoint(exp, 'final', oddModel(), { epoch: 3, step: 30, createdAt: new Date().toISOString() }, undefined, 'test');
    const bnn = (...args: string[]) => spawnSync(process.execPath, [path.join(root, 'bin', 'bnn.js'), ...args], { cwd: tmp, encoding: 'utf8' });
    const tfjsOut = path.join(tmp, 'out-tfjs');
    let r = bnn('export', 'run1', '--dir', 'exps', '--format', 'tfjs', '--out', tfjsOut);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /odd \(epoch 3, step 30\) → .*out-tfjs: TensorFlow\.js layers model/);
    assert.equal(fs.readFileSync(path.join(tfjsOut, BNN_LAYERS_JS), 'utf8'), layersJs);
    r = bnn('export', exp, '--format', 'keras', '--out', path.join(tmp, 'out-keras'));
    assert.equal(r.status, 0, r.stderr);
    assert.ok(fs.existsSync(path.join(tmp, 'out-keras', 'weights.json')));
    r = bnn('export', exp, '--format', 'keras', '--out', path.join(tmp, 'out-keras'));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /out-keras is not empty \(use --force to overwrite\)/);
    r = bnn('export', exp, '--format', 'onnx', '--out', 'x');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--format must be tfjs or keras \(got 'onnx'\)/);
    r = bnn('export', 'nope', '--dir', 'exps', '--format', 'tfjs', '--out', 'x');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /no experiment 'nope'/);
    r = bnn('export', exp, '--checkpoint', 'best', '--format', 'tfjs', '--out', 'x');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /has no checkpoint 'best' \(no .*checkpoints\/best\)/);
  });

  it('bad inputs: no checkpoint yet, a non-empty target folder, a missing bundle', () => {
    const exp = path.join(tmp, 'exp');
    fs.mkdirSync(path.join(exp, 'checkpoints'), { recursive: true });
    fs.writeFileSync(path.join(exp, 'config.json'), '{}');
    assert.throws(() => loadExportSource(exp), (e: Error) => e instanceof ExportError && /has no checkpoint yet/.test(e.message));
    const out = path.join(tmp, 'full');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'mine.txt'), 'x');
    assert.throws(() => writeExport(out, { 'a.txt': 'a' }), /is not empty \(use --force/);
    assert.deepEqual(writeExport(out, { 'a.txt': 'a' }, true), ['a.txt']);
    assert.deepEqual(fs.readdirSync(out).sort(), ['a.txt', 'mine.txt']);
    assert.throws(() => exportFiles(oddModel(), 'tfjs', { generatedBy: 'test' }), /bnn-layers\.js bundle is missing/);
    assert.deepEqual(fs.readdirSync(tmp).filter((f) => f.includes('.tmp')), []);
  });
});
