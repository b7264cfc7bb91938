/**
 * The Larq training project BNN Studio exports (train.py): checked by running it — its model builder, optimizer and
 * metrics callback against recording stand-ins for TensorFlow and Larq, its experiment writer and checkpoint writer
 * for real — and comparing what it builds and writes with numbers worked out here from the model, not with a copy of
 * an earlier output.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateLarqProject, LarqExportError } from '../../src/core/interop/larqScript';
import { loadModelText } from '../../src/core/model/load';
import { TEMPLATES, templateText } from '../../src/core/model/templates';
import type { ModelSpec } from '../../src/core/model/spec';
import type { MetricsEvent } from '../../src/core/experiments/types';
import { describeSkipped, readMetrics } from '../../src/core/experiments/metrics';
import { readStatusFile } from '../../src/core/experiments/files';
import { requirePythonModule, requireTool } from '../support/tools';
import { loadCheckpoint, modelJson } from '../../src/core/train/checkpoint';
import { predict } from '../../src/core/train/predict';
import { inferShapes } from '../../src/core/deploy/shapes';
import { loadExportSource } from '../../src/core/interop/exportModel';
import { tinyCnn, tinyMlp } from '../support/models';

const spec = (id: string): ModelSpec => loadModelText(templateText(TEMPLATES.find((t) => t.id === id)!), id).spec!;

/** A constructor call as test/support/larq_fake_tf.py records it. */
interface Call {
  call: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
}
const call = (name: string, args: unknown[], kwargs: Record<string, unknown>): Call => ({ call: name, args, kwargs });
/** A Larq QuantConv2D with BNN Studio's semantics: a binarized input is padded with +1, a real one with 0. */
const conv = (name: string, filters: number, kernel: number[], strides: number[], padding: string, binaryInput: boolean): Call =>
  call('lq.layers.QuantConv2D', [filters, kernel], {
    strides, padding, pad_values: binaryInput ? 1 : 0, input_quantizer: binaryInput ? 'ste_sign' : null, kernel_quantizer: 'ste_sign',
    kernel_constraint: 'weight_clip', use_bias: false, name,
  });
const bn = (name: string, momentum: number, epsilon: number): Call =>
  call('tf.keras.layers.BatchNormalization', [], { momentum, epsilon, center: true, scale: false, name });
/** The Keras class each builder call makes (what the topology's class_name must say). */
const KERAS_CLASS: Record<string, string> = {
  'lq.layers.QuantConv2D': 'QuantConv2D', 'lq.layers.QuantDense': 'QuantDense', 'tf.keras.layers.BatchNormalization': 'BatchNormalization',
  'tf.keras.layers.MaxPooling2D': 'MaxPooling2D', 'tf.keras.layers.Flatten': 'Flatten', 'tf.keras.layers.Activation': 'Activation',
};

/**
 * Writes the project to a temp folder and runs `code` after `import train`, with test/support/larq_fake_tf.py standing
 * in for TensorFlow and Larq (neither is installed here); `json`, `recorded` and `train` are in scope. Returns stdout.
 */
function runWithFakes(python: string, files: Record<string, string>, code: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'bnn-larq-run-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const prelude = `import sys, json; sys.path[:0] = [${JSON.stringify(dir)}, ${JSON.stringify(join(__dirname, '..', 'support'))}]
import larq_fake_tf; larq_fake_tf.install()
from larq_fake_tf import recorded
import train
`;
  return execFileSync(python, ['-c', prelude + code], { encoding: 'utf8', timeout: 15_000 });
}

describe('Larq training project (train.py)', () => {
  const opts = {
    spec: spec('binarynet-cifar10'),
    optimizer: { kind: 'bop' as const, preset: 'bop-paper-5.2', threshold: { kind: 'constant' as const, value: 1e-8 }, gamma: { kind: 'exponential' as const, initial: 1e-4, decayRate: 0.1, decaySteps: 100_000, staircase: true }, lr: { kind: 'constant' as const, value: 0.01 } },
    dataset: 'cifar10', epochs: 500, batchSize: 50, seed: 0, valSplit: 0.1, generator: 'BNN Studio (test)',
  };

  it('builds BinaryNet with the paper\'s layers and the §5.2 Bop preset when run (against recording stand-ins for TensorFlow and Larq)', function () {
    this.timeout(20_000);
    const python = requireTool(this, 'python3', 'apt-get install python3');
    const files = generateLarqProject(opts);
    const built = JSON.parse(runWithFakes(python, files, 'print(json.dumps({"model": recorded(train.build_model()), "optimizer": recorded(train.make_optimizer())}))')) as { model: Call; optimizer: Call };
    // BinaryNet (Courbariaux et al. 2016) as the Bop paper trains it: six 3×3 'same' convs 128-128-256-256-512-512,
    // a 2×2 max-pool after every second, BatchNorm without scale after each, then dense 1024-1024-10 and a softmax.
    // Only the first conv sees real-valued pixels: no input quantizer, and Larq pads it with 0 instead of +1.
    const names = opts.spec.layers.map((l) => l.name);
    const layers: Call[] = [];
    const next = (): string => names[layers.length];
    [128, 128, 256, 256, 512, 512].forEach((filters, i) => {
      layers.push(conv(next(), filters, [3, 3], [1, 1], 'same', i > 0));
      if (i % 2 === 1) layers.push(call('tf.keras.layers.MaxPooling2D', [], { pool_size: [2, 2], strides: [2, 2], padding: 'valid', name: next() }));
      layers.push(bn(next(), 0.99, 0.001));
    });
    layers.push(call('tf.keras.layers.Flatten', [], { name: next() }));
    for (const units of [1024, 1024, 10]) {
      layers.push(call('lq.layers.QuantDense', [units], { input_quantizer: 'ste_sign', kernel_quantizer: 'ste_sign', kernel_constraint: 'weight_clip', use_bias: false, name: next() }));
      layers.push(bn(next(), 0.99, 0.001));
    }
    layers.push(call('tf.keras.layers.Activation', ['softmax'], { name: next() }));
    assert.equal(layers.length, names.length, 'the template has the paper\'s layer count');
    assert.deepEqual(built.model, call('tf.keras.Sequential', [[call('tf.keras.Input', [], { shape: [32, 32, 3] }), ...layers]], { name: 'binarynet_cifar10' }));
    // Bop on the binary kernels (threshold 1e-8, gamma 1e-4 decayed ×0.1 every 100k steps), Adam at 0.01 on the rest.
    assert.deepEqual(built.optimizer, call('lq.optimizers.CaseOptimizer', [[
      { ref: 'lq.optimizers.Bop.is_binary_variable' },
      call('lq.optimizers.Bop', [], { threshold: 1e-8, gamma: call('tf.keras.optimizers.schedules.ExponentialDecay', [1e-4], { decay_steps: 100_000, decay_rate: 0.1, staircase: true }) }),
    ]], { default_optimizer: call('tf.keras.optimizers.Adam', [0.01], {}) }));
    assert.match(files['train.py'], /MirroredStrategy\(\) if len\(gpus\) > 1/);
    assert.match(files['requirements.txt'], /^larq\b/m);
  });

  it('builds the same layers it records in the checkpoint topology, and trains the latent baseline with Adam on a linear schedule', function () {
    this.timeout(20_000);
    const python = requireTool(this, 'python3', 'apt-get install python3');
    const s = tinyCnn();
    const files = generateLarqProject({ ...opts, spec: s, dataset: 'mnist', optimizer: { kind: 'latent', lr: { kind: 'linear', initial: 0.005, final: 0.0001, steps: 3000 } } });
    const out = JSON.parse(runWithFakes(python, files, 'print(json.dumps({"model": recorded(train.build_model()), "optimizer": recorded(train.make_optimizer()), "topology": train.TOPOLOGY}))')) as {
      model: Call; optimizer: Call; topology: { config: { layers: { class_name: string; config: Record<string, unknown> }[] } };
    };
    assert.deepEqual(out.optimizer, call('tf.keras.optimizers.Adam', [call('tf.keras.optimizers.schedules.PolynomialDecay', [0.005], { decay_steps: 3000, end_learning_rate: 0.0001, power: 1 })], {}));
    const [input, ...built] = out.model.args[0] as Call[];
    assert.deepEqual(input, call('tf.keras.Input', [], { shape: [8, 8, 1] }));
    // tinyCnn, read off test/support/models.ts: conv 8 3×3 'same' (real input), conv 8 3×3 stride 2 (binary input), pool,
    // dense 4 — with BatchNorm momentum 0.9 after each.
    assert.deepEqual(built.slice(0, 3), [conv('conv1', 8, [3, 3], [1, 1], 'same', false), bn('bn1', 0.9, 0.001), conv('conv2', 8, [3, 3], [2, 2], 'same', true)]);
    // The Keras topology the checkpoint carries describes the model the script trains, layer by layer.
    const topo = out.topology.config.layers;
    assert.equal(topo.length, built.length);
    built.forEach((b, i) => {
      const t = topo[i];
      const where = `layer ${i} (${b.kwargs.name})`;
      assert.equal(t.config.name, b.kwargs.name, where);
      assert.equal(t.class_name, KERAS_CLASS[b.call], where);
      if (t.class_name === 'QuantConv2D') {
        assert.deepEqual([t.config.filters, t.config.kernel_size, t.config.strides, t.config.padding, t.config.pad_values], [b.args[0], b.args[1], b.kwargs.strides, b.kwargs.padding, b.kwargs.pad_values], where);
      }
      if (t.class_name === 'QuantDense') assert.equal(t.config.units, b.args[0], where);
      if (t.class_name === 'BatchNormalization') assert.deepEqual([t.config.momentum, t.config.epsilon, t.config.center, t.config.scale], [b.kwargs.momentum, b.kwargs.epsilon, b.kwargs.center, b.kwargs.scale], where);
      if (t.class_name === 'MaxPooling2D') assert.deepEqual([t.config.pool_size, t.config.strides, t.config.padding], [b.kwargs.pool_size, b.kwargs.strides, b.kwargs.padding], where);
    });
  });

  it('its metrics callback logs flip ratios, losses and hyperparameters that BNN Studio\'s metrics reader reads back', async function () {
    this.timeout(20_000);
    const python = requirePythonModule(this, requireTool(this, 'python3', 'apt-get install python3'), 'numpy', 'apt-get install python3-numpy');
    const s = tinyMlp(); // binary layers dense1 and dense2
    const files = generateLarqProject({ ...opts, spec: s, dataset: 'mnist', logEvery: 2 });
    const exp = mkdtempSync(join(tmpdir(), 'bnn-larq-cb-'));
    // Kernels start at +0.5. What each batch changes, by batch number (1-based); steps 2, 4 and 6 are logged.
    // Batch 2: three of dense1's ten weights turn negative (0.3); one of dense2's drops to exactly 0 — sign(0) = +1,
    // so no flip. Batch 3 (not logged) flips one more. Batch 4: that exact 0 and four more of dense2's twenty turn
    // negative (0.25); one of dense1's negatives goes to 0, a flip back to +1 (0.1). Batch 6: nothing changes.
    const changes: Record<number, [string, number, number][]> = {
      2: [['dense1', 0, -0.5], ['dense1', 1, -0.5], ['dense1', 2, -0.5], ['dense2', 0, 0]],
      3: [['dense1', 5, -0.5]],
      4: [['dense2', 0, -1], ['dense2', 1, -1], ['dense2', 2, -1], ['dense2', 3, -1], ['dense2', 4, -1], ['dense1', 0, 0]],
    };
    runWithFakes(python, files, `
import numpy as np
from types import SimpleNamespace as NS
kernels = {"dense1": np.full(10, 0.5, dtype=np.float32), "dense2": np.full(20, 0.5, dtype=np.float32)}
changes = json.loads(${JSON.stringify(JSON.stringify(changes))})
model = NS(get_layer=lambda name: NS(kernel=NS(numpy=lambda: kernels[name].copy())),
           optimizer=NS(optimizers=[NS(gamma=1e-4, threshold=1e-8)], default_optimizer=NS(learning_rate=0.01)))
w = train.ExperimentWriter(${JSON.stringify(exp)}, "cb1")
cb = train.make_callback(w, 3, 6, 32, 2)
cb.set_model(model)
cb.on_train_begin()
k = 0
for epoch in range(2):
    cb.on_epoch_begin(epoch)
    for batch in range(3):
        k += 1
        cb.on_train_batch_begin(batch)
        for name, i, v in changes.get(str(k), []):
            kernels[name][i] = v
        cb.on_train_batch_end(batch, {"loss": 2.0 - 0.1 * k, "accuracy": 0.1 * k})
    cb.on_epoch_end(epoch, {"loss": 1.5 - 0.5 * epoch, "accuracy": 0.5 + 0.1 * epoch, "val_loss": 1.6 - 0.5 * epoch, "val_accuracy": 0.45 + 0.1 * epoch})
`);
    const parsed = await readMetrics(join(exp, 'cb1'));
    assert.equal(parsed.skipped, 0, describeSkipped(parsed));
    const steps = parsed.events.filter((e) => e.kind === 'step');
    const epochs = parsed.events.filter((e) => e.kind === 'epoch');
    assert.deepEqual(parsed.events.map((e) => `${e.kind}@${e.step}`), ['step@2', 'epoch@3', 'step@4', 'step@6', 'epoch@6']);
    assert.deepEqual(steps.map((e) => e.kind === 'step' && e.flipRatio), [{ dense1: 0.3, dense2: 0 }, { dense1: 0.1, dense2: 0.25 }, { dense1: 0, dense2: 0 }]);
    assert.deepEqual(steps.map((e) => e.epoch), [0, 1, 1]);
    steps.forEach((e, i) => {
      const k = 2 * (i + 1);
      assert.ok(e.kind === 'step');
      assert.ok(Math.abs(e.loss - (2 - 0.1 * k)) < 1e-12 && Math.abs(e.accuracy - 0.1 * k) < 1e-12, `step ${k}: loss ${e.loss}, accuracy ${e.accuracy}`);
      assert.deepEqual([e.gamma, e.threshold, e.lr], [1e-4, 1e-8, 0.01]);
      assert.ok(e.samplesPerSec > 0);
    });
    assert.deepEqual(epochs.map((e) => e.epoch), [1, 2]);
    assert.deepEqual(epochs.map((e) => e.kind === 'epoch' && [e.valLoss, e.valAccuracy]), [[1.6, 0.45], [1.1, 0.55]]);
    const st = readStatusFile(join(exp, 'cb1'));
    assert.ok(st, 'status.json passes the status rule');
    assert.deepEqual([st.state, st.epoch, st.step, st.totalSteps], ['running', 2, 6, 6]);
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
    requirePythonModule(this, python, 'numpy', 'apt-get install python3-numpy'); // the writer needs numpy, as Larq does
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
  describe('a graph model', () => {
    // A residual block, a PReLU on the image and one on the vector, a Concatenate of two poolings, and a dead layer.
    const residual = (): ModelSpec => loadModelText(JSON.stringify({
      name: 'residual', input: { shape: [8, 8, 1] }, classes: 4, outputs: ['head'],
      layers: [
        { type: 'QuantConv2D', name: 'stem', filters: 8, kernelSize: 3, padding: 'same', kernelQuantizer: 'ste_sign', useBias: false },
        { type: 'BatchNormalization', name: 'bn0', scale: false },
        { type: 'QuantConv2D', name: 'bin', filters: 8, kernelSize: 3, padding: 'same', inputQuantizer: 'ste_sign', kernelQuantizer: 'ste_sign', useBias: false },
        { type: 'BatchNormalization', name: 'bn1', scale: false },
        { type: 'Add', name: 'add', inputs: ['bn1', 'bn0'] },
        { type: 'PReLU', name: 'act', alphaInitializer: 0.25 },
        { type: 'AveragePooling2D', name: 'avg', poolSize: 2 },
        { type: 'MaxPool2D', name: 'mp', poolSize: 2, inputs: ['act'] },
        { type: 'Concatenate', name: 'cat', inputs: ['avg', 'mp'] },
        { type: 'GlobalAveragePooling2D', name: 'gap' },
        { type: 'PReLU', name: 'vact' },
        { type: 'QuantDense', name: 'head', units: 4 },
        { type: 'QuantDense', name: 'probe', units: 4, inputs: ['gap'] },
      ],
    }), 'residual.bnn.json').spec!;

    it('is built with the Keras functional API, each layer applied to the tensors it reads', function () {
      this.timeout(20_000);
      const python = requireTool(this, 'python3', 'apt-get install python3');
      const s = residual();
      assert.ok(s);
      const files = generateLarqProject({ ...opts, spec: s, dataset: 'mnist' });
      const out = JSON.parse(runWithFakes(python, files, 'print(json.dumps({"model": recorded(train.build_model()), "topology": train.TOPOLOGY}))')) as {
        model: Call; topology: { class_name: string; config: { layers: Array<{ name: string; inbound_nodes: unknown[][][] }> } };
      };
      type Applied = { apply: Call; to: unknown };
      const apply = (layer: Call, to: unknown): Applied => ({ apply: layer, to });
      const input = call('tf.keras.Input', [], { shape: [8, 8, 1] });
      const prelu = (name: string, alpha: number, shared: number[] | null): Call => call('tf.keras.layers.PReLU', [], { alpha_initializer: call('tf.keras.initializers.Constant', [alpha], {}), shared_axes: shared, name });
      const pool = (cls: string, name: string): Call => call(`tf.keras.layers.${cls}`, [], { pool_size: [2, 2], strides: [2, 2], padding: 'valid', name });
      const b0 = apply(bn('bn0', 0.99, 0.001), apply(conv('stem', 8, [3, 3], [1, 1], 'same', false), input));
      const b1 = apply(bn('bn1', 0.99, 0.001), apply(conv('bin', 8, [3, 3], [1, 1], 'same', true), b0));
      const act = apply(prelu('act', 0.25, [1, 2]), apply(call('tf.keras.layers.Add', [], { name: 'add' }), [b1, b0]));
      const cat = apply(call('tf.keras.layers.Concatenate', [], { axis: -1, name: 'cat' }), [apply(pool('AveragePooling2D', 'avg'), act), apply(pool('MaxPooling2D', 'mp'), act)]);
      const gap = apply(call('tf.keras.layers.GlobalAveragePooling2D', [], { name: 'gap' }), cat);
      const head = apply(call('lq.layers.QuantDense', [4], { input_quantizer: null, kernel_quantizer: null, kernel_constraint: null, use_bias: true, name: 'head' }), apply(prelu('vact', 0, null), gap));
      // 'probe' does not reach the output: not built, as BNN Studio does not train it
      assert.deepEqual(out.model, call('tf.keras.Model', [], { inputs: input, outputs: head, name: 'residual' }));
      // the checkpoint's topology is the same graph
      assert.equal(out.topology.class_name, 'Functional');
      const reads = Object.fromEntries(out.topology.config.layers.map((l) => [l.name, (l.inbound_nodes[0] ?? []).map((n) => n[0])]));
      assert.deepEqual(reads, { input: [], stem: ['input'], bn0: ['stem'], bin: ['bn0'], bn1: ['bin'], add: ['bn1', 'bn0'], act: ['add'], avg: ['act'], mp: ['act'], cat: ['avg', 'mp'], gap: ['cat'], vact: ['gap'], head: ['vact'] });
    });

    it('writes PReLU alphas into the checkpoint, and skips the layers the functional model leaves out', function () {
      this.timeout(30_000);
      const python = requireTool(this, 'python3', 'apt-get install python3');
      requirePythonModule(this, python, 'numpy', 'apt-get install python3-numpy');
      const s = residual();
      const dir = mkdtempSync(join(tmpdir(), 'bnn-larq-graph-'));
      for (const [name, text] of Object.entries(generateLarqProject({ ...opts, spec: s, dataset: 'mnist' }))) writeFileSync(join(dir, name), text);
      // Keras' PReLU on an image with shared_axes=[1, 2] keeps alpha as [1, 1, C]
      const alpha = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8];
      const printed = execFileSync(python, ['-c', `
import sys, json; sys.path.insert(0, ${JSON.stringify(dir)})
import numpy as np
import train
class W:
    def __init__(self, name, a):
        self.name, self.a = name, a
    def numpy(self):
        return self.a
class L:
    def __init__(self, name, weights):
        self.name, self.weights = name, weights
class M:
    layers = [L("act", [W("act/alpha:0", np.array(${JSON.stringify(alpha)}, dtype=np.float32).reshape(1, 1, 8))]), L("head", [])]
    def get_layer(self, name):
        return next(l for l in self.layers if l.name == name)
weights = train.keras_layer_weights(M())
train.write_checkpoint(train.ExperimentWriter(${JSON.stringify(join(dir, 'exp'))}, "g1"), weights, 1, 5)
print(json.dumps({k: [(kind, a.tolist()) for kind, a in v] for k, v in weights.items()}))
`], { encoding: 'utf8' });
      const f32 = Array.from(Float32Array.from(alpha));
      // only the layers the model has ('stem', 'probe', … are absent from this stand-in and are skipped, not an error)
      assert.deepEqual(JSON.parse(printed), { act: [['alpha', [[f32]]]], head: [] });
      const ck = join(dir, 'exp', 'g1', 'checkpoints', 'last');
      const manifest = (JSON.parse(readFileSync(join(ck, 'model.json'), 'utf8')) as { weightsManifest: Array<{ weights: unknown[] }> }).weightsManifest[0].weights;
      assert.deepEqual(manifest, [{ name: 'act/alpha', shape: [1, 1, 8], dtype: 'float32' }]);
      const bin = readFileSync(join(ck, 'weights.bin'));
      assert.deepEqual(Array.from(new Float32Array(bin.buffer, bin.byteOffset, bin.length / 4)), f32);
    });
  });
});
