import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importKerasModel } from '../../src/core/interop/keras';
import { specToKerasJson, specToDocument } from '../../src/core/interop/kerasExport';
import { generateLarqProject, LarqExportError } from '../../src/core/interop/larqScript';
import { loadModelText } from '../../src/core/model/load';
import { TEMPLATES, templateText } from '../../src/core/model/templates';
import type { ModelSpec } from '../../src/core/model/spec';
import type { MetricsEvent } from '../../src/core/experiments/types';
import { requireTool } from '../support/tools';
import { probePython } from '../../src/core/interop/larqRunner';
import { loadCheckpoint, modelJson } from '../../src/core/train/checkpoint';
import { predict } from '../../src/core/train/predict';
import { inferShapes } from '../../src/core/deploy/plan';
import { loadExportSource } from '../../src/core/interop/exportModel';
import { tinyCnn } from '../support/models';
import { analyzeModelText } from '../../src/extension/analyzeModel';
import { summarize } from '../../src/core/estimate/summary';

const fixtures = join(__dirname, '..', 'fixtures');
const spec = (id: string): ModelSpec => loadModelText(templateText(TEMPLATES.find((t) => t.id === id)!), id).spec!;

describe('interop: Larq/Keras and TF.js models', () => {
  it('round-trips every template through Keras model JSON', () => {
    for (const t of TEMPLATES) {
      // Keras has no place for a description; everything else survives.
      const { description: _description, ...s } = spec(t.id);
      const r = importKerasModel(JSON.stringify(specToKerasJson(s)), `${t.id}.json`);
      assert.deepEqual(r.problems, [], t.id);
      assert.deepEqual(r.spec, s, t.id);
      // …and the document it converts to loads as the same spec.
      assert.deepEqual(loadModelText(JSON.stringify(specToDocument(r.spec!)), 'x.bnn.json').spec, s);
    }
  });

  it('imports a Larq model.to_json() (Keras 2) with quantizer configs and a softmax inside the last Dense', () => {
    const r = importKerasModel(readFileSync(join(fixtures, 'keras', 'larq-mnist-keras2.json'), 'utf8'), 'larq-mnist-keras2.json');
    assert.deepEqual(r.problems.filter((p) => p.severity === 'error'), []);
    assert.ok(r.spec);
    assert.deepEqual(r.spec.input.shape, [28, 28, 1]);
    assert.deepEqual(r.spec.layers.map((l) => l.type), ['QuantConv2D', 'MaxPool2D', 'BatchNormalization', 'QuantConv2D', 'MaxPool2D', 'BatchNormalization', 'Flatten', 'QuantDense', 'BatchNormalization', 'QuantDense', 'Activation']);
    const c1 = r.spec.layers[3];
    assert.ok(c1.type === 'QuantConv2D' && c1.inputQuantizer === 'ste_sign' && c1.kernelQuantizer === 'approx_sign');
    // pad_values 0 with a binarized 'same' input is flagged, not silently changed.
    assert.ok(r.problems.some((p) => p.severity === 'warning' && /pads its binarized input with 0/.test(p.message) && p.layerIndex === 4));
  });

  it('imports a TensorFlow.js layers model.json (modelTopology + weightsManifest)', () => {
    const r = importKerasModel(readFileSync(join(fixtures, 'keras', 'tfjs-mlp-model.json'), 'utf8'), 'model.json');
    assert.equal(r.format, 'tfjs-layers');
    assert.deepEqual(r.problems, []);
    assert.equal(r.spec?.classes, 10);
    assert.deepEqual(r.spec?.layers.map((l) => l.type), ['Flatten', 'QuantDense', 'BatchNormalization', 'QuantDense', 'BatchNormalization', 'Activation']);
  });

  it('names unsupported layers with their position instead of dropping them', () => {
    const doc = specToKerasJson(spec('binary-mlp')) as { config: { layers: unknown[] } };
    doc.config.layers.splice(3, 0, { class_name: 'DepthwiseConv2D', config: { name: 'dw' } }, { class_name: 'QuantDense', config: { name: 'q', units: 4, input_quantizer: { class_name: 'DoReFaQuantizer', config: {} } } });
    const r = importKerasModel(JSON.stringify(doc), 'bad.json');
    assert.equal(r.spec, undefined);
    const msgs = r.problems.map((p) => p.message).join('\n');
    assert.match(msgs, /layer 3 \(DepthwiseConv2D 'dw'\): is not a layer BNN Studio can train and compile/);
    assert.match(msgs, /layer 4 \(QuantDense 'q'\): input_quantizer "DoReFaQuantizer" is not supported/);
  });

  it('Models tree analysis: a Keras/TF.js file gets the same estimates, and its problems point at the Keras layer', () => {
    const text = readFileSync(join(fixtures, 'keras', 'larq-mnist-keras2.json'), 'utf8');
    const a = analyzeModelText(text, 'models/larq-mnist.keras.json');
    assert.ok(a.summary && a.load.spec);
    assert.deepEqual(a.summary.totals, summarize(importKerasModel(text, 'x').spec!).totals);
    const w = a.problems.find((p) => /pads its binarized input with 0/.test(p.message));
    assert.ok(w && w.severity === 'warning');
    // the range covers the Keras layer object the warning names (layer 4 of config.layers)
    const lines = text.split('\n');
    assert.match(lines[w.range.start.line].slice(w.range.start.character), /^\{/);
    const layerText = lines.slice(w.range.start.line, w.range.end.line + 1).join('\n');
    assert.match(layerText, /"pad_values": 0/);
    const bad = specToKerasJson(spec('binary-mlp')) as { config: { layers: unknown[] } };
    bad.config.layers.splice(2, 0, { class_name: 'LSTM', config: { name: 'lstm' } });
    const b = analyzeModelText(JSON.stringify(bad, null, 1), 'model.json');
    assert.equal(b.summary, undefined);
    assert.match(b.problems[0].message, /layer 2 \(LSTM 'lstm'\): is not a layer BNN Studio can train and compile/);
    assert.ok(b.problems[0].range.start.line > 0);
    // *.bnn.json files still go through the BNN loader
    assert.equal(analyzeModelText(JSON.stringify(bad), 'x.bnn.json').summary, undefined);
  });

  it('warns when a real-valued input is padded with non-zero values (Larq pad_values on the first layer)', () => {
    const doc = specToKerasJson(spec('binary-cnn')) as { config: { layers: Array<{ config: Record<string, unknown> }> } };
    const first = doc.config.layers[0].config;
    assert.equal(first.pad_values, 0);
    first.padding = 'same';
    first.pad_values = 1.0;
    const r = importKerasModel(JSON.stringify(doc), 'x.json');
    assert.ok(r.problems.some((p) => p.severity === 'warning' && p.layerIndex === 0 && /pads its real-valued input with 1/.test(p.message)));
  });

  it('rejects what is not a Keras model with a clear message', () => {
    assert.match(importKerasModel('{"a": 1}', 'x.json').problems[0].message, /not a Keras model JSON/);
    assert.match(importKerasModel('{', 'x.json').problems[0].message, /x\.json: not valid JSON/);
    const noShape = specToKerasJson(spec('binary-mlp')) as { config: { layers: unknown[] } };
    noShape.config.layers.shift();
    assert.match(importKerasModel(JSON.stringify(noShape), 'x.json').problems.map((p) => p.message).join(), /no fixed input shape/);
  });
});

describe('interop: Larq training script', () => {
  const opts = {
    spec: spec('binarynet-cifar10'),
    optimizer: { kind: 'bop' as const, preset: 'bop-paper-5.2', threshold: { kind: 'constant' as const, value: 1e-8 }, gamma: { kind: 'exponential' as const, initial: 1e-4, decayRate: 0.1, decaySteps: 100_000, staircase: true }, lr: { kind: 'constant' as const, value: 0.01 } },
    dataset: 'cifar10', epochs: 500, batchSize: 50, seed: 0, valSplit: 0.1, generator: 'BNN Studio (test)',
  };

  it('matches the golden script for BinaryNet on CIFAR-10 with the paper\'s §5.2 preset', () => {
    const files = generateLarqProject(opts);
    const golden = join(fixtures, 'golden', 'binarynet_cifar10.train.py');
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(golden, files['train.py']);
    assert.equal(files['train.py'], readFileSync(golden, 'utf8'));
    assert.match(files['train.py'], /lq\.optimizers\.Bop\(threshold=1e-8, gamma=tf\.keras\.optimizers\.schedules\.ExponentialDecay\(0\.0001, decay_steps=100000, decay_rate=0\.1, staircase=True\)\)/);
    assert.match(files['train.py'], /MirroredStrategy\(\) if len\(gpus\) > 1/);
    assert.match(files['train.py'], /lq\.layers\.QuantConv2D\(128, \(3, 3\), strides=\(1, 1\), padding="same", pad_values=1\.0, input_quantizer="ste_sign"/);
    assert.match(files['requirements.txt'], /larq/);
  });

  it('refuses Bop2ndOrder, which Larq does not have', () => {
    assert.throws(() => generateLarqProject({ ...opts, optimizer: { ...opts.optimizer, kind: 'bop2' } }), LarqExportError);
  });

  it('is valid Python, and its experiment writer produces metrics BNN Studio reads', function () {
    const python = requireTool(this, 'python3', 'apt-get install python3');
    const dir = mkdtempSync(join(tmpdir(), 'bnn-larq-'));
    for (const [name, text] of Object.entries(generateLarqProject({ ...opts, spec: spec('binary-cnn'), dataset: 'fashion-mnist' }))) writeFileSync(join(dir, name), text);
    execFileSync(python, ['-m', 'py_compile', join(dir, 'train.py')]);
    // The writer is the script's own code, run without TensorFlow (its imports live inside the functions that need them).
    execFileSync(python, ['-c', `
import sys; sys.path.insert(0, ${JSON.stringify(dir)})
import train
w = train.ExperimentWriter(${JSON.stringify(join(dir, 'exp'))}, "run1")
w.status("running", 0, 0, 100)
w.event({"kind": "step", "step": 10, "epoch": 0, "time": 5, "loss": 2.1, "accuracy": 0.2, "flipRatio": {"quant_conv2d_1": 0.001}, "gamma": 1e-4, "threshold": 1e-8, "lr": 0.01, "samplesPerSec": 1000.0})
w.event({"kind": "epoch", "step": 100, "epoch": 1, "time": 50, "loss": 1.1, "accuracy": 0.6, "valLoss": 1.0, "valAccuracy": 0.65})
w.status("completed", 1, 100, 100, final={"valAccuracy": 0.65})
`]);
    const lines = readFileSync(join(dir, 'exp', 'run1', 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as MetricsEvent);
    assert.equal(lines.length, 2);
    assert.equal(lines[0].kind, 'step');
    assert.deepEqual(lines[0].kind === 'step' && lines[0].flipRatio, { quant_conv2d_1: 0.001 });
    const status = JSON.parse(readFileSync(join(dir, 'exp', 'run1', 'status.json'), 'utf8'));
    assert.equal(status.state, 'completed');
    assert.ok(existsSync(join(dir, 'exp', 'run1', 'checkpoints')));
    assert.deepEqual(readdirSync(join(dir, 'exp', 'run1')).filter((f) => f.includes('.tmp')), []);
  });

  it('ends with a BNN Studio checkpoint (±1 kernels from sign(latent), sign(0) = +1) that the evaluator and exporter read', function () {
    this.timeout(30_000);
    const python = requireTool(this, 'python3', 'apt-get install python3');
    try { execFileSync(python, ['-c', 'import numpy']); } catch { this.skip(); } // the writer needs numpy, as Larq does
    const s = tinyCnn();
    const dir = mkdtempSync(join(tmpdir(), 'bnn-larq-ck-'));
    for (const [name, text] of Object.entries(generateLarqProject({ ...opts, optimizer: { ...opts.optimizer, kind: 'latent' }, spec: s, dataset: 'mnist' }))) writeFileSync(join(dir, name), text);
    // Keras-side weights as Larq's get_weights() has them: latent real kernels (one exact 0), BN in Keras order.
    const shapes = inferShapes(s);
    let inShape = s.input.shape;
    const layers: Record<string, Array<[string, number[], number[]]>> = {};
    s.layers.forEach((l, i) => {
      const cin = inShape[inShape.length - 1];
      const vals = (n: number, k: number) => Array.from({ length: n }, (_, j) => (j === 0 && k === 0 ? 0 : Math.sin(7 * j + 3 * k + i) * 0.6));
      if (l.type === 'QuantConv2D') layers[l.name] = [['kernel', [l.kernelSize[0], l.kernelSize[1], cin, l.filters], vals(l.kernelSize[0] * l.kernelSize[1] * cin * l.filters, 0)]];
      if (l.type === 'QuantDense') layers[l.name] = [['kernel', [inShape[0], l.units], vals(inShape[0] * l.units, 0)]];
      if (l.type === 'BatchNormalization') layers[l.name] = [['beta', [cin], vals(cin, 1)], ['moving_mean', [cin], vals(cin, 2)], ['moving_variance', [cin], vals(cin, 3).map((v) => 1 + v * v)]];
      inShape = shapes[i];
    });
    const printed = execFileSync(python, ['-c', `
import sys, json; sys.path.insert(0, ${JSON.stringify(dir)})
import numpy as np
import train
w = train.ExperimentWriter(${JSON.stringify(join(dir, 'exp'))}, "larq1")
layers = json.loads(${JSON.stringify(JSON.stringify(layers))})
arrays = {name: [(kind, np.array(v, dtype=np.float32).reshape(shape)) for kind, shape, v in ws] for name, ws in layers.items()}
train.write_checkpoint(w, arrays, 2, 40)
w.status("completed", 2, 40, 40, last_checkpoint="last")
try:
    train.write_checkpoint(w, {"bn1": [("gamma_prime", np.zeros(8))]}, 2, 40, name="bad")
except ValueError as e:
    print("refused:", e)
`], { encoding: 'utf8' });
    assert.match(printed, /refused: layer bn1 has weights gamma_prime that BNN Studio does not know/);
    const exp = join(dir, 'exp', 'larq1');
    assert.deepEqual(readdirSync(join(exp, 'checkpoints')), ['last']);
    const trained = loadCheckpoint(join(exp, 'checkpoints', 'last'));
    assert.deepEqual(trained.spec, s);
    assert.equal(trained.meta.step, 40);
    const latent = Float32Array.from(layers.conv1[0][2]);
    assert.equal(latent[0], 0);
    assert.deepEqual(Array.from(trained.weights.conv1.kernel!), Array.from(latent, (v) => (v >= 0 ? 1 : -1)));
    assert.deepEqual(trained.weights.bn2.movingMean, Float32Array.from(layers.bn2[1][2]));
    assert.equal(trained.weights.bn2.gamma, undefined);
    // Same topology and manifest as the built-in trainer writes for this model.
    const mj = JSON.parse(readFileSync(join(exp, 'checkpoints', 'last', 'model.json'), 'utf8'));
    const ours = modelJson(trained, { epoch: 2, step: 40, createdAt: '' }, 'x').json as { modelTopology: unknown; weightsManifest: unknown };
    assert.deepEqual(mj.modelTopology, ours.modelTopology);
    assert.deepEqual(mj.weightsManifest, ours.weightsManifest);
    // The exporter finds it through status.lastCheckpoint, and the reference forward pass runs on it.
    assert.deepEqual(loadExportSource(exp).weights.conv1.kernel, trained.weights.conv1.kernel);
    assert.equal(predict(trained, new Uint8Array(64 * 3).fill(200), 3).classes.length, 3);
  });
});

describe('interop: Train with Larq', () => {
  it('explains how to get Larq when the interpreter lacks it, and when there is no interpreter', async function () {
    const python = requireTool(this, 'python3', 'apt-get install python3');
    const r = await probePython(python);
    if (r.ok) { assert.ok(r.larq && r.tensorflow); return; }
    assert.match(r.message ?? '', /has no larq/);
    assert.match(r.message ?? '', /pip install larq/);
    const none = await probePython('/nonexistent/python3');
    assert.equal(none.ok, false);
    assert.match(none.message ?? '', /no Python interpreter at '\/nonexistent\/python3'/);
  });
});
