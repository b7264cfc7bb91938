import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importKerasModel, specToKerasJson, specToDocument } from '../../src/core/interop/keras';
import { generateLarqProject, LarqExportError } from '../../src/core/interop/larqScript';
import { loadModelText } from '../../src/core/model/load';
import { TEMPLATES, templateText } from '../../src/core/model/templates';
import type { ModelSpec } from '../../src/core/model/spec';
import type { MetricsEvent } from '../../src/core/experiments/types';
import { requireTool } from '../support/tools';
import { probePython } from '../../src/core/interop/larqRunner';

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
