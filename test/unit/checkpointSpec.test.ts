/**
 * A checkpoint's model.json carries the model spec that the compiler turns into C. It is a file anyone can edit (or
 * ship in a cloned repository), so it must pass the same loader as a *.bnn.json before anything uses it (issue 18).
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ModelSpec } from '../../src/core/model/spec';
import type { TrainedModel } from '../../src/core/model/trained';
import { loadCheckpoint, writeCheckpoint, MODEL_JSON } from '../../src/core/train/checkpoint';
import { CompileInputError, loadCompileSource } from '../../src/core/compile/source';
import { parseTrainedModel, serializeTrainedModel, TrainedModelFormatError } from '../../src/core/compile/trainedJson';

const spec: ModelSpec = {
  name: 'tiny', input: { shape: [4, 4, 1] }, classes: 2, layers: [
    { type: 'Flatten', name: 'flatten' },
    { type: 'QuantDense', name: 'dense', units: 2, inputQuantizer: null, kernelQuantizer: 'ste_sign', useBias: false },
  ],
};

function trained(): TrainedModel {
  // 16 inputs × 2 units of ±1, a pattern that is not all one sign
  const kernel = Float32Array.from({ length: 32 }, (_, i) => (i % 3 === 0 ? 1 : -1));
  return { spec, weights: { dense: { kernel } } };
}

describe('checkpoint spec re-validation', () => {
  let tmp: string;
  beforeEach(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-ckspec-')); });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  /** Writes a valid checkpoint, then edits its model.json's embedded spec as a hostile user would. */
  function tampered(edit: (s: ModelSpec & { layers: Record<string, unknown>[] }) => void): { dir: string; file: string } {
    const dir = writeCheckpoint(path.join(tmp, 'exp'), 'last', trained(), { epoch: 1, step: 1, createdAt: '2026-01-01T00:00:00.000Z' }, undefined, 'test');
    const file = path.join(dir, MODEL_JSON);
    const json = JSON.parse(fs.readFileSync(file, 'utf8'));
    edit(json.userDefinedMetadata.bnnStudio.spec);
    fs.writeFileSync(file, JSON.stringify(json));
    return { dir, file };
  }

  it('loads an untouched checkpoint with its spec and weights', () => {
    const { dir } = tampered(() => {});
    const t = loadCheckpoint(dir);
    assert.deepEqual(t.spec.layers.map((l) => l.name), ['flatten', 'dense']);
    assert.deepEqual(Array.from(t.weights.dense.kernel!), Array.from(trained().weights.dense.kernel!));
  });

  it('refuses a layer name that would close a C comment, naming the file', () => {
    const { dir, file } = tampered((s) => { s.layers[1].name = 'x*/ #error pwned /*'; });
    assert.throws(() => loadCheckpoint(dir), (err: Error) => {
      assert.ok(err.message.startsWith(`${file}: invalid model spec: `), err.message);
      assert.match(err.message, /layers\.1\.name/);
      return true;
    });
    // and so compile, which reads the same checkpoint, refuses it before generating any C
    assert.throws(() => loadCompileSource(dir), (err: Error) => err instanceof CompileInputError && err.message.includes(`${file}: invalid model spec`));
    assert.throws(() => loadCompileSource(path.join(tmp, 'exp')), (err: Error) => err instanceof CompileInputError && err.message.includes(`${file}: invalid model spec`));
  });

  it('refuses negative units, naming the file and the value', () => {
    const { dir, file } = tampered((s) => { s.layers[1].units = -3; });
    assert.throws(() => loadCheckpoint(dir), (err: Error) => {
      assert.ok(err.message.startsWith(`${file}: invalid model spec: `), err.message);
      assert.match(err.message, /layers\.1\.units.*-3/);
      return true;
    });
  });

  it('refuses a model.json that is JSON but not an object, naming the file', () => {
    const { dir, file } = tampered(() => {});
    fs.writeFileSync(file, 'null');
    assert.throws(() => loadCheckpoint(dir), (err: Error) => err.message.startsWith(`${file}: `) && !(err instanceof TypeError));
  });

  it('a *.trained.json goes through the same loader', () => {
    const doc = JSON.parse(serializeTrainedModel(trained()));
    assert.deepEqual(parseTrainedModel(JSON.stringify(doc), 'm.trained.json').spec.layers.map((l) => l.name), ['flatten', 'dense']);
    doc.model.layers[1].name = 'x*/ #error pwned /*';
    assert.throws(() => parseTrainedModel(JSON.stringify(doc), 'm.trained.json'),
      (err: Error) => err instanceof TrainedModelFormatError && /^m\.trained\.json: invalid "model": layers\.1\.name/.test(err.message));
  });
});
