import { strict as assert } from 'node:assert';
import * as fc from 'fast-check';
import { loadModelText } from '../../../src/core/model/load';
import { TEMPLATES, templateText } from '../../../src/core/model/templates';
import { modelFileName, stripModelExtension, uniqueModelName, validateModelName } from '../../../src/extension/newModel';

describe('new model (names and file text)', () => {
  it('accepts the names the schema accepts and rejects others with a reason', () => {
    for (const ok of ['mnist-cnn', 'binarynet_cifar10', 'net.v2', 'A1', 'net.bnn.json']) assert.equal(validateModelName(ok), undefined, ok);
    assert.match(validateModelName('')!, /Enter a name/);
    assert.match(validateModelName('   ')!, /Enter a name/);
    for (const bad of ['My Net', 'a/b', 'a\\b', 'what?', 'модель', 'tab\there', '.hidden', 'net.', '-net']) {
      assert.equal(validateModelName(bad), 'A model name is letters, digits, _, . and -, not starting with - or . and not ending with ., at most 100 characters.', bad);
    }
    assert.match(validateModelName('CON')!, /reserved/);
    assert.match(validateModelName('x'.repeat(101))!, /100 characters/);
  });

  it('every name it accepts gives a model file the loader accepts', () => {
    const t = TEMPLATES[0];
    fc.assert(fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[A-Za-z0-9_.-]{1,12}$/)), (name) => {
      if (validateModelName(name) !== undefined) return;
      const r = loadModelText(templateText(t, stripModelExtension(name)), modelFileName(name));
      assert.deepEqual(r.diagnostics, [], name);
    }), { numRuns: 200 });
  });

  it('adds the .bnn.json extension once', () => {
    assert.equal(modelFileName('net'), 'net.bnn.json');
    assert.equal(modelFileName('net.bnn.json'), 'net.bnn.json');
    assert.equal(modelFileName(' net.json '), 'net.bnn.json');
    assert.equal(stripModelExtension('a.BNN.JSON'), 'a');
  });

  it('finds a free default name', () => {
    const existing = new Set(['binary-cnn.bnn.json', 'binary-cnn-2.bnn.json']);
    assert.equal(uniqueModelName('binary-cnn', (f) => existing.has(f)), 'binary-cnn-3');
    assert.equal(uniqueModelName('binary-mlp', (f) => existing.has(f)), 'binary-mlp');
  });

  it('every template, renamed as New Model writes it, is a valid model', () => {
    assert.ok(TEMPLATES.length >= 3, 'binary MLP, binary CNN and BinaryNet');
    for (const t of TEMPLATES) {
      const text = templateText(t, stripModelExtension('my-model.bnn.json'));
      const r = loadModelText(text, 'my-model.bnn.json');
      assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), [], t.id);
      assert.equal(r.spec?.name, 'my-model');
      assert.equal(r.layerRanges.length, (t.doc as { layers: unknown[] }).layers.length);
    }
  });
});
