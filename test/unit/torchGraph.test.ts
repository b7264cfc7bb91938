/**
 * The PyTorch project builds graph models (python/bnn_torch/bnn_model.py): a residual model with Add, Concatenate,
 * a 'same' AveragePooling2D on an odd size (windows at the edge average fewer cells), MaxPool2D, GlobalAveragePooling2D,
 * PReLU and ReLU, and a layer the output does not depend on, is given random weights in PyTorch, written as a
 * checkpoint by the project's writer, and its scores compared with the compiled model's TypeScript twin
 * (referenceInfer, the C's exact order of operations) on the same checkpoint (test/support/torchCompare.ts). The
 * bundled binary-resnet templates get the same check in test/slow/torchTemplates.test.ts.
 */
import { strict as assert } from 'node:assert';
import { loadModelText } from '../../src/core/model/load';
import { requirePythonModule } from '../support/tools';
import { compareTorchWithReference, TORCH_PYTHON } from '../support/torchCompare';

const RESIDUAL = JSON.stringify({
  name: 'torch_graph', input: { shape: [9, 9, 1] }, classes: 4, outputs: ['head'],
  layers: [
    { type: 'QuantConv2D', name: 'stem', filters: 4, kernelSize: 3, padding: 'same', kernelQuantizer: 'ste_sign', useBias: false },
    { type: 'BatchNormalization', name: 'bn0' },
    { type: 'QuantConv2D', name: 'bin', filters: 4, kernelSize: 3, padding: 'same', inputQuantizer: 'ste_sign', kernelQuantizer: 'ste_sign', useBias: false },
    { type: 'BatchNormalization', name: 'bn1' },
    { type: 'Add', name: 'add', inputs: ['bn1', 'bn0'] },
    { type: 'PReLU', name: 'act', alphaInitializer: 0.25 },
    // 9 → 5: the last row and column of windows hold one cell of the input, not two
    { type: 'AveragePooling2D', name: 'avg', poolSize: 2, padding: 'same' },
    { type: 'MaxPool2D', name: 'mp', poolSize: 2, padding: 'same', inputs: ['act'] },
    { type: 'Concatenate', name: 'cat', inputs: ['avg', 'mp'] },
    { type: 'Activation', name: 'relu', activation: 'relu' },
    { type: 'GlobalAveragePooling2D', name: 'gap' },
    { type: 'QuantDense', name: 'head', units: 4 },
    { type: 'QuantDense', name: 'probe', units: 3, inputs: ['gap'] },
  ],
});

describe('PyTorch project: graph models', () => {
  before(function () {
    requirePythonModule(this, TORCH_PYTHON, 'torch', 'apt-get install python3-torch');
  });

  it('a residual model with Add, Concatenate, pooling, PReLU and ReLU scores as the compiled model\'s reference', function () {
    this.timeout(60_000);
    const loaded = loadModelText(RESIDUAL, 'torch_graph.bnn.json');
    assert.deepEqual(loaded.diagnostics.filter((d) => d.severity === 'error'), []);
    const { params, trained } = compareTorchWithReference(loaded.spec!, 12);
    // every live layer's weights, PReLU's alpha among them, and none for 'probe', which the output does not depend on
    assert.deepEqual(params, ['layers.0.kernel', 'layers.1.beta', 'layers.1.gamma', 'layers.11.bias', 'layers.11.kernel', 'layers.2.kernel', 'layers.3.beta', 'layers.3.gamma', 'layers.5.alpha']);
    assert.equal(trained.weights.act.alpha?.length, 4);
    assert.equal(trained.weights.probe, undefined);
  });
});
