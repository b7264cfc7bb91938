import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importKerasModel } from '../../src/core/interop/keras';
import { specToKerasJson, specToDocument } from '../../src/core/interop/kerasExport';
import { loadModelText } from '../../src/core/model/load';
import { TEMPLATES, templateText } from '../../src/core/model/templates';
import type { ModelSpec } from '../../src/core/model/spec';
import { requireTool } from '../support/tools';
import { probePython } from '../../src/core/interop/larqRunner';
import { analyzeModelText } from '../../src/extension/analyzeModel';
import { summarize } from '../../src/core/estimate/summary';

const fixtures = join(__dirname, '..', 'fixtures');
const spec = (id: string): ModelSpec => loadModelText(templateText(TEMPLATES.find((t) => t.id === id)!), id).spec!;

describe('interop: Larq/Keras and TF.js models', () => {
  it('round-trips every template through Keras model JSON', () => {
    /** The spec with `inputs` left out where they name the layer before (what they mean without them). */
    const implicit = (m: ModelSpec): ModelSpec => ({
      ...m,
      layers: m.layers.map((l, i) => {
        const { inputs, ...rest } = l;
        return inputs && inputs.length === 1 && inputs[0] === (i === 0 ? 'input' : m.layers[i - 1].name) ? rest : l;
      }),
    });
    for (const t of TEMPLATES) {
      // Keras has no place for a description, and the import writes `inputs` only where a layer does not read the one
      // before it; everything else survives.
      const { description: _description, ...s } = spec(t.id);
      const r = importKerasModel(JSON.stringify(specToKerasJson(s)), `${t.id}.json`);
      assert.deepEqual(r.problems, [], t.id);
      assert.deepEqual(r.spec, implicit(s), t.id);
      // …and the document it converts to loads as the same spec.
      assert.deepEqual(loadModelText(JSON.stringify(specToDocument(r.spec!)), 'x.bnn.json').spec, r.spec);
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
    assert.match(msgs, /layer 4 \(DepthwiseConv2D 'dw'\): is not a layer BNN Studio can train and compile/);
    assert.match(msgs, /layer 5 \(QuantDense 'q'\): input_quantizer "DoReFaQuantizer" is not supported/);
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
    assert.match(b.problems[0].message, /layer 3 \(LSTM 'lstm'\): is not a layer BNN Studio can train and compile/);
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
