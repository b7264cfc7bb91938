/**
 * The RAM-lean first layer (plan.ts FirstLayerKernel 'lean'): no lookup tables or code planes, the estimate exactly
 * that much smaller, another hash, and the C still bit-exact with the reference.
 */
import { strict as assert } from 'node:assert';
import { compileModel } from '../../src/core/compile/compile';
import { planModel } from '../../src/core/deploy/plan';
import { runCompiledOnHost } from '../../src/core/device/hostRun';
import { loadModelText } from '../../src/core/model/load';
import type { ModelSpec } from '../../src/core/model/spec';
import { TEMPLATES, templateText } from '../../src/core/model/templates';
import { randomInputs, syntheticModel } from '../support/syntheticModel';
import { requireTool } from '../support/tools';

const template = (id: string): ModelSpec => loadModelText(templateText(TEMPLATES.find((t) => t.id === id)!), `${id}.bnn.json`).spec!;

describe('RAM-lean first layer', () => {
  const spec = template('binary-mlp');

  it("binary-mlp: the plan drops exactly the tables' bytes from RAM and keeps flash", () => {
    const fast = planModel(spec);
    const lean = planModel(spec, { firstLayer: 'lean' });
    // 784 inputs = 98 groups of 8 → chunks of 32 tables × 256 uint16, plus one int32 partial sum per output (256).
    assert.equal(fast.scratchBytes, 32 * 256 * 2 + 256 * 4);
    assert.equal(lean.scratchBytes, 0);
    assert.equal(lean.ramBytes, fast.ramBytes - fast.scratchBytes);
    assert.equal(lean.flashBytes, fast.flashBytes);
    assert.equal(lean.stages[0].kind, 'dense');
  });

  it('compiles to another hash, with no table kernel, bit-exact on the host', async function () {
    const trained = syntheticModel(spec, 4);
    const fast = compileModel(trained);
    const lean = compileModel(trained, { firstLayer: 'lean' });
    assert.notEqual(lean.hash, fast.hash);
    assert.match(fast.files['bnn_model.c'], /bnn_u8_lookup\(/);
    assert.doesNotMatch(lean.files['bnn_model.c'], /bnn_u8_lookup\(|bnn_s0_tables/);
    const gcc = requireTool(this, 'gcc', 'apt-get install gcc');
    const r = await runCompiledOnHost(lean, randomInputs(20, lean.model.inputBytes, 9), { gcc });
    assert.equal(r.exact, 20, JSON.stringify(r.firstMismatch));
  });
});
