/**
 * ONNX import: networks exported by Debian's PyTorch with torch.onnx.export (test/fixtures/import, written by
 * scripts/make-import-fixtures.py), their imported forward pass compared with PyTorch's own scores on the bundled test
 * images; a chain with the straight-through sign subgraphs, a real-valued net with a ReLU, a residual binary net; and
 * the refusals: an op BNN Studio does not have, a dynamic input shape, a file that is not ONNX.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importTrainedModel } from '../../src/core/interop/importTrained';
import { compareWithTorch, IMPORT_FIXTURES as FIX } from '../support/torchReference';

/** PyTorch's input, as the fixtures were trained: x' = u8 / 255. */
const u8over255 = { scale: [1 / 255], offset: [0], source: 'the given --input-scale/--input-offset' };

describe('import with weights: ONNX from PyTorch', function () {
  this.timeout(60000);

  it('a binary CNN (Where(GreaterOrEqual(x, 0), 1, −1) on activations and latent weights) predicts as PyTorch did', async () => {
    const r = await importTrainedModel(join(FIX, 'cnn.onnx'), { inputEncoding: u8over255 });
    assert.deepEqual(r.problems, []);
    assert.ok(r.trained);
    const layers = r.trained.spec.layers;
    assert.deepEqual(layers.map((l) => l.type), ['QuantConv2D', 'BatchNormalization', 'MaxPool2D', 'QuantConv2D', 'BatchNormalization', 'MaxPool2D', 'Flatten', 'QuantDense', 'BatchNormalization', 'Activation']);
    // the first conv binarizes its kernel only; the second its input too; the Dense rows are reordered C,H,W → H,W,C
    assert.deepEqual([layers[0], layers[3], layers[7]].map((l) => 'inputQuantizer' in l && [l.inputQuantizer, l.kernelQuantizer]), [[null, 'ste_sign'], ['ste_sign', 'ste_sign'], ['ste_sign', 'ste_sign']]);
    assert.equal(r.trained.spec.name, 'cnn');
    // 100 images here; test/slow/cliImportTrained.test.ts compares all 1,000 through bnn import
    const { agree, maxDiff } = compareWithTorch(r.trained, 100);
    assert.equal(agree, 100);
    assert.ok(maxDiff < 1e-4, `largest score difference ${maxDiff}`);
    assert.ok(r.notes.some((n) => /quant_conv2d_2 \(from '\/3\/Conv'\): its kernel is binarized in the graph from real-valued latent weights \(4608 of 4608/.test(n)), r.notes.join('\n'));
  });

  it('without an input encoding it says which one it assumed, and the predictions then differ from PyTorch\'s', async () => {
    const r = await importTrainedModel(join(FIX, 'cnn.onnx'));
    assert.match(r.encoding!, /^assumed BNN Studio's own, x = u8 \/ 127\.5 - 1 \(ONNX has no record of the input encoding\); give --input-scale\/--input-offset or --input-mean\/--input-std/);
    assert.ok(compareWithTorch(r.trained!, 100).agree < 100);
  });

  it('a real-valued net with a ReLU: the input encoding folds into the first convolution\'s kernel and bias', async () => {
    const r = await importTrainedModel(join(FIX, 'relu.onnx'), { inputEncoding: u8over255 });
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.trained!.spec.layers.map((l) => l.type), ['QuantConv2D', 'Activation', 'MaxPool2D', 'Flatten', 'QuantDense']);
    assert.ok(r.notes.some((n) => /is folded into layer 1 \(QuantConv2D 'quant_conv2d_1'\): its kernel is scaled per input channel and the offset goes into its bias/.test(n)));
    const { agree, maxDiff } = compareWithTorch(r.trained!, 300, 'relu-reference.npy');
    assert.equal(agree, 300);
    assert.ok(maxDiff < 1e-4, `largest score difference ${maxDiff}`);
  });

  it('a residual binary net (Add of a real shortcut and a binary 1×1 conv, global average pooling) as a graph model', async () => {
    const r = await importTrainedModel(join(FIX, 'residual.onnx'), { inputEncoding: u8over255 });
    assert.deepEqual(r.problems, []);
    const spec = r.trained!.spec;
    assert.deepEqual(spec.layers.map((l) => l.type), ['QuantConv2D', 'QuantConv2D', 'BatchNormalization', 'Add', 'GlobalAveragePooling2D', 'QuantDense']);
    assert.deepEqual(spec.layers[3].inputs, ['quant_conv2d_1', 'batch_normalization_1']);
    const { agree, maxDiff } = compareWithTorch(r.trained!, 300, 'residual-reference.npy');
    assert.equal(agree, 300);
    assert.ok(maxDiff < 1e-4, `largest score difference ${maxDiff}`);
  });

  it('names an unsupported node with its name and op type, refuses a dynamic input shape and a file that is not ONNX', async () => {
    const tanh = await importTrainedModel(join(FIX, 'tanh.onnx'));
    assert.deepEqual(tanh.problems.map((p) => p.message), [`${join(FIX, 'tanh.onnx')}: node '/2/Tanh' (Tanh) is not an operation BNN Studio can import (it imports Conv, Gemm/MatMul, BatchNormalization, MaxPool, AveragePool, GlobalAveragePool, Add, Concat, Relu, PRelu, Flatten, Softmax and the binarization subgraphs of sign)`]);
    const dyn = await importTrainedModel(join(FIX, 'dynamic.onnx'));
    assert.deepEqual(dyn.problems.map((p) => p.message), [`${join(FIX, 'dynamic.onnx')}: input 'image' has a dynamic dimension 2 ('height'): BNN Studio compiles for one fixed input shape; export with a fixed shape (no dynamic_axes but the batch)`]);
    const dir = mkdtempSync(join(tmpdir(), 'bnn-onnx-'));
    writeFileSync(join(dir, 'junk.onnx'), readFileSync(join(FIX, 'cnn.onnx')).subarray(0, 2000));
    assert.match((await importTrainedModel(join(dir, 'junk.onnx'))).problems[0].message, /junk\.onnx: not an ONNX model/);
  });
});
