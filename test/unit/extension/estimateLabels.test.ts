import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatBytes, formatCount } from '../../../src/core/estimate/summary';
import { loadModelText } from '../../../src/core/model/load';
import type { LayerSpec } from '../../../src/core/model/spec';
import {
  formatRatio, formatShare, larqShape, layerCost, layerHeadline, layerHoverMarkdown, layerLensTitle, layerOutcome, modelDescription, modelEfficiency, modelFileLabel,
  modelTotalTitle, oneLine,
} from '../../../src/extension/estimateLabels';
import { analyzeModelText } from '../../../src/extension/analyzeModel';

const root = join(__dirname, '..', '..', '..');

describe('estimate labels (CodeLens, tree, hover)', () => {
  it('names each layer kind with its defining hyper-parameters', () => {
    const conv: LayerSpec = { type: 'QuantConv2D', name: 'c', filters: 64, kernelSize: [3, 3], strides: [1, 1], padding: 'same', inputQuantizer: 'ste_sign', kernelQuantizer: 'ste_sign', useBias: false };
    assert.equal(layerHeadline(conv), 'QuantConv2D 64×3×3');
    assert.equal(layerHeadline({ ...conv, strides: [2, 2] }), 'QuantConv2D 64×3×3 /2');
    assert.equal(layerHeadline({ ...conv, kernelSize: [1, 5], strides: [1, 2] }), 'QuantConv2D 64×1×5 /1×2');
    assert.equal(layerHeadline({ ...conv, inputQuantizer: null, kernelQuantizer: null }), 'QuantConv2D 64×3×3 (float32)');
    assert.equal(layerHeadline({ type: 'QuantDense', name: 'd', units: 10, inputQuantizer: 'ste_sign', kernelQuantizer: 'ste_sign', useBias: false }), 'QuantDense 10');
    assert.equal(layerHeadline({ type: 'MaxPool2D', name: 'p', poolSize: [2, 2], strides: [2, 2], padding: 'valid' }), 'MaxPool2D 2×2');
    assert.equal(layerHeadline({ type: 'MaxPool2D', name: 'p', poolSize: [3, 3], strides: [2, 2], padding: 'valid' }), 'MaxPool2D 3×3 /2');
    assert.equal(layerHeadline({ type: 'BatchNormalization', name: 'b', scale: false, center: true, momentum: 0.99, epsilon: 1e-3 }), 'BatchNormalization');
    assert.equal(layerHeadline({ type: 'Flatten', name: 'f' }), 'Flatten');
    assert.equal(layerHeadline({ type: 'Activation', name: 'a', activation: 'softmax' }), 'Activation softmax');
  });

  it('leaves zero costs out', () => {
    assert.equal(layerCost({ flashBytes: 0, binaryMacs: 0, floatMacs: 0 }), '');
    assert.equal(layerOutcome({ outputShape: [576], flashBytes: 0, binaryMacs: 0, floatMacs: 0 }), '→ 576');
    assert.equal(layerCost({ flashBytes: 4608, binaryMacs: 1_204_224, floatMacs: 0 }), `${formatBytes(4608)} · ${formatCount(1_204_224)} BOPs`);
    assert.equal(layerCost({ flashBytes: 128, binaryMacs: 0, floatMacs: 194_688 }), `128 B · ${formatCount(194_688)} MACs`);
  });

  it('writes a lens above every layer of the binary CNN example, from the real estimator', () => {
    const text = readFileSync(join(root, 'examples', 'binary-cnn.bnn.json'), 'utf8');
    const a = analyzeModelText(text, 'examples/binary-cnn.bnn.json');
    assert.ok(a.summary && a.load.spec, 'the example is valid');
    const titles = a.load.spec.layers.map((l, i) => layerLensTitle(l, a.summary!.layers[i]));
    assert.equal(titles.length, a.load.layerRanges.length);
    // Hand-checked against `bnn summary`: 64 filters × (9 positions × 1 word) × 4 B = 2304 B; 'same' keeps 14×14: 14·14·64·9·32 MACs.
    assert.equal(titles[3], `QuantConv2D 64×3×3 → 14×14×64 · ${formatBytes(2304)} · ${formatCount(14 * 14 * 64 * 9 * 32)} BOPs`);
    // the first kernel is real-valued: 32 × 9 float32 weights
    assert.equal(titles[0], `QuantConv2D 32×3×3 (float32) → 28×28×32 · ${formatBytes(32 * 9 * 4)} · ${formatCount(28 * 28 * 32 * 9)} MACs`);
    assert.equal(titles[1], 'MaxPool2D 2×2 → 14×14×32');
    assert.equal(titles[9], 'Flatten → 576');
    const total = modelTotalTitle(a.summary.totals);
    assert.match(total, new RegExp(`^Total: flash ${formatBytes(a.summary.totals.flashBytes)} · RAM ${formatBytes(a.summary.totals.ramBytes)} · \\d+\\.\\d× smaller than float32 · `));
    assert.match(total, /\(96\.1% binary\)$/);
    assert.ok(total.endsWith(` · ${modelEfficiency(a.summary.totals)}`));
    assert.equal(modelEfficiency({ ...a.summary.totals, compressionRatio: 0, binaryMacs: 0, floatMacs: 0 }), '');
    assert.equal(modelDescription(a.summary.totals), `${formatBytes(a.summary.totals.flashBytes)} flash · ${formatBytes(a.summary.totals.ramBytes)} RAM`);
  });

  it('hovers the full Larq-style row, titled with the layer\'s 1-based position and name (no backslashes inside the name)', () => {
    const text = readFileSync(join(root, 'examples', 'binary-cnn.bnn.json'), 'utf8');
    const r = loadModelText(text, 'x.bnn.json');
    const a = analyzeModelText(text, 'x.bnn.json');
    const md = layerHoverMarkdown(r.spec!.layers[3], a.summary!.layers[3], 3);
    const lines = md.split('\n');
    assert.equal(lines[0], "**QuantConv2D 64×3×3** — layer 4 'quant_conv2d_1'");
    assert.equal(lines[2], '| Layer | Input prec. (bit) | Outputs | # 1-bit | # 8-bit | # 32-bit | Memory | 1-bit MACs | 32-bit MACs |');
    assert.equal(lines[4], `| quant_conv2d_1 | 1 | (-1, 14, 14, 64) | 18,432 | 0 | 0 | ${formatBytes(2304)} | 3,612,672 | 0 |`);
    // A layer with no quantized input shows Larq's "-" (escaped: a cell's text never starts a list).
    assert.match(layerHoverMarkdown(r.spec!.layers[0], a.summary!.layers[0], 0).split('\n')[4], /^\| quant_conv2d \| \\- \|/);
  });

  it('formats ratios, shares, shapes, file labels and one-line messages', () => {
    assert.equal(formatRatio(29.47), '29.5×');
    assert.equal(formatRatio(123.4), '123×');
    assert.equal(formatShare(0.93), '93%');
    assert.equal(formatShare(0.9999), '>99.9%');
    assert.equal(formatShare(0.0001), '<0.1%');
    assert.equal(formatShare(0.055), '5.5%');
    assert.equal(formatShare(0), '0.0%');
    assert.equal(larqShape([14, 14, 64]), '(-1, 14, 14, 64)');
    assert.equal(modelFileLabel('/w/examples/binary-cnn.bnn.json'), 'binary-cnn');
    assert.equal(modelFileLabel('C:\\w\\Net.BNN.JSON'), 'Net');
    assert.equal(oneLine('a\n  b\tc'), 'a b c');
    assert.equal(oneLine('x'.repeat(200), 10), `${'x'.repeat(9)}…`);
  });
});
