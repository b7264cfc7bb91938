/**
 * Graph models: the graph's resolution and warnings, the plan of a small hand-built residual model with every number
 * computed here by hand, and the arena's one invariant (tensors alive at the same time never share bytes) on every
 * compiler test architecture.
 */
import { strict as assert } from 'node:assert';
import { planModel, type DeployPlan } from '../../src/core/deploy/plan';
import { modelGraph } from '../../src/core/model/graph';
import { loadModelText } from '../../src/core/model/load';
import type { ModelSpec } from '../../src/core/model/spec';
import { ARCHITECTURES } from '../support/compileArchitectures';

const RESIDUAL = {
  name: 'tiny-residual', input: { shape: [4, 4, 1] }, classes: 2,
  layers: [
    { type: 'QuantConv2D', name: 'c0', filters: 4, kernelSize: 3, padding: 'same', useBias: false },
    { type: 'BatchNormalization', name: 'bn0' },
    { type: 'QuantConv2D', name: 'b1', filters: 4, kernelSize: 3, padding: 'same', inputQuantizer: 'ste_sign', kernelQuantizer: 'ste_sign', useBias: false, inputs: ['bn0'] },
    { type: 'BatchNormalization', name: 'bn1' },
    { type: 'Add', name: 'add', inputs: ['bn0', 'bn1'] },
    { type: 'GlobalAveragePooling2D', name: 'gap' },
    { type: 'QuantDense', name: 'out', units: 2 },
  ],
};

function load(doc: unknown): ReturnType<typeof loadModelText> {
  return loadModelText(JSON.stringify(doc, null, 2), 'm.bnn.json');
}

/** Every pair of tensors whose lives overlap has disjoint bytes. Lives computed here from the stages. */
function assertArenaSound(plan: DeployPlan, what: string): void {
  const first = plan.tensors.map((t) => (t.id === plan.input.id ? -1 : plan.stages.findIndex((s) => s.output.id === t.id)));
  const last = plan.tensors.map((t, i) => Math.max(first[i], ...plan.stages.map((s, k) => (s.inputs.some((x) => x.id === t.id) ? k : -2))));
  last[plan.output.id] = plan.stages.length;
  for (let a = 0; a < plan.tensors.length; a++) {
    for (let b = a + 1; b < plan.tensors.length; b++) {
      if (first[a] > last[b] || first[b] > last[a]) continue;
      // An in-place stage's output takes the bytes of the input that dies at that very stage.
      const handOff = plan.arena.inPlace.some(([o, i]) => (o === a && i === b && last[b] === first[a]) || (o === b && i === a && last[a] === first[b]));
      if (handOff) continue;
      const [oa, ob] = [plan.arena.offsets[a], plan.arena.offsets[b]];
      const disjoint = oa + plan.tensors[a].bytes <= ob || ob + plan.tensors[b].bytes <= oa;
      assert.ok(disjoint, `${what}: tensors ${a} and ${b} are alive together but overlap`);
    }
    assert.ok(plan.arena.offsets[a] % 4 === 0 && plan.arena.offsets[a] + plan.tensors[a].bytes <= plan.arena.bytes, `${what}: tensor ${a} outside the arena`);
  }
}

describe('graph models', () => {
  it('resolves inputs: implicit previous layer, named layers, the model input; readers and the output', () => {
    const m = load(RESIDUAL);
    assert.ok(m.spec, JSON.stringify(m.diagnostics));
    const g = modelGraph(m.spec);
    assert.deepEqual(g.inputs, [[-1], [0], [1], [2], [1, 3], [4], [5]]);
    assert.deepEqual(g.consumers[1], [2, 4]);
    assert.equal(g.output, 6);
    assert.equal(g.isChain, false);
    assert.ok(g.live.every(Boolean));
  });

  it('a layer nothing reads is a positioned warning, and is left out of the plan', () => {
    const doc = structuredClone(RESIDUAL) as typeof RESIDUAL;
    // Without "inputs" the GAP would read the layer listed before it: the new one. Name its input to skip it.
    doc.layers.splice(5, 0, { type: 'QuantConv2D', name: 'unused', filters: 2, kernelSize: 1, inputs: ['add'] } as never);
    (doc.layers[6] as { inputs?: string[] }).inputs = ['add'];
    const m = load(doc);
    assert.ok(m.spec, 'warnings do not stop the model');
    assert.equal(m.diagnostics.length, 1);
    const [d] = m.diagnostics;
    assert.equal(d.severity, 'warning');
    assert.match(d.message, /layer 6 \(QuantConv2D 'unused'\): nothing reads its output/);
    assert.deepEqual(d.path, ['layers', 5]);
    const plan = planModel(m.spec);
    assert.ok(!plan.stages.some((s) => s.layers.includes(5)), 'no stage for the dead layer');
    assert.equal(plan.flashBytes, planModel(load(RESIDUAL).spec!).flashBytes);
  });

  it('checks a BatchNormalization\'s "axis" against the input it names, not the layer listed before it', () => {
    const doc = {
      name: 'bn-axis', input: { shape: [4, 4, 1] }, classes: 2,
      layers: [
        { type: 'QuantConv2D', name: 'c0', filters: 4, kernelSize: 3, padding: 'same' },
        { type: 'GlobalAveragePooling2D', name: 'gap' },
        // reads c0's [4, 4, 4]: axis 3 is its channel axis (the GAP listed before it is flat, where 3 would be wrong)
        { type: 'BatchNormalization', name: 'bn', inputs: ['c0'], axis: 3 },
        { type: 'GlobalAveragePooling2D', name: 'gap2' },
        { type: 'QuantDense', name: 'out', units: 2, inputs: ['gap2'] },
      ],
    };
    const m = load(doc);
    assert.deepEqual(m.diagnostics.filter((d) => d.severity === 'error'), []);
    const flat = structuredClone(doc);
    (flat.layers[2] as { inputs: string[] }).inputs = ['gap'];
    flat.layers.splice(3, 1);
    (flat.layers[3] as { inputs: string[] }).inputs = ['bn'];
    assert.match(load(flat).diagnostics.map((d) => d.message).join('\n'), /layer 3 \(BatchNormalization 'bn'\) "axis"/);
  });

  it('an unknown input name is reported on that very string, with a suggestion', () => {
    const doc = structuredClone(RESIDUAL) as typeof RESIDUAL;
    (doc.layers[4] as { inputs: string[] }).inputs = ['bn0', 'bn_1'];
    const text = JSON.stringify(doc, null, 2);
    const m = loadModelText(text, 'm.bnn.json');
    assert.equal(m.spec, undefined);
    const d = m.diagnostics[0];
    assert.match(d.message, /layer 5 \(Add 'add'\): reads 'bn_1', which is no layer of this model \(did you mean 'bn1'\?\)/);
    const line = text.split('\n')[d.range.start.line];
    assert.equal(line.slice(d.range.start.character, d.range.end.character), '"bn_1"');
  });

  it('plans the residual model with the numbers worked out by hand', () => {
    const plan = planModel(load(RESIDUAL).spec!);
    // The Add folds into b1's stage (its shortcut bn0 is computed before): b1 writes bn0 + its BatchNorm'd sums.
    assert.deepEqual(plan.stages.map((s) => s.kind), ['conv', 'binarize', 'conv', 'gap', 'dense']);
    assert.deepEqual(plan.stages[2].layers, [2, 3, 4]);
    // c0: 3·3·1·4 float32 weights + a float scale and offset per channel (its BatchNorm, read by an Add: float out).
    // b1: 4 rows of 9 positions × 1 word of packed signs + its BatchNorm as scale/offset. out: 4·2 floats + 2 × 8 B.
    assert.deepEqual(plan.stages.map((s) => s.kernelBytes + s.epilogueBytes), [36 * 4 + 4 * 8, 0, 4 * 9 * 4 + 4 * 8, 0, 4 * 2 * 4 + 2 * 8]);
    assert.equal(plan.flashBytes, 176 + 176 + 48);
    const [c0, bn0, b1, bn1, add, gap, out] = plan.layers;
    assert.deepEqual([c0.floatParams, bn0.floatParams, b1.binaryParams, bn1.floatParams, add.floatParams, gap.floatParams, out.floatParams], [36, 8, 144, 8, 0, 0, 10]);
    assert.deepEqual([c0.flashBytes, b1.flashBytes, bn1.flashBytes, add.flashBytes], [144, 144, 32, 0]);
    assert.deepEqual([c0.floatMacs, b1.binaryMacs, out.floatMacs], [16 * 9 * 4, 16 * 9 * 4 * 4, 4 * 2]);
    // Tensors: input 16 B, c0+bn0 256 B (float 4×4×4), its signs 64 B, b1+bn1+add 256 B, gap 16 B, scores 8 B.
    assert.deepEqual(plan.tensors.map((t) => t.bytes), [16, 256, 64, 256, 16, 8]);
    // b1's stage reads bn0's element (pos, o) just before it writes the same element, and nothing reads bn0 after it:
    // the Add's output overwrites bn0 in place, so a block costs one float map and its signs, 256 + 64 B.
    assert.deepEqual(plan.arena.inPlace, [[3, 1]]);
    assert.equal(plan.arena.offsets[3], plan.arena.offsets[1]);
    assert.equal(plan.arena.bytes, 320);
    assert.equal(plan.ramBytes, plan.arena.bytes + plan.scratchBytes + plan.paddedBytes);
    // The stream: bn0 (the shortcut) and the block's output, which shares its bytes.
    assert.deepEqual(plan.residual, { tensors: 2, repr: 'f32', largestBytes: 256 });
    assertArenaSound(plan, 'tiny-residual');
  });

  it('an Add of three inputs is a stage of its own and may overwrite an input that dies there', () => {
    const doc = structuredClone(RESIDUAL) as typeof RESIDUAL;
    doc.layers.splice(4, 1,
      { type: 'QuantConv2D', name: 'b2', filters: 4, kernelSize: 1, inputQuantizer: 'ste_sign', kernelQuantizer: 'ste_sign', useBias: false, inputs: ['bn0'] } as never,
      { type: 'BatchNormalization', name: 'bn2' } as never,
      { type: 'Add', name: 'add', inputs: ['bn0', 'bn1', 'bn2'] } as never);
    const plan = planModel(load(doc).spec!);
    assert.deepEqual(plan.stages.map((s) => s.kind), ['conv', 'binarize', 'conv', 'conv', 'add', 'gap', 'dense']);
    assert.deepEqual(plan.residual, { tensors: 4, repr: 'f32', largestBytes: 256 });
    // At the Add: three 256-byte maps alive; its output takes the first's bytes. While b2 runs: bn0, its signs, bn1 and
    // b2's output are alive: 3 · 256 + 64 = 832 B.
    assert.equal(plan.arena.bytes, 832);
    assertArenaSound(plan, 'three-input add');
  });

  it('places every compiler test architecture soundly, chains no larger than ping-pong', () => {
    for (const spec of ARCHITECTURES as ModelSpec[]) {
      const plan = planModel(spec);
      assertArenaSound(plan, spec.name);
      if (modelGraph(spec).isChain) {
        // Ping-pong: the input and even stages' outputs in one half, odd ones in the other.
        const half = (r: number): number => Math.max(0, ...plan.tensors.filter((_, k) => k % 2 === r).map((t) => t.bytes));
        assert.ok(plan.arena.bytes <= half(0) + half(1), spec.name);
      }
    }
  });
});
