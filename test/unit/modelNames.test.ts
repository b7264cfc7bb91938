/**
 * One rule for model names and one for layer names (issue 18 item 11): the schema's patterns, the loader's message,
 * "New Model" and import all say and do the same thing.
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { loadModelText } from '../../src/core/model/load';
import { LAYER_NAME_PATTERN, LAYER_NAME_RULE, MODEL_NAME_PATTERN, MODEL_NAME_RULE } from '../../src/core/model/names';
import { TEMPLATES, templateText } from '../../src/core/model/templates';
import { importKerasModel } from '../../src/core/interop/keras';
import { specToKerasJson } from '../../src/core/interop/kerasExport';
import { validateModelName } from '../../src/extension/newModel';
import { tinyMlp } from '../support/models';

// The rules as their messages state them, written out character by character (not with the schema's regexes).
const LETTERS_DIGITS = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
function modelNameAsWorded(s: string): boolean {
  return s.length >= 1 && s.length <= 100 && [...s].every((c) => LETTERS_DIGITS(c) || c === '_' || c === '.' || c === '-')
    && s[0] !== '-' && s[0] !== '.' && !s.endsWith('.');
}
function layerNameAsWorded(s: string): boolean {
  return s.length >= 1 && s.length <= 100 && [...s].every((c) => LETTERS_DIGITS(c) || c === '_') && !(s[0] >= '0' && s[0] <= '9');
}

const nameLike = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_.-]{0,8}$/),
  fc.string({ maxLength: 8 }),
  fc.constantFrom('.', '-', '_', 'a.', '.a', '-a', 'a-', 'a..b', '1a', '_1', 'x'.repeat(100), 'x'.repeat(101), 'a b', 'é'),
);

function modelWith(edit: (doc: { name: string; layers: { name: string }[] }) => void): string {
  const doc = JSON.parse(templateText(TEMPLATES[0], 'placeholder'));
  edit(doc);
  return JSON.stringify(doc, null, 2);
}
const modelWithName = (name: string): string => modelWith((d) => { d.name = name; });

describe('model and layer name rules', () => {
  it('the messages state the rules the schema enforces', () => {
    assert.equal(MODEL_NAME_RULE, 'letters, digits, _, . and -, not starting with - or . and not ending with ., at most 100 characters');
    assert.equal(LAYER_NAME_RULE, 'letters, digits and _, not starting with a digit, at most 100 characters');
    fc.assert(fc.property(nameLike, (s) => {
      assert.equal(MODEL_NAME_PATTERN.test(s) && s.length <= 100, modelNameAsWorded(s), `model name ${JSON.stringify(s)}`);
      assert.equal(LAYER_NAME_PATTERN.test(s) && s.length <= 100, layerNameAsWorded(s), `layer name ${JSON.stringify(s)}`);
    }), { numRuns: 2000 });
  });

  it('the loader accepts exactly the model names the rule allows, and says the rule when it refuses one', () => {
    fc.assert(fc.property(nameLike, (name) => {
      const r = loadModelText(modelWithName(name), 'm.bnn.json');
      if (modelNameAsWorded(name)) {
        assert.deepEqual(r.diagnostics.map((d) => d.message), [], name);
        return;
      }
      assert.equal(r.spec, undefined, name);
      const msg = r.diagnostics.map((d) => d.message).join('\n');
      // an empty or over-long name has its own message; every other refusal quotes the rule
      if (name.length >= 1 && name.length <= 100) assert.ok(msg.includes(`is not a valid name (a model name is ${MODEL_NAME_RULE})`), msg);
    }), { numRuns: 500 });
    for (const ok of ['net.v2', 'mnist-cnn', 'binarynet_cifar10', '_x', '1net', 'a-']) assert.ok(loadModelText(modelWithName(ok), 'm.bnn.json').spec, ok);
  });

  it('a bad layer name is refused with the layer-name rule, not the model-name rule', () => {
    const r = loadModelText(modelWith((d) => { d.layers[1].name = 'a-b'; }), 'm.bnn.json');
    const d = r.diagnostics.find((x) => x.path.join('.') === 'layers.1.name');
    assert.ok(d, JSON.stringify(r.diagnostics));
    assert.match(d.message, /"a-b" is not a valid name \(a layer name is letters, digits and _, not starting with a digit, at most 100 characters\)/);
  });

  it('New Model accepts exactly what the loader accepts (Windows device names aside), in the same words', () => {
    fc.assert(fc.property(nameLike, (name) => {
      const why = validateModelName(name);
      const loads = loadModelText(modelWithName(name.trim()), 'm.bnn.json').spec !== undefined;
      if (/^(con|prn|aux|nul|com\d|lpt\d)$/i.test(name.trim())) return;
      if (name.trim() === '') { assert.match(why!, /Enter a name/); return; }
      assert.equal(why === undefined, loads, `${JSON.stringify(name)}: New Model says ${why}, the loader ${loads ? 'accepts' : 'refuses'} it`);
      if (why) assert.equal(why, `A model name is ${MODEL_NAME_RULE}.`);
    }), { numRuns: 500 });
  });

  it('import turns any Keras model name into one the rule allows', () => {
    for (const kerasName of ['-net.', '.hidden', 'my net', 'a..', '--', 'модель']) {
      const keras = specToKerasJson({ ...tinyMlp(), name: kerasName });
      const r = importKerasModel(JSON.stringify(keras), 'm.json');
      assert.ok(r.spec, `${kerasName}: ${JSON.stringify(r.problems)}`);
      assert.ok(modelNameAsWorded(r.spec.name), `${kerasName} → ${r.spec.name}`);
    }
  });
});
