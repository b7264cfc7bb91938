// Estimator speed: load + validate + estimate a 100-layer model (what every keystroke in a model file costs the
// CodeLens, the diagnostics and the status bar), and the bundled examples for scale.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

export const id = 'estimator';
export const title = 'Estimator (load, validate, estimate)';

/** 100 layers: a real-input binary conv, 48 binary conv + BatchNorm blocks at 32×32 (same padding), Flatten, Dense. */
export function hundredLayerModel() {
  const layers = [
    { type: 'QuantConv2D', filters: 64, kernelSize: 3, padding: 'same', inputQuantizer: null, kernelQuantizer: 'ste_sign', useBias: false },
    { type: 'BatchNormalization', scale: false },
  ];
  for (let i = 0; i < 48; i++) {
    layers.push({ type: 'QuantConv2D', filters: 64, kernelSize: 3, padding: 'same', inputQuantizer: 'ste_sign', kernelQuantizer: 'ste_sign', useBias: false });
    layers.push({ type: 'BatchNormalization', scale: false });
  }
  layers.push({ type: 'Flatten' }, { type: 'QuantDense', units: 10, inputQuantizer: 'ste_sign', kernelQuantizer: 'ste_sign', useBias: false });
  return { name: 'deep100', input: { shape: [32, 32, 3] }, classes: 10, layers };
}

export async function run(ctx) {
  const core = createRequire(import.meta.url)(await ctx.bundle('core', `
    export { loadModelText } from './src/core/model/load';
    export { summarize } from './src/core/estimate/summary';
  `));
  const models = [['100-layer model (49 binary 3×3 convs + BN at 32×32×64)', JSON.stringify(hundredLayerModel(), null, 2)]];
  for (const f of readdirSync(join(ctx.root, 'examples')).filter((f) => f.endsWith('.bnn.json')).sort()) {
    models.push([`examples/${f}`, readFileSync(join(ctx.root, 'examples', f), 'utf8')]);
  }
  const rows = [];
  for (const [name, text] of models) {
    const loaded = core.loadModelText(text, name);
    if (!loaded.spec || loaded.diagnostics.some((d) => d.severity === 'error')) throw new Error(`${name} is not valid: ${loaded.diagnostics[0]?.message}`);
    if (name.startsWith('100') && loaded.spec.layers.length !== 100) throw new Error(`expected 100 layers, got ${loaded.spec.layers.length}`);
    const load = await ctx.time(() => core.loadModelText(text, name), { runs: 200, warmup: 20 });
    const est = await ctx.time(() => core.summarize(loaded.spec), { runs: 200, warmup: 20 });
    const both = await ctx.time(() => core.summarize(core.loadModelText(text, name).spec), { runs: 200, warmup: 20 });
    rows.push([name, String(loaded.spec.layers.length), `${(text.length / 1024).toFixed(1)} KB`, ctx.ms(load.median), ctx.ms(est.median), ctx.ms(both.median), ctx.ms(both.p90)]);
  }
  return [
    ctx.table(['Model', 'Layers', 'Text', 'Load + validate', 'Estimate', 'Both (median)', 'Both (p90)'], rows),
    '',
    '"Load + validate" is `loadModelText` (JSON parse with positions, JSON Schema via ajv, defaults, shape inference);',
    '"Estimate" is `summarize` (deployment plan and Larq-style rows). 200 runs each after 20 warm-up runs, in one',
    'warm Node process, bundled by esbuild exactly as in the extension.',
  ].join('\n');
}
