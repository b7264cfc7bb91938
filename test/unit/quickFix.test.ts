/**
 * Quick fixes for "did you mean" (issue 16 item 6): each such diagnostic carries the word, and applying the fix — its
 * range replaced by the word — gives a file the loader accepts. A misspelt quantizer gets a suggestion too.
 */
import { strict as assert } from 'node:assert';
import { loadModelText } from '../../src/core/model/load';
import type { Range } from '../../src/core/model/positions';
import { quickFixesAt, quickFixFor } from '../../src/core/model/quickFix';

function model(layer: string): string {
  return `{
  "name": "m",
  "input": { "shape": [28, 28, 1] },
  "classes": 10,
  "layers": [
    { "type": "Flatten" },
    ${layer},
    { "type": "BatchNormalization" },
    { "type": "Activation", "activation": "softmax" }
  ]
}
`;
}
const GOOD = '{ "type": "QuantDense", "units": 10, "inputQuantizer": "ste_sign", "kernelQuantizer": "ste_sign", "useBias": false }';

/** Offsets computed here from lines and columns, independently of the loader's LineIndex. */
function apply(text: string, r: Range, newText: string): string {
  const lines = text.split('\n');
  const offset = (p: Range['start']): number => lines.slice(0, p.line).reduce((a, l) => a + l.length + 1, 0) + p.character;
  return text.slice(0, offset(r.start)) + newText + text.slice(offset(r.end));
}

describe('quick fixes for "did you mean"', () => {
  it('a misspelt quantizer (ste_sing) is suggested ste_sign, and the fix makes the model valid', () => {
    const text = model(GOOD.replace('"inputQuantizer": "ste_sign"', '"inputQuantizer": "ste_sing"'));
    const loaded = loadModelText(text, 'm.bnn.json');
    const d = loaded.diagnostics.find((x) => x.path.join('.') === 'layers.1.inputQuantizer');
    assert.ok(d, JSON.stringify(loaded.diagnostics));
    assert.match(d.message, /did you mean "ste_sign"\?/);
    const fix = quickFixFor(d);
    assert.deepEqual(fix && { title: fix.title, newText: fix.newText }, { title: 'Change to "ste_sign"', newText: '"ste_sign"' });
    const line = text.split('\n')[d.range.start.line];
    assert.equal(line.slice(d.range.start.character, d.range.end.character), '"ste_sing"', 'the range is the misspelt string, quotes included');
    const fixed = loadModelText(apply(text, fix!.range, fix!.newText), 'm.bnn.json');
    assert.deepEqual(fixed.diagnostics, []);
    assert.equal(fixed.spec?.layers[1].type === 'QuantDense' && fixed.spec.layers[1].inputQuantizer, 'ste_sign');
  });

  it('a Keras-style property name (use_bias) is renamed to ours', () => {
    const text = model(GOOD.replace('"useBias"', '"use_bias"'));
    const [d] = loadModelText(text, 'm.bnn.json').diagnostics;
    assert.match(d.message, /unknown property "use_bias" \(did you mean "useBias"\?\)/);
    const fix = quickFixFor(d)!;
    assert.equal(fix.newText, '"useBias"');
    assert.deepEqual(loadModelText(apply(text, fix.range, fix.newText), 'm.bnn.json').diagnostics, []);
  });

  it('a misspelt layer type, or its Keras name, gets a fix too', () => {
    for (const [bad, good] of [['"type": "QuantDens"', '"QuantDense"'], ['"type": "Dense"', '"QuantDense"']] as const) {
      const text = model(GOOD.replace('"type": "QuantDense"', bad));
      const d = loadModelText(text, 'm.bnn.json').diagnostics.find((x) => x.suggestion !== undefined);
      assert.equal(d && quickFixFor(d)?.newText, good, bad);
    }
  });

  it('no fix without a suggestion, and only for diagnostics touching the asked range', () => {
    const text = model(GOOD.replace('"inputQuantizer": "ste_sign"', '"inputQuantizer": "xyzzy"').replace('"useBias"', '"use_bias"'));
    const diags = loadModelText(text, 'm.bnn.json').diagnostics;
    const unknownQuantizer = diags.find((x) => x.path.join('.') === 'layers.1.inputQuantizer');
    assert.ok(unknownQuantizer, 'a value far from every quantizer is still reported');
    assert.equal(quickFixFor(unknownQuantizer), undefined, 'but with nothing to offer');
    const bias = diags.find((x) => x.suggestion === 'useBias')!;
    assert.deepEqual(quickFixesAt(diags, { start: bias.range.start, end: bias.range.start }).map((f) => f.fix.newText), ['"useBias"']);
    assert.deepEqual(quickFixesAt(diags, { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }), []);
  });
});
