/**
 * One name per layer (issue 16 item 5): Problems, the hover, the Models tree and the CLI name a layer by its 1-based
 * position and its name — the one the summary table lists — never by a 0-based index alone.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { summarize } from '../../src/core/estimate/summary';
import { layerLabel, layerShortLabel } from '../../src/core/model/layerLabel';
import { loadModelText } from '../../src/core/model/load';

const root = join(__dirname, '..', '..');

describe('one name per layer', () => {
  it('layerLabel: 1-based position, type and name', () => {
    assert.equal(layerLabel(3, 'QuantConv2D', 'quant_conv2d_1'), "layer 4 (QuantConv2D 'quant_conv2d_1')");
    assert.equal(layerLabel(3, undefined, 'quant_conv2d_1'), "layer 4 'quant_conv2d_1'");
    assert.equal(layerLabel(0, 'Flatten'), 'layer 1 (Flatten)');
    assert.equal(layerShortLabel(3, 'quant_conv2d_1'), '4 · quant_conv2d_1');
  });

  it('a schema error on the CNN\'s fourth layer names it as the summary lists it, Keras-style name included', () => {
    const text = readFileSync(join(root, 'examples', 'binary-cnn.bnn.json'), 'utf8');
    const good = loadModelText(text, 'cnn.bnn.json');
    const rows = summarize(good.spec!).layers;
    assert.equal(rows[3].name, 'quant_conv2d_1', 'the 4th row of the summary');
    // break the 4th layer's filters (its second "filters" in the file)
    let n = 0;
    const broken = text.replace(/"filters": \d+/g, (m) => (++n === 2 ? '"filters": 0' : m));
    const [d] = loadModelText(broken, 'cnn.bnn.json').diagnostics;
    assert.equal(d.path.join('.'), 'layers.3.filters');
    assert.match(d.message, /^layer 4 \(QuantConv2D 'quant_conv2d_1'\) "filters": must be >= 1/);
  });

  it('a shape error from the deploy plan uses the same words', () => {
    const text = JSON.stringify({ name: 'm', input: { shape: [28, 28, 1] }, classes: 10, layers: [
      { type: 'Flatten' }, { type: 'QuantConv2D', filters: 8, kernelSize: 3 }, { type: 'Activation', activation: 'softmax' }] });
    const msgs = loadModelText(text, 'm.bnn.json').diagnostics.map((x) => x.message);
    assert.ok(msgs.some((m) => m.startsWith("layer 2 (QuantConv2D 'quant_conv2d'): expects an [H, W, C] input")), msgs.join('\n'));
  });
});
