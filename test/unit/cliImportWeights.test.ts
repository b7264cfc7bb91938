import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, truncateSync, unlinkSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tfc from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { checkTfjsWeights } from '../../src/core/interop/tfjsWeights';
import { loadExperimentModel } from '../../src/core/train/experimentModel';
import { predict } from '../../src/core/train/predict';

const root = join(__dirname, '..', '..');
const bnn = (cwd: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } => {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'bnn.js'), ...args], { cwd, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

// Dense 64→16 (kernel + bias), BatchNormalization over 16 (gamma, beta, moving mean, moving variance), Dense 16→10
const TENSORS = 2 + 4 + 2;
const BYTES = 4 * (64 * 16 + 16 + 4 * 16 + 16 * 10 + 10);

/** A trained-looking TF.js layers model saved as tfjs-node's file:// handler saves one: model.json + weights.bin. */
async function savedTfjsModel(): Promise<string> {
  const model = tfl.sequential({ name: 'tiny_mlp', layers: [
    tfl.layers.flatten({ inputShape: [8, 8, 1], name: 'flatten' }),
    tfl.layers.dense({ units: 16, name: 'hidden' }),
    tfl.layers.batchNormalization({ name: 'bn' }),
    tfl.layers.dense({ units: 10, activation: 'softmax', name: 'scores' }),
  ] });
  const dir = mkdtempSync(join(tmpdir(), 'bnn-tfjs-'));
  await model.save(tfc.io.withSaveHandler(async (a) => {
    writeFileSync(join(dir, 'model.json'), JSON.stringify({
      format: 'layers-model', generatedBy: `TensorFlow.js tfjs-layers v${tfl.version_layers}`, convertedBy: null,
      modelTopology: a.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
    }));
    writeFileSync(join(dir, 'weights.bin'), Buffer.from(a.weightData as ArrayBuffer));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  model.dispose();
  return dir;
}

describe('bnn import of a TF.js layers model: its weights, every shard present and of the manifest\'s length', () => {
  it('imports the weights as an experiment whose forward pass equals tf.LayersModel.predict', async () => {
    const dir = await savedTfjsModel();
    const r = bnn(dir, 'import', 'model.json', '--out', 'tiny.bnn.json');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    const id = readdirSync(join(dir, '.bnn', 'experiments'))[0];
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines[0], `model.json (tfjs-layers) → experiment ${id} and tiny.bnn.json`);
    // the softmax inside the last Dense becomes a layer of its own
    assert.equal(lines[1], '  imported: 5 layers with their trained weights, input [8, 8, 1], 10 classes');
    assert.match(lines[2], /^ {2}input encoding: assumed BNN Studio's own, x = u8 \/ 127\.5 - 1 \(the model has no Rescaling or Normalization layer\)/);
    // TF.js itself on the same inputs, encoded as BNN Studio encodes them
    const u8 = Uint8Array.from({ length: 20 * 64 }, (_, i) => (i * 97 + 13) % 256);
    const saved = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    const model = await tfl.loadLayersModel(tfc.io.fromMemory({ modelTopology: saved.modelTopology, weightSpecs: saved.weightsManifest[0].weights, weightData: new Uint8Array(readFileSync(join(dir, 'weights.bin'))).buffer }));
    const x = tfc.tensor(Float32Array.from(u8, (v) => v / 127.5 - 1), [20, 8, 8, 1]);
    const probs = await (model.predict(x) as tfc.Tensor).data();
    const ours = predict(loadExperimentModel(join(dir, '.bnn', 'experiments', id)).trained, u8, 20).scores;
    for (let i = 0; i < 20; i++) {
      const m = Math.max(...ours[i]);
      const e = ours[i].map((v) => Math.exp(v - m));
      const sum = e.reduce((a, b) => a + b, 0);
      for (let c = 0; c < 10; c++) assert.ok(Math.abs(e[c] / sum - probs[i * 10 + c]) < 1e-5, `sample ${i} class ${c}: ${e[c] / sum} vs ${probs[i * 10 + c]}`);
    }
  });

  it('refuses a missing or short weights file, naming it and its sizes; --untrained imports the architecture and says what it left', async () => {
    const dir = await savedTfjsModel();
    const bin = join(dir, 'weights.bin');
    truncateSync(bin, BYTES - 40);
    const short = bnn(dir, 'import', 'model.json', '--out', 'a.bnn.json');
    assert.equal(short.status, 1);
    assert.equal(short.stderr, `model.json: error: weights: weights.bin has ${BYTES - 40} bytes, but weightsManifest group 1 of 1 declares ${BYTES} bytes for its ${TENSORS} tensors (truncated)\nmodel.json: not imported; nothing was written\n`);
    appendFileSync(bin, Buffer.alloc(41));
    assert.match(bnn(dir, 'import', 'model.json', '--out', 'b.bnn.json').stderr, new RegExp(`weights\\.bin has ${BYTES + 1} bytes, but .* declares ${BYTES} bytes .*\\(longer than declared\\)`));
    unlinkSync(bin);
    const missing = bnn(dir, 'import', 'model.json', '--out', 'c.bnn.json');
    assert.equal(missing.status, 1);
    assert.equal(missing.stderr, `model.json: error: weights: weights.bin is missing: weightsManifest group 1 of 1 names it as a shard of its ${TENSORS} tensors (${BYTES} bytes)\nmodel.json: not imported; nothing was written\n`);
    const untrained = bnn(dir, 'import', 'model.json', '--out', 'd.bnn.json', '--untrained');
    assert.equal(untrained.status, 0, untrained.stderr);
    assert.deepEqual(untrained.stdout.trim().split('\n'), [
      'model.json (tfjs-layers) → d.bnn.json',
      '  imported: the architecture — 5 layers, input [8, 8, 1], 10 classes',
      `  not imported: the trained weights — ${TENSORS} tensors, ${BYTES} bytes in weights.bin; BNN Studio imports the architecture only: train it with \`bnn train d.bnn.json\``,
    ]);
  });

  it('adds up a group split over several shards, and refuses to look outside the model\'s folder', async () => {
    const dir = await savedTfjsModel();
    const doc = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as Record<string, unknown>;
    const data = readFileSync(join(dir, 'weights.bin'));
    writeFileSync(join(dir, 'shard1'), data.subarray(0, 1000));
    writeFileSync(join(dir, 'shard2'), data.subarray(1000));
    const manifest = doc.weightsManifest as { paths: string[] }[];
    manifest[0].paths = ['shard1', 'shard2'];
    assert.deepEqual(checkTfjsWeights(doc, join(dir, 'model.json')), { tensors: TENSORS, bytes: BYTES, files: ['shard1', 'shard2'], problems: [] });
    writeFileSync(join(dir, 'shard2'), data.subarray(1000, 2000));
    assert.deepEqual(checkTfjsWeights(doc, join(dir, 'model.json'))?.problems, [`its 2 shards hold 2000 bytes (shard1 1000 + shard2 1000), but weightsManifest group 1 of 1 declares ${BYTES} bytes for its ${TENSORS} tensors (truncated)`]);
    // without looking at the files (a model on a virtual file system) the declaration is still counted
    assert.deepEqual(checkTfjsWeights(doc, join(dir, 'model.json'), { checkFiles: false }), { tensors: TENSORS, bytes: BYTES, files: ['shard1', 'shard2'], problems: [] });
    manifest[0].paths = ['../../etc/passwd'];
    assert.deepEqual(checkTfjsWeights(doc, join(dir, 'model.json'))?.problems, [`weightsManifest group 1 of 1: shard "../../etc/passwd" is not a file in the folder of ${join(dir, 'model.json')}`]);
  });
});
