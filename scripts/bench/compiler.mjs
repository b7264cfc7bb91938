// The compiler: XNOR-popcount cost per 32-bit word on Cortex-M4 (the popcount choice), and the template models
// compiled with random ±1 weights and run on the emulated board: instructions per inference next to the XNOR-popcount
// lower bound, and the model's arrays in the firmware next to the estimate. Needs arm-none-eabi-gcc and
// qemu-system-arm (QEMU netduinoplus2 with -icount shift=0: TIM2 advances once per executed instruction).
import { spawnSync, execFileSync } from 'node:child_process';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

export const id = 'compiler';
export const title = 'Compiled models on the emulated Cortex-M4 (instructions, bytes, popcount)';

function popcountTable(ctx) {
  const dir = join(ctx.root, 'scripts', 'bench', 'cm4');
  const scratch = ctx.scratch('popcount');
  const elf = join(scratch, 'popbench.elf');
  // The runtime's popcount loop, the one bnn_model.c includes, so the row measures what the model runs.
  // The firmware's flags (src/core/device/build.ts): with hard float GCC allocates the lane accumulator differently.
  execFileSync('arm-none-eabi-gcc', ['-mcpu=cortex-m4', '-mthumb', '-mfloat-abi=hard', '-mfpu=fpv4-sp-d16', '-O2', '-Wall', '-Wextra', '-Werror', '-nostartfiles', '-I', join(ctx.root, 'firmware', 'runtime'),
    '-T', join(dir, 'qemu-m4.ld'), '-o', elf, join(dir, 'popbench.c'), '-lgcc']);
  const r = spawnSync('qemu-system-arm', ['-M', 'netduinoplus2', '-nographic', '-monitor', 'none', '-serial', 'none', '-icount', 'shift=0',
    '-semihosting-config', 'enable=on,target=native', '-kernel', elf], { encoding: 'utf8', timeout: 60_000 });
  if (r.error || r.status !== 0) throw new Error(`popbench on QEMU failed: ${r.error?.message ?? r.stderr}`);
  // QEMU writes the semihosting console to stderr.
  const rows = `${r.stdout}${r.stderr}`.trim().split('\n').map((line) => {
    const m = /^(.*?)\s+([\d.]+) instructions\/word(.*)$/.exec(line.trim());
    if (!m || m[3]) throw new Error(`popbench: ${line}`);
    return [m[1], m[2]];
  });
  return ctx.table(['Popcount of a ⊕ b over 512-word rows', 'Instructions / word'], rows);
}

function qemu(elf) {
  const r = spawnSync('qemu-system-arm', ['-M', 'netduinoplus2', '-nographic', '-monitor', 'none', '-serial', 'none', '-icount', 'shift=0',
    '-semihosting-config', 'enable=on,target=native', '-kernel', elf], { encoding: 'utf8', timeout: 120_000 });
  if (r.error || r.status !== 0) throw new Error(`QEMU failed: ${r.error?.message ?? r.stderr}`);
  return `${r.stdout}${r.stderr}`;
}

/** Instructions of each stage of one inference: bnn_model.c with every stage call timed, on QEMU. */
function stageInstructions(ctx, name, files) {
  const dir = ctx.scratch(`${name}-stages`);
  for (const [name, text] of Object.entries(files)) if (name !== 'bnn_model.c') writeFileSync(join(dir, name), text);
  const timed = files['bnn_model.c']
    .replace('#include "bnn_model.h"', '#include "bnn_model.h"\nvoid bnn_bench_begin(void);\nvoid bnn_bench_end(int stage);')
    .replace(/^  (bnn_stage(\d+)\(.*\);)$/gm, '  bnn_bench_begin();\n  $1\n  bnn_bench_end($2);');
  writeFileSync(join(dir, 'bnn_model.c'), timed);
  const cm4 = join(ctx.root, 'scripts', 'bench', 'cm4');
  const elf = join(dir, 'stages.elf');
  // The firmware's flags (src/core/device/build.ts): hard-float FPU, so float epilogues cost what they cost on the board.
  execFileSync('arm-none-eabi-gcc', ['-mcpu=cortex-m4', '-mthumb', '-mfloat-abi=hard', '-mfpu=fpv4-sp-d16', '-O2', '-std=c99', '-nostartfiles', '-I', dir,
    '-T', join(cm4, 'qemu-m4.ld'), '-o', elf, join(cm4, 'stages.c'), join(dir, 'bnn_model.c'), '-lgcc']);
  const out = qemu(elf);
  const stages = [...out.matchAll(/^stage (\d+) (\d+)$/gm)].map((m) => Number(m[2]));
  return stages;
}

export async function run(ctx) {
  const core = createRequire(import.meta.url)(await ctx.bundle('core', `
    export { compileModel } from './src/core/compile/compile';
    export { referenceInfer } from './src/core/compile/reference';
    export { benchOnEmulator } from './src/core/device/bench';
    export { loadModelText } from './src/core/model/load';
    export { TEMPLATES, templateText } from './src/core/model/templates';
    export { syntheticModel, randomInputs } from './test/support/syntheticModel';
    export { instructionBound, BOUND_DEFINITION } from './src/core/deploy/bound';
    export { slicedEligible } from './src/core/compile/codegenSliced';
  `));
  const sections = [popcountTable(ctx), ''];
  const rows = [];
  const stageRows = [];
  /** One row per stage of a compiled model: its instructions next to its lower bound. */
  const stageTable = (name, spec, compiled, perStage) => {
    const bound = core.instructionBound(spec, compiled.plan);
    compiled.model.stages.forEach((s, k) => {
      const mac = s.kind === 'conv' || s.kind === 'dense';
      const b = bound.stages[k];
      const units = b.xnorWords || b.u8Macs || b.otherMacs;
      const work = !mac ? '' : b.xnorWords ? `${b.xnorWords.toLocaleString('en-US')} words` : `${units.toLocaleString('en-US')} ${b.u8Macs ? '8-bit-input ' : ''}MACs`;
      const per = units ? (perStage[k] / units).toFixed(2) : '';
      const kernel = !mac ? s.kind : s.mode === 'xnor' ? (core.slicedEligible(s) ? 'xnor, bit-sliced' : 'xnor, SWAR popcount') : s.scratch ? `${s.mode}, ${({ 'u8-tables': 'lookup tables', 'u8-planes': 'code planes', 'f32-band': 'float band' })[s.scratch.kind]}` : s.mode;
      stageRows.push([name, `${k}: ${s.kind} '${s.name}' (${kernel})`, (perStage[k] ?? 0).toLocaleString('en-US'), work, per,
        b.instructions ? Math.round(b.instructions).toLocaleString('en-US') : '', b.instructions ? `${(perStage[k] / b.instructions).toFixed(2)}×` : '']);
    });
  };
  for (const t of core.TEMPLATES) {
    const spec = core.loadModelText(core.templateText(t), `${t.id}.bnn.json`).spec;
    const trained = core.syntheticModel(spec, 1);
    const compileTime = await ctx.time(() => core.compileModel(trained), { runs: 3, warmup: 1 });
    // Without a board first: compiling for one refuses a model that does not fit it (BinaryNet's 1.7 MB).
    const unbound = core.compileModel(trained);
    const plan = unbound.plan;
    if (plan.flashBytes > 1024 * 1024) {
      rows.push([t.id, ctx.ms(compileTime.median), `${plan.flashBytes.toLocaleString('en-US')} (does not fit 1 MB)`, '–', '–', '–', '–', '–', '–']);
      // Its conv stages still run: the same layers up to the Flatten, then one dense layer to the classes (fits).
      const head = spec.layers.findIndex((l) => l.type === 'Flatten');
      if (head < 0) continue;
      const convs = {
        ...spec, name: `${spec.name}_convs`,
        layers: [...spec.layers.slice(0, head + 1), { type: 'QuantDense', name: 'head', units: spec.classes, inputQuantizer: 'ste_sign', kernelQuantizer: 'ste_sign', useBias: false }],
      };
      const c = core.compileModel(core.syntheticModel(convs, 1), { board: 'qemu-stm32' });
      stageTable(`${t.id} convs (dense head → 1 layer)`, convs, c, stageInstructions(ctx, `${t.id}-convs`, c.files));
      continue;
    }
    const compiled = core.compileModel(trained, { board: 'qemu-stm32' });
    const work = ctx.scratch(t.id);
    const modelDir = join(work, 'model');
    mkdirSync(modelDir);
    for (const [name, text] of Object.entries(compiled.files)) writeFileSync(join(modelDir, name), text);
    const inputs = core.randomInputs(20, compiled.model.inputBytes, 2);
    const report = await core.benchOnEmulator({
      board: 'qemu-stm32', modelDir, workDir: join(work, 'fw'), hash: compiled.hash, what: t.id,
      estimate: { flash: plan.flashBytes, ram: plan.ramBytes }, inputs, labels: inputs.map(() => 0),
      reference: (x) => core.referenceInfer(compiled.model, x),
    });
    if (report.mismatches.length) throw new Error(`${t.id}: ${report.mismatches.length} samples differ from the reference on the board`);
    const bound = core.instructionBound(spec, plan);
    const median = report.result.latency.median;
    stageTable(t.id, spec, compiled, stageInstructions(ctx, t.id, compiled.files));
    rows.push([
      t.id, ctx.ms(compileTime.median),
      `${report.build.size.modelFlash.toLocaleString('en-US')} / ${plan.flashBytes.toLocaleString('en-US')}`,
      `${report.build.size.modelRam.toLocaleString('en-US')} / ${plan.ramBytes.toLocaleString('en-US')}`,
      median.toLocaleString('en-US'),
      bound.xnorWords.toLocaleString('en-US'),
      bound.u8Macs.toLocaleString('en-US'),
      Math.round(bound.instructions).toLocaleString('en-US'),
      `${(median / bound.instructions).toFixed(2)}×`,
    ]);
  }
  sections.push(
    ctx.table(['Template (random ±1 weights)', 'Compile', 'Model flash B (ELF / plan)', 'Model RAM B (ELF / plan)', 'Instructions / inference (median, emulated)', 'XNOR words', '8-bit-input MACs', 'Lower bound', 'Ratio to bound (goal ≤ 1.5×)'], rows),
    '',
    '',
    ctx.table(['Template', 'Stage', 'Instructions', 'Work', 'Instructions / unit', 'Lower bound', 'Ratio to bound'], stageRows),
    '',
    'Per stage: bnn_model.c with each stage call timed by TIM2 (one inference, a pseudo-random input), built with the firmware\'s flags (-O2, hard-float FPU).',
    core.BOUND_DEFINITION,
    'Model RAM includes the first-layer lookup tables and code planes (plan.ts firstLayerScratch, convPlaneScratch) and the padded band of',
    'input rows of \'same\' XNOR convs (plan.ts paddedInput). Model bytes are the arrays in the firmware\'s',
    'objects (arm-none-eabi-nm) next to the plan the estimator reports; every board answer equals referenceInfer.',
  );
  return sections.join('\n');
}
