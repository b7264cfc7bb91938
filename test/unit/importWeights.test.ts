/**
 * Trained models imported with their weights. The fixtures (test/fixtures/import/, written by
 * scripts/make-import-fixtures.py) hold a binary CNN trained in PyTorch, saved in Keras' .h5 and .keras layouts with
 * h5py (following Keras' source: no Keras can be installed here) and as ONNX, with PyTorch's own class scores on the
 * 1,000 bundled test images: the imported model must give the same classes, and scores within float32 rounding.
 */
import { strict as assert } from 'node:assert';
import { copyFileSync, mkdtempSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { importTrainedModel } from '../../src/core/interop/importTrained';
import { compareWithTorch, IMPORT_FIXTURES } from '../support/torchReference';

const FIX = IMPORT_FIXTURES;

/** Test images compared here (the CLI test compares all 1,000, test/slow/cliImportTrained.test.ts): the reference
 *  forward pass takes about 2 s per 1,000 on this machine, three times over. */
const N = 100;

const tmp = (): string => mkdtempSync(join(tmpdir(), 'bnn-import-w-'));

describe('import with weights: Keras .h5 and .keras', function () {
  this.timeout(60000);

  for (const [what, file, opts] of [
    ['Keras 2 model.save() .h5', 'cnn.h5', {}],
    ['Keras 3 .keras archive', 'cnn.keras', {}],
    ['Keras 2 save_weights() .h5 with its model JSON', 'cnn.weights.h5', { architecture: join(FIX, 'cnn.json') }],
  ] as const) {
    it(`${what}: predicts as PyTorch did on the bundled test images`, async () => {
      const r = await importTrainedModel(join(FIX, file), opts);
      assert.deepEqual(r.problems, []);
      assert.ok(r.trained);
      const { agree, maxDiff } = compareWithTorch(r.trained, N);
      assert.equal(agree, N);
      assert.ok(maxDiff < 1e-4, `largest score difference ${maxDiff}`);
      // the Rescaling(1/255) is the model's input encoding: folded, and said
      assert.match(r.encoding!, /Rescaling 'rescaling': x = 0\.00392157·u8 \+ 0/);
      assert.ok(r.notes.some((n) => /folded into the BatchNormalization after layer 1 \(QuantConv2D 'conv1'\)/.test(n)));
      assert.ok(r.notes.some((n) => /layer 4 \(QuantConv2D 'conv2'\): its kernel holds real-valued latent weights \(4608 of 4608/.test(n)));
      // the folded scale made bn1 a BatchNormalization with γ; binary kernels are ±1
      assert.deepEqual(r.trained.spec.layers.map((l) => l.type), ['QuantConv2D', 'BatchNormalization', 'MaxPool2D', 'QuantConv2D', 'BatchNormalization', 'MaxPool2D', 'Flatten', 'QuantDense', 'BatchNormalization', 'Activation']);
      assert.ok(r.trained.weights.conv2.kernel!.every((v) => v === 1 || v === -1));
    });
  }

  it('a weights-only .h5 without --architecture, an architecture-only .h5, a truncated one and a non-HDF5 file: each a clear error', async () => {
    const weightsOnly = await importTrainedModel(join(FIX, 'cnn.weights.h5'));
    assert.match(weightsOnly.problems[0].message, /cnn\.weights\.h5: holds weights only \(Keras save_weights\(\)\), no architecture: give the model JSON it belongs to .* --architecture <model\.json>$/);
    const arch = await importTrainedModel(join(FIX, 'cnn-arch-only.h5'));
    assert.equal(arch.architectureOnly, true);
    assert.ok(arch.text, 'the architecture can still be imported untrained');
    assert.match(arch.problems[0].message, /holds the architecture only, no trained weights \(no 'model_weights' group\): import it as an untrained model/);
    const dir = tmp();
    const cut = join(dir, 'cut.h5');
    copyFileSync(join(FIX, 'cnn.h5'), cut);
    truncateSync(cut, 30000);
    const size = readFileSync(join(FIX, 'cnn.h5')).length;
    assert.deepEqual((await importTrainedModel(cut)).problems.map((p) => p.message), [`${cut}: cannot be read as HDF5: the file is truncated: it has 30000 bytes of the ${size} its HDF5 superblock declares`]);
    const text = join(dir, 'notes.h5');
    writeFileSync(text, 'not hdf5 at all');
    assert.deepEqual((await importTrainedModel(text)).problems.map((p) => p.message), [`${text}: cannot be read as HDF5: not an HDF5 file (no HDF5 signature)`]);
    assert.deepEqual((await importTrainedModel(join(dir, 'absent.h5'))).problems.map((p) => p.message), [`${join(dir, 'absent.h5')}: no such file`]);
  });

  it('a .keras archive without config.json, and one that is not a zip', async () => {
    const dir = tmp();
    const noConfig = join(dir, 'w.keras');
    writeFileSync(noConfig, zipSync({ 'model.weights.h5': readFileSync(join(FIX, 'cnn.weights.h5')) }));
    assert.match((await importTrainedModel(noConfig)).problems[0].message, /w\.keras: the archive has no config\.json, so it holds no model/);
    const junk = join(dir, 'j.keras');
    writeFileSync(junk, 'PK nonsense');
    assert.match((await importTrainedModel(junk)).problems[0].message, /j\.keras: not a readable \.keras \(zip\) archive/);
  });

  it('config and weight shapes that disagree are named with both shapes', async () => {
    const dir = tmp();
    const cfg = JSON.parse(readFileSync(join(FIX, 'cnn.json'), 'utf8'));
    cfg.config.layers.find((l: { config: { name: string } }) => l.config.name === 'conv2').config.kernel_size = [5, 5];
    writeFileSync(join(dir, 'wrong.json'), JSON.stringify(cfg));
    const r = await importTrainedModel(join(FIX, 'cnn.weights.h5'), { architecture: join(dir, 'wrong.json') });
    assert.ok(!r.trained);
    assert.ok(r.problems.some((p) => p.message === "layer 4 (QuantConv2D 'conv2'): its kernel 'conv2/kernel:0' in cnn.weights.h5 has shape [3, 3, 16, 32]; the config makes it [5, 5, 16, 32]"), JSON.stringify(r.problems));
  });
});
