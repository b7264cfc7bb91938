/**
 * Import and export of graph models as Keras functional models: the Bi-Real-Net-style Larq fixture (Keras 2) and a
 * DenseNet-style Keras 3 fixture (scripts/make-functional-fixtures.py writes both as model.to_json() does), the
 * errors a functional model can have, and specToKerasJson's functional documents read back.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importKerasModel } from '../../src/core/interop/keras';
import { specToKerasJson } from '../../src/core/interop/kerasExport';
import { describeImport } from '../../src/core/interop/importReport';
import { loadModelText } from '../../src/core/model/load';
import type { ModelSpec } from '../../src/core/model/spec';
import { INPUT_SOURCE, modelGraph } from '../../src/core/model/graph';
import { analyzeModelText } from '../../src/extension/analyzeModel';
import { summarize } from '../../src/core/estimate/summary';

const fixture = (name: string): string => readFileSync(join(__dirname, '..', 'fixtures', 'keras', name), 'utf8');
type Obj = Record<string, unknown>;
type KerasDoc = { class_name: string; config: { layers: Obj[]; input_layers: unknown; output_layers: unknown } };

/** [type, name, inputs] per layer, the inputs as the file names them (absent: the layer before). */
const wiring = (s: ModelSpec): Array<[string, string, string[] | undefined]> => s.layers.map((l) => [l.type, l.name, l.inputs]);

const errors = (r: ReturnType<typeof importKerasModel>): string => r.problems.filter((p) => p.severity === 'error').map((p) => p.message).join('\n');

/** A Keras 2 functional layer entry. */
const kl = (cls: string, name: string, inbound: string[][], config: Obj = {}): Obj => ({
  class_name: cls, name, config: { name, ...config }, inbound_nodes: inbound.map((node) => node.map((n) => [n, 0, 0, {}])),
});
const input = (shape: number[]): Obj => ({ class_name: 'InputLayer', name: 'input_1', config: { name: 'input_1', batch_input_shape: [null, ...shape] }, inbound_nodes: [] });
const functional = (layers: Obj[], output: string, inputs: unknown = [['input_1', 0, 0]]): string =>
  JSON.stringify({ class_name: 'Functional', config: { name: 'm', layers, input_layers: inputs, output_layers: [[output, 0, 0]] } });
const conv = (name: string, src: string, filters: number, extra: Obj = {}): Obj => kl('Conv2D', name, [[src]], { filters, kernel_size: [3, 3], padding: 'same', use_bias: false, ...extra });
const bn = (name: string, src: string): Obj => kl('BatchNormalization', name, [[src]], { axis: -1 });
const head = (src: string): Obj[] => [kl('GlobalAveragePooling2D', 'gap', [[src]]), kl('Dense', 'dense', [['gap']], { units: 10, activation: 'softmax' })];

describe('interop: Keras functional models (graph import and export)', () => {
  it('imports the Bi-Real-Net-style Larq model: shortcuts become inputs, MagnitudeAwareSign folds into the BatchNormalization after it', () => {
    const r = importKerasModel(fixture('birealnet-functional-keras2.json'), 'birealnet.json');
    assert.equal(errors(r), '');
    assert.ok(r.spec && r.text);
    assert.deepEqual(r.spec.input.shape, [32, 32, 3]);
    assert.equal(r.spec.classes, 10);
    // Larq zoo's block: the binary conv reads the block input, its BatchNormalization is added to the shortcut; the
    // downsampling shortcut is AvgPool2D → 1×1 Conv2D → BatchNormalization. Keras lists the shortcut's 1×1 conv before
    // the block's binary conv (by depth), so the binary conv names its input.
    assert.deepEqual(wiring(r.spec), [
      ['QuantConv2D', 'conv2d', undefined],
      ['BatchNormalization', 'batch_normalization', undefined],
      ['MaxPool2D', 'max_pooling2d', undefined],
      ['QuantConv2D', 'quant_conv2d', undefined],
      ['BatchNormalization', 'batch_normalization_1', undefined],
      ['Add', 'add', ['batch_normalization_1', 'max_pooling2d']],
      ['QuantConv2D', 'quant_conv2d_1', undefined],
      ['BatchNormalization', 'batch_normalization_2', undefined],
      ['Add', 'add_1', ['batch_normalization_2', 'add']],
      ['AveragePooling2D', 'average_pooling2d', undefined],
      ['QuantConv2D', 'conv2d_1', undefined],
      ['QuantConv2D', 'quant_conv2d_2', ['add_1']],
      ['BatchNormalization', 'batch_normalization_3', ['conv2d_1']],
      ['BatchNormalization', 'batch_normalization_4', ['quant_conv2d_2']],
      ['Add', 'add_2', ['batch_normalization_4', 'batch_normalization_3']],
      ['QuantConv2D', 'quant_conv2d_3', undefined],
      ['BatchNormalization', 'batch_normalization_5', undefined],
      ['Add', 'add_3', ['batch_normalization_5', 'add_2']],
      ['GlobalAveragePooling2D', 'global_average_pooling2d', undefined],
      ['QuantDense', 'dense', undefined],
      ['Activation', 'dense_softmax', undefined],
    ]);
    const binary = r.spec.layers.filter((l) => l.type === 'QuantConv2D' && l.kernelQuantizer !== null);
    assert.equal(binary.length, 4);
    for (const l of binary) assert.ok(l.type === 'QuantConv2D' && l.inputQuantizer === 'approx_sign' && l.kernelQuantizer === 'ste_sign');
    const pool = r.spec.layers[9];
    assert.ok(pool.type === 'AveragePooling2D' && pool.padding === 'same' && pool.poolSize.join() === '2,2' && pool.strides.join() === '2,2');
    // one note per binary conv, naming the BatchNormalization that takes the scale
    assert.equal(r.notes.length, 4);
    for (const [conv, norm] of [['quant_conv2d', 'batch_normalization_1'], ['quant_conv2d_2', 'batch_normalization_4']]) {
      assert.ok(r.notes.some((n) => n.includes(`'${conv}'`) && n.includes('MagnitudeAwareSign') && n.includes(`BatchNormalization '${norm}'`)), `${conv} → ${norm}`);
    }
    // the import report carries them
    assert.deepEqual(describeImport(r, undefined, 'train it').notes, r.notes);
    // Larq zoo leaves pad_values at 0: said once per binary 'same' conv, at its place in the source
    const pads = r.problems.filter((p) => /pads its binarized input with 0/.test(p.message));
    assert.deepEqual(pads.map((p) => p.layerName), ['quant_conv2d', 'quant_conv2d_1', 'quant_conv2d_2', 'quant_conv2d_3']);
    // what import writes is a model file the loader accepts as the same spec
    assert.deepEqual(loadModelText(r.text, 'birealnet18.bnn.json').spec, r.spec);
  });

  it('the Models view estimates a functional Keras file as the model it imports to, its problems at the Keras layer', () => {
    const text = fixture('birealnet-functional-keras2.json');
    const a = analyzeModelText(text, 'models/birealnet.keras.json');
    assert.ok(a.summary, a.problems.map((p) => p.message).join('; '));
    assert.deepEqual(a.summary.totals, summarize(importKerasModel(text, 'x').spec!).totals);
    // the pad warning of quant_conv2d_2 (Keras layer 12) points at that layer's object in config.layers
    const w = a.problems.find((p) => p.message.includes("'quant_conv2d_2'") && /pads its binarized input with 0/.test(p.message));
    assert.ok(w);
    const lines = text.split('\n');
    assert.match(lines.slice(w.range.start.line, w.range.end.line + 1).join('\n'), /"name": "quant_conv2d_2"[\s\S]*"pad_values": 0/);
  });

  it('imports a Keras 3 functional model with Concatenate, PReLU, ReLU, AveragePooling2D and a relu inside a Dense', () => {
    const r = importKerasModel(fixture('densenet-prelu-keras3.json'), 'densenet.json');
    assert.deepEqual(r.problems, []);
    assert.ok(r.spec);
    assert.deepEqual(r.spec.input.shape, [28, 28, 1]);
    assert.deepEqual(wiring(r.spec).filter(([, , inputs]) => inputs), [
      ['Concatenate', 'concatenate', ['re_lu', 'p_re_lu']],
      ['Concatenate', 'concatenate_1', ['concatenate', 'p_re_lu_1']],
    ]);
    const byName = new Map(r.spec.layers.map((l) => [l.name, l]));
    assert.deepEqual(byName.get('re_lu'), { type: 'Activation', name: 're_lu', activation: 'relu' });
    assert.deepEqual(byName.get('p_re_lu'), { type: 'PReLU', name: 'p_re_lu', alphaInitializer: 0.25 });
    assert.deepEqual(byName.get('dense_relu'), { type: 'Activation', name: 'dense_relu', activation: 'relu' });
    const avg = byName.get('average_pooling2d');
    assert.ok(avg?.type === 'AveragePooling2D' && avg.padding === 'valid');
    assert.deepEqual(r.spec.layers.slice(-4).map((l) => l.type), ['QuantDense', 'Activation', 'QuantDense', 'Activation']);
    assert.deepEqual(r.notes, []);
  });

  it('reads the same graph from a TensorFlow.js layers model.json (modelTopology)', () => {
    const keras = importKerasModel(fixture('birealnet-functional-keras2.json'), 'birealnet.json');
    const tfjs = importKerasModel(JSON.stringify({ format: 'layers-model', modelTopology: JSON.parse(fixture('birealnet-functional-keras2.json')), weightsManifest: [] }), 'model.json');
    assert.equal(tfjs.format, 'tfjs-layers');
    assert.equal(errors(tfjs), '');
    assert.deepEqual(tfjs.spec, keras.spec);
    assert.deepEqual(tfjs.notes, keras.notes);
  });

  it('converts in dependency order whatever order the layers are listed in', () => {
    const doc = JSON.parse(fixture('birealnet-functional-keras2.json')) as KerasDoc;
    const listed = importKerasModel(JSON.stringify(doc), 'a.json').spec!;
    doc.config.layers.reverse();
    const reversed = importKerasModel(JSON.stringify(doc), 'b.json');
    assert.equal(errors(reversed), '');
    // the same layers reading the same layers (independent branches may come in another order)
    const reads = (s: ModelSpec): Map<string, unknown> => {
      const g = modelGraph(s);
      return new Map(s.layers.map((l, i) => [l.name, { ...l, inputs: g.inputs[i].map((j) => (j === INPUT_SOURCE ? 'input' : s.layers[j].name)) }]));
    };
    assert.deepEqual(reads(reversed.spec!), reads(listed));
    assert.equal(reversed.spec!.layers.at(-1)?.name, 'dense_softmax');
  });

  it('a Dropout in a functional model is left out, its readers reading what it read', () => {
    const layers = [input([8, 8, 1]), conv('c', 'input_1', 4), bn('b', 'c'), kl('Dropout', 'drop', [['b']], { rate: 0.2 }), conv('c2', 'drop', 4), bn('b2', 'c2'), kl('Add', 'add', [['b2', 'drop']]), ...head('add')];
    const r = importKerasModel(functional(layers, 'dense'), 'd.json');
    assert.equal(errors(r), '');
    assert.deepEqual(wiring(r.spec!), [
      ['QuantConv2D', 'c', undefined], ['BatchNormalization', 'b', undefined], ['QuantConv2D', 'c2', undefined], ['BatchNormalization', 'b2', undefined],
      ['Add', 'add', ['b2', 'b']], ['GlobalAveragePooling2D', 'gap', undefined], ['QuantDense', 'dense', undefined], ['Activation', 'dense_softmax', undefined],
    ]);
    assert.ok(r.problems.some((p) => p.severity === 'warning' && p.layerName === 'drop' && /Dropout only acts while training/.test(p.message)));
  });

  it('takes the class count from the output when the output is not the last layer listed', () => {
    const layers = [input([8, 8, 1]), conv('c', 'input_1', 4), kl('GlobalAveragePooling2D', 'gap', [['c']]), kl('Dense', 'logits', [['gap']], { units: 10 }), kl('Dense', 'aux', [['gap']], { units: 3 })];
    const r = importKerasModel(functional(layers, 'logits'), 'o.json');
    assert.equal(errors(r), '');
    assert.equal(r.spec?.classes, 10);
    assert.deepEqual(r.spec?.outputs, ['logits']);
    // 'aux' is not part of the output: kept in the file, with the loader's warning that nothing depends on it
    assert.ok(r.problems.some((p) => p.severity === 'warning' && p.layerName === 'aux'));
  });

  it('names what a functional model has that BNN Studio cannot run, with its position', () => {
    const shared = [input([8, 8, 1]), conv('c', 'input_1', 4), { ...conv('c2', 'c', 4), inbound_nodes: [[['c', 0, 0, {}]], [['c', 0, 0, {}]]] }, ...head('c2')];
    assert.match(errors(importKerasModel(functional(shared, 'dense'), 's.json')), /layer 2 \(Conv2D 'c2'\): is called 2 times \(a shared layer\)/);

    const lambda = [input([8, 8, 1]), conv('c', 'input_1', 4), kl('TFOpLambda', 'tf.math.multiply', [['c']], { function: 'math.multiply' }), ...head('tf.math.multiply')];
    assert.match(errors(importKerasModel(functional(lambda, 'dense'), 'l.json')), /layer 2 \(TFOpLambda 'tf\.math\.multiply'\): is not a layer BNN Studio can train and compile/);

    const depthwise = [input([8, 8, 1]), conv('c', 'input_1', 4), kl('QuantDepthwiseConv2D', 'dw', [['c']], { kernel_size: [3, 3] }), ...head('dw')];
    assert.match(errors(importKerasModel(functional(depthwise, 'dense'), 'd.json')), /layer 2 \(QuantDepthwiseConv2D 'dw'\): is not a layer BNN Studio can train and compile/);

    const unknown = [input([8, 8, 1]), conv('c', 'input_1', 4), kl('Add', 'add', [['c', 'nowhere']]), ...head('add')];
    assert.match(errors(importKerasModel(functional(unknown, 'dense'), 'u.json')), /layer 2 \(Add 'add'\): reads 'nowhere', which is no layer of the model/);

    const twoOut = JSON.parse(functional([input([8, 8, 1]), conv('c', 'input_1', 4), ...head('c')], 'dense')) as KerasDoc;
    twoOut.config.output_layers = [['dense', 0, 0], ['c', 0, 0]];
    assert.match(errors(importKerasModel(JSON.stringify(twoOut), 'o.json')), /the model has 2 outputs \('dense', 'c'\)/);

    const twoIn = [input([8, 8, 1]), { ...input([8, 8, 1]), name: 'input_2', config: { name: 'input_2', batch_input_shape: [null, 8, 8, 1] } }, kl('Add', 'add', [['input_1', 'input_2']]), ...head('add')];
    assert.match(errors(importKerasModel(functional(twoIn, 'dense', [['input_1', 0, 0], ['input_2', 0, 0]]), 'i.json')), /the model has 2 inputs \('input_1', 'input_2'\); BNN Studio models have one input/);

    const cycle = [input([8, 8, 1]), conv('a', 'b', 4), conv('b', 'a', 4), ...head('b')];
    assert.match(errors(importKerasModel(functional(cycle, 'dense'), 'c.json')), /the layers 'a', 'b', 'gap', 'dense' cannot be ordered: they read each other in a cycle/);
  });

  it('refuses layer settings BNN Studio cannot honour, at the layer', () => {
    const prelu = [input([8, 8, 1]), conv('c', 'input_1', 4), kl('PReLU', 'p', [['c']], { shared_axes: null }), ...head('p')];
    assert.match(errors(importKerasModel(functional(prelu, 'dense'), 'p.json')), /layer 2 \(PReLU 'p'\): shared_axes null on a \[H, W, C\] input is not one alpha per channel.*shared_axes=\[1, 2\]/);
    // on a vector an unshared alpha is one per feature: accepted
    const vector = [input([8, 8, 1]), conv('c', 'input_1', 4), kl('GlobalAveragePooling2D', 'gap', [['c']]), kl('PReLU', 'p', [['gap']], { shared_axes: null }), kl('Dense', 'dense', [['p']], { units: 10 })];
    const ok = importKerasModel(functional(vector, 'dense'), 'v.json');
    assert.equal(errors(ok), '');
    assert.deepEqual(ok.spec?.layers[2], { type: 'PReLU', name: 'p', alphaInitializer: 0 });

    const concat = [input([8, 8, 1]), conv('a', 'input_1', 4), conv('b', 'input_1', 4, { padding: 'same' }), kl('Concatenate', 'cat', [['a', 'b']], { axis: 1 }), ...head('cat')];
    assert.match(errors(importKerasModel(functional(concat, 'dense'), 'c.json')), /layer 3 \(Concatenate 'cat'\): joins along axis 1; BNN Studio joins along the channel axis \(-1, here 3\)/);
    // axis 3 of an [H, W, C] input is the channel axis
    const three = JSON.parse(functional(concat, 'dense')) as KerasDoc;
    (three.config.layers[3].config as Obj).axis = 3;
    assert.equal(errors(importKerasModel(JSON.stringify(three), 'c3.json')), '');

    const relu6 = [input([8, 8, 1]), conv('c', 'input_1', 4), kl('ReLU', 'r', [['c']], { max_value: 6 }), ...head('r')];
    assert.match(errors(importKerasModel(functional(relu6, 'dense'), 'r.json')), /layer 2 \(ReLU 'r'\): ReLU\(max_value=6, .*\) is not supported/);

    const keep = [input([8, 8, 1]), conv('c', 'input_1', 4), kl('GlobalAveragePooling2D', 'gap', [['c']], { keepdims: true }), kl('Flatten', 'f', [['gap']]), kl('Dense', 'dense', [['f']], { units: 10 })];
    assert.match(errors(importKerasModel(functional(keep, 'dense'), 'k.json')), /layer 2 \(GlobalAveragePooling2D 'gap'\): keepdims=True/);
  });

  it('refuses MagnitudeAwareSign where no BatchNormalization alone reads the layer', () => {
    const mas = { input_quantizer: 'ste_sign', kernel_quantizer: { class_name: 'MagnitudeAwareSign', config: { clip_value: 1 } }, pad_values: 1 };
    const layers = [input([8, 8, 1]), conv('c', 'input_1', 4), bn('b', 'c'), { ...conv('q', 'b', 4, mas), class_name: 'QuantConv2D' }, kl('Add', 'add', [['q', 'b']]), ...head('add')];
    const r = importKerasModel(functional(layers, 'dense'), 'm.json');
    assert.match(errors(r), /layer 3 \(QuantConv2D 'q'\): kernel_quantizer MagnitudeAwareSign scales each output channel by its mean \|w\|.*none does here/);
    assert.equal(r.spec, undefined);
    // through a MaxPool2D it folds (a positive scale commutes with max)
    const pooled = [input([8, 8, 1]), conv('c', 'input_1', 4), bn('b', 'c'), { ...conv('q', 'b', 4, mas), class_name: 'QuantConv2D' }, kl('MaxPooling2D', 'mp', [['q']], { pool_size: [2, 2] }), bn('b2', 'mp'), ...head('b2')];
    const ok = importKerasModel(functional(pooled, 'dense'), 'p.json');
    assert.equal(errors(ok), '');
    assert.equal(ok.notes.length, 1);
    assert.match(ok.notes[0], /layer 3 \(QuantConv2D 'q'\).*folds into layer 5 \(BatchNormalization 'b2'\)/);
  });

  it('exports a graph model as a Keras functional model that imports back as the same model', () => {
    const text = JSON.stringify({
      name: 'residual', input: { shape: [8, 8, 1] }, classes: 4,
      layers: [
        { type: 'QuantConv2D', name: 'stem', filters: 8, kernelSize: 3, padding: 'same', useBias: false },
        { type: 'BatchNormalization', name: 'bn0' },
        { type: 'QuantConv2D', name: 'bin', filters: 8, kernelSize: 3, padding: 'same', inputQuantizer: 'ste_sign', kernelQuantizer: 'ste_sign', useBias: false },
        { type: 'BatchNormalization', name: 'bn1' },
        { type: 'Add', name: 'add', inputs: ['bn1', 'bn0'] },
        { type: 'PReLU', name: 'act', alphaInitializer: 0.25 },
        { type: 'AveragePooling2D', name: 'avg', poolSize: 2, padding: 'same' },
        { type: 'AveragePooling2D', name: 'avg2', poolSize: 2, padding: 'valid', inputs: ['act'] },
        { type: 'Concatenate', name: 'cat', inputs: ['avg', 'avg2'] },
        { type: 'GlobalAveragePooling2D', name: 'gap' },
        { type: 'QuantDense', name: 'head', units: 4 },
      ],
    });
    const loaded = loadModelText(text, 'residual.bnn.json');
    assert.deepEqual(loaded.diagnostics.filter((d) => d.severity === 'error'), []);
    const spec = loaded.spec!;
    const doc = specToKerasJson(spec) as KerasDoc;
    assert.equal(doc.class_name, 'Functional');
    const entries = new Map(doc.config.layers.map((l) => [l.name as string, l]));
    assert.deepEqual(doc.config.layers.map((l) => l.class_name), ['InputLayer', 'QuantConv2D', 'BatchNormalization', 'QuantConv2D', 'BatchNormalization', 'Add', 'PReLU', 'AveragePooling2D', 'AveragePooling2D', 'Concatenate', 'GlobalAveragePooling2D', 'QuantDense']);
    assert.deepEqual(entries.get('input')?.config, { batch_input_shape: [null, 8, 8, 1], dtype: 'float32', sparse: false, ragged: false, name: 'input' });
    assert.deepEqual(entries.get('stem')?.inbound_nodes, [[['input', 0, 0, {}]]]);
    assert.deepEqual(entries.get('add')?.inbound_nodes, [[['bn1', 0, 0, {}], ['bn0', 0, 0, {}]]]);
    assert.deepEqual(entries.get('avg2')?.inbound_nodes, [[['act', 0, 0, {}]]]);
    assert.deepEqual(entries.get('cat')?.inbound_nodes, [[['avg', 0, 0, {}], ['avg2', 0, 0, {}]]]);
    const prelu = entries.get('act')?.config as Obj;
    assert.deepEqual([prelu.alpha_initializer, prelu.shared_axes], [{ class_name: 'Constant', config: { value: 0.25 } }, [1, 2]]);
    assert.deepEqual(doc.config.input_layers, [['input', 0, 0]]);
    assert.deepEqual(doc.config.output_layers, [['head', 0, 0]]);
    const back = importKerasModel(JSON.stringify(doc), 'residual.json');
    assert.deepEqual(back.problems, []);
    assert.deepEqual(back.spec, spec);
  });

  it('leaves dead layers out of the functional export and keeps a non-last output', () => {
    const text = JSON.stringify({
      name: 'outputs', input: { shape: [4] }, classes: 3, outputs: ['logits'],
      layers: [
        { type: 'QuantDense', name: 'hidden', units: 6 },
        { type: 'PReLU', name: 'act' },
        { type: 'QuantDense', name: 'logits', units: 3 },
        { type: 'QuantDense', name: 'probe', units: 2, inputs: ['hidden'] },
      ],
    });
    const spec = loadModelText(text, 'outputs.bnn.json').spec!;
    assert.ok(spec);
    const doc = specToKerasJson(spec) as KerasDoc;
    assert.deepEqual(doc.config.layers.map((l) => l.name), ['input', 'hidden', 'act', 'logits']);
    // a PReLU on a vector has one alpha per feature: nothing shared
    assert.equal((doc.config.layers[2].config as Obj).shared_axes, null);
    assert.deepEqual(doc.config.output_layers, [['logits', 0, 0]]);
    const back = importKerasModel(JSON.stringify(doc), 'o.json');
    assert.deepEqual(back.problems, []);
    assert.deepEqual(back.spec?.layers, spec.layers.slice(0, 3));
  });
});
