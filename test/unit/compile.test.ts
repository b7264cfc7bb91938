/**
 * The compiler's fast tests: the lowering against a float64 forward pass, the header, hash and refusals. The C compile
 * matrix (host gcc and Cortex-M) and the bundled templates are in test/slow/compileC.test.ts.
 */
import { strict as assert } from 'node:assert';
import { DoesNotFitError } from '../../src/core/estimate/fit';
import { compileModel, modelHash } from '../../src/core/compile/compile';
import { referenceInfer } from '../../src/core/compile/reference';
import { CompileError } from '../../src/core/compile/types';
import { loadModelText } from '../../src/core/model/load';
import { TEMPLATES, templateText } from '../../src/core/model/templates';
import type { TrainedModel } from '../../src/core/model/trained';
import { ARCHITECTURES } from '../support/compileArchitectures';
import { forward64 } from '../support/forward64';
import { randomInputs, syntheticModel } from '../support/syntheticModel';

const SAMPLES = 120;

/** Class agreement with the float64 oracle, and integer scores equal to its real scores (scale applied). */
function checkAgainstForward64(trained: TrainedModel, inputs: Uint8Array[]): void {
  const compiled = compileModel(trained);
  const last = compiled.model.stages[compiled.model.stages.length - 1];
  const inputScale = (last.kind === 'conv' || last.kind === 'dense') && last.inputRepr === 'u8' && last.mode !== 'xnor' ? 1 / 255 : 1;
  inputs.forEach((x, i) => {
    const r = referenceInfer(compiled.model, x);
    const f = forward64(trained, x);
    assert.equal(r.class, f.class, `${trained.spec.name}: sample ${i}: class ${r.class} (scores ${r.scores}) but float64 says ${f.class} (${f.scores.map((v) => v.toFixed(4))})`);
    r.scores.forEach((s, c) => {
      const real = compiled.model.scoresAreFloat ? s : s * inputScale;
      const tol = compiled.model.scoresAreFloat ? 1e-3 * Math.max(1, Math.abs(f.scores[c])) : 1e-9;
      assert.ok(Math.abs(real - f.scores[c]) <= tol, `${trained.spec.name}: sample ${i} score ${c}: ${real} vs float64 ${f.scores[c]}`);
    });
  });
}

describe('compiler: lowering + exact reference vs a float64 forward pass', () => {
  for (const spec of ARCHITECTURES) {
    it(`${spec.name}: same class on every sample, integer scores exact`, () => {
      for (const seed of [1, 2, 3]) {
        const trained = syntheticModel(spec, seed);
        checkAgainstForward64(trained, randomInputs(SAMPLES, spec.input.shape.reduce((a, b) => a * b, 1), seed + 100));
      }
    });
  }
});


describe('compiler: header, hash and bad inputs', () => {
  const spec = ARCHITECTURES[0];
  it('emits the bnn_model.h interface with the plan numbers', () => {
    const c = compileModel(syntheticModel(spec, 1), { board: 'qemu-stm32' });
    const h = c.files['bnn_model.h'];
    assert.match(h, /#define BNN_INPUT_SIZE\s+100\n/);
    assert.match(h, /#define BNN_NUM_CLASSES\s+10\n/);
    assert.match(h, /#define BNN_SCORES_ARE_FLOAT 0\n/);
    assert.match(h, new RegExp(`#define BNN_MODEL_HASH\\s+"${c.hash}"`));
    assert.match(h, new RegExp(`#define BNN_FLASH_BYTES\\s+${c.plan.flashBytes}\\n`));
    assert.match(h, new RegExp(`#define BNN_RAM_BYTES\\s+${c.plan.ramBytes}\\n`));
    assert.match(h, /int bnn_infer\(const uint8_t input\[BNN_INPUT_SIZE\], bnn_score_t scores\[BNN_NUM_CLASSES\]\);/);
    assert.match(c.hash, /^[0-9a-f]{16}$/);
    assert.doesNotMatch(c.files['bnn_model.c'], /malloc/);
  });

  it('hash is stable and changes with a single weight or threshold', () => {
    const a = syntheticModel(spec, 1);
    assert.equal(modelHash(a), modelHash(syntheticModel(spec, 1)));
    const b = syntheticModel(spec, 1);
    b.weights.d2.kernel![5] = -b.weights.d2.kernel![5];
    assert.notEqual(modelHash(b), modelHash(a));
    const c = syntheticModel(spec, 1);
    c.weights.bn2.beta![0] += 100;
    assert.notEqual(modelHash(c), modelHash(a));
  });

  const broken: [string, (t: TrainedModel) => void, RegExp][] = [
    ['a non-binary value in a quantized kernel', (t) => { t.weights.d1.kernel![3] = 0.25; }, /layer 'd1' \(QuantDense\).*value 3 is 0.25, not ±1/],
    ['missing layer weights', (t) => { delete t.weights.d2; }, /layer 'd2' \(QuantDense\) has no weights/],
    ['a kernel of the wrong size', (t) => { t.weights.d1.kernel = new Float32Array(5); }, /layer 'd1'.*kernel \(\[100, 70\]\) has 5 values, expected 7000/],
    ['a missing BatchNorm statistic', (t) => { delete t.weights.bn1.movingVariance; }, /layer 'bn1'.*missing moving_variance/],
    ['a NaN BatchNorm statistic', (t) => { t.weights.bn2.movingMean![4] = NaN; }, /moving_mean\[4\] is NaN/],
    ['a negative variance', (t) => { t.weights.bn2.movingVariance![1] = -1; }, /moving_variance\[1\] \+ epsilon = .* is not positive/],
  ];
  for (const [what, breakIt, message] of broken) {
    it(`rejects ${what} with a CompileError naming the layer`, () => {
      const t = syntheticModel(spec, 1);
      breakIt(t);
      assert.throws(() => compileModel(t), (e: unknown) => e instanceof CompileError && message.test(e.message));
    });
  }
});


describe('compiler: refuses a model that does not fit the board it compiles for', () => {
  it('throws DoesNotFitError with the numbers before emitting any C', () => {
    const spec = loadModelText(templateText(TEMPLATES.find((t) => t.id === 'binarynet-cifar10')!), 'b.bnn.json').spec!;
    const trained = syntheticModel(spec, 5);
    // 1768752 B of model + 32 KB firmware against the F401RE's 512 KB; against the 96 KB RAM, 23040 B + 16 KB fit.
    assert.throws(() => compileModel(trained, { board: 'nucleo-f401re' }), (e: unknown) => e instanceof DoesNotFitError
      && e.boardId === 'nucleo-f401re' && e.assessment.flash.used === 1768752 + 32 * 1024 && e.assessment.ram.level === 'ok'
      && /does not fit STM32 Nucleo-F401RE \(nucleo-f401re\): it needs 1\.72 MB flash/.test(e.message));
    assert.doesNotThrow(() => compileModel(trained, { board: 'an-unknown-target' }), 'an id outside the boards table is only recorded');
  });
});
