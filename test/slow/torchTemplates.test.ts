/**
 * The bundled graph templates through the PyTorch project: their PyTorch forward pass on random weights equals the
 * compiled model's reference (test/support/torchCompare.ts). Slow: torch and a 28×28 residual net.
 */
import { strict as assert } from 'node:assert';
import { loadModelText } from '../../src/core/model/load';
import { TEMPLATES, templateText } from '../../src/core/model/templates';
import { requirePythonModule } from '../support/tools';
import { compareTorchWithReference, TORCH_PYTHON } from '../support/torchCompare';

describe('PyTorch project: the graph templates', () => {
  before(function () {
    requirePythonModule(this, TORCH_PYTHON, 'torch', 'apt-get install python3-torch');
  });

  for (const id of ['binary-resnet', 'binary-resnet-cifar10']) {
    it(`the ${id} template (Bi-Real-style) scores as the compiled model's reference`, function () {
      this.timeout(120_000);
      const t = TEMPLATES.find((x) => x.id === id);
      assert.ok(t, `the ${id} template exists`);
      compareTorchWithReference(loadModelText(templateText(t), `${id}.bnn.json`).spec!, 4);
    });
  }
});
