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

/** Fewest instructions per 32-bit word for XNOR-popcount on Cortex-M4: 2 loads, 1 EOR, 7 SWAR steps with the masks
 * in registers (AND with a shifted operand is one instruction), 1 accumulate. */
const BOUND_PER_WORD = 11;

function popcountTable(ctx) {
  const dir = join(ctx.root, 'scripts', 'bench', 'cm4');
  const elf = join(ctx.scratch('popcount'), 'popbench.elf');
  execFileSync('arm-none-eabi-gcc', ['-mcpu=cortex-m4', '-mthumb', '-O2', '-Wall', '-Wextra', '-Werror', '-nostartfiles',
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
  writeFileSync(join(dir, 'bnn_model.h'), files['bnn_model.h']);
  const timed = files['bnn_model.c']
    .replace('#include "bnn_model.h"', '#include "bnn_model.h"\nvoid bnn_bench_begin(void);\nvoid bnn_bench_end(int stage);')
    .replace(/^  (bnn_stage(\d+)\(.*\);)$/gm, '  bnn_bench_begin();\n  $1\n  bnn_bench_end($2);');
  writeFileSync(join(dir, 'bnn_model.c'), timed);
  const cm4 = join(ctx.root, 'scripts', 'bench', 'cm4');
  const elf = join(dir, 'stages.elf');
  execFileSync('arm-none-eabi-gcc', ['-mcpu=cortex-m4', '-mthumb', '-O2', '-std=c99', '-nostartfiles', '-I', dir,
    '-T', join(cm4, 'qemu-m4.ld'), '-o', elf, join(cm4, 'stages.c'), join(dir, 'bnn_model.c'), '-lgcc']);
  const out = qemu(elf);
  const stages = [...out.matchAll(/^stage (\d+) (\d+)$/gm)].map((m) => Number(m[2]));
  return stages;
}

/** Pooled MAC evaluations of a stage (windows outside a 'same' pool are not computed). */
function evaluations(s) {
  if (!s.pool) return s.outH * s.outW;
  const p = s.pool.geom;
  let n = 0;
  for (let oy = 0; oy < p.outH; oy++) for (let ox = 0; ox < p.outW; ox++) {
    for (let py = 0; py < p.ph; py++) for (let px = 0; px < p.pw; px++) {
      const y = oy * p.sh - p.padTop + py; const x = ox * p.sw - p.padLeft + px;
      if (y >= 0 && y < p.inH && x >= 0 && x < p.inW) n++;
    }
  }
  return n;
}

/** 32-bit words an inference XORs and counts (every window of every XNOR stage, pooled windows included). */
function xnorWords(model) {
  let words = 0;
  for (const s of model.stages) {
    if ((s.kind !== 'conv' && s.kind !== 'dense') || s.mode !== 'xnor') continue;
    let evals = s.outH * s.outW;
    if (s.pool) {
      const p = s.pool.geom;
      evals = 0;
      for (let oy = 0; oy < p.outH; oy++) for (let ox = 0; ox < p.outW; ox++) {
        for (let py = 0; py < p.ph; py++) for (let px = 0; px < p.pw; px++) {
          const y = oy * p.sh - p.padTop + py; const x = ox * p.sw - p.padLeft + px;
          if (y >= 0 && y < p.inH && x >= 0 && x < p.inW) evals++;
        }
      }
    }
    words += evals * s.geom.cout * s.rowWords;
  }
  return words;
}

function realMacs(model) {
  let macs = 0;
  for (const s of model.stages) {
    if ((s.kind !== 'conv' && s.kind !== 'dense') || s.mode === 'xnor') continue;
    macs += s.outH * s.outW * s.geom.cout * s.geom.kh * s.geom.kw * s.geom.cin * (s.pool ? s.pool.geom.ph * s.pool.geom.pw : 1);
  }
  return macs;
}

export async function run(ctx) {
  const core = createRequire(import.meta.url)(await ctx.bundle('core', `
    export { compileModel } from './src/core/compile/compile';
    export { referenceInfer } from './src/core/compile/reference';
    export { benchOnEmulator } from './src/core/device/bench';
    export { loadModelText } from './src/core/model/load';
    export { TEMPLATES, templateText } from './src/core/model/templates';
    export { syntheticModel, randomInputs } from './test/support/syntheticModel';
  `));
  const sections = [popcountTable(ctx), ''];
  const rows = [];
  const stageRows = [];
  for (const t of core.TEMPLATES) {
    const spec = core.loadModelText(core.templateText(t), `${t.id}.bnn.json`).spec;
    const trained = core.syntheticModel(spec, 1);
    const compileTime = await ctx.time(() => core.compileModel(trained), { runs: 3, warmup: 1 });
    const compiled = core.compileModel(trained, { board: 'qemu-stm32' });
    const plan = compiled.plan;
    if (plan.flashBytes > 1024 * 1024) {
      rows.push([t.id, ctx.ms(compileTime.median), `${plan.flashBytes.toLocaleString('en-US')} (does not fit 1 MB)`, '–', '–', '–', '–', '–']);
      continue;
    }
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
    const words = xnorWords(compiled.model);
    const median = report.result.latency.median;
    const perStage = stageInstructions(ctx, t.id, compiled.files);
    compiled.model.stages.forEach((s, k) => {
      const mac = s.kind === 'conv' || s.kind === 'dense';
      const evals = mac ? evaluations(s) * s.geom.cout : 0;
      const work = !mac ? '' : s.mode === 'xnor' ? `${(evals * s.rowWords).toLocaleString('en-US')} words` : `${(evals * s.geom.kh * s.geom.kw * s.geom.cin).toLocaleString('en-US')} MACs`;
      const units = !mac ? 0 : s.mode === 'xnor' ? evals * s.rowWords : evals * s.geom.kh * s.geom.kw * s.geom.cin;
      const per = units ? (perStage[k] / units).toFixed(1) : '';
      const bound = mac && s.mode === 'xnor' ? `${(perStage[k] / (units * BOUND_PER_WORD)).toFixed(2)}×` : '';
      stageRows.push([t.id, `${k}: ${s.kind} '${s.name}' (${mac ? s.mode : s.kind})`, (perStage[k] ?? 0).toLocaleString('en-US'), work, per, bound]);
    });
    rows.push([
      t.id, ctx.ms(compileTime.median),
      `${report.build.size.modelFlash.toLocaleString('en-US')} / ${plan.flashBytes.toLocaleString('en-US')}`,
      `${report.build.size.modelRam.toLocaleString('en-US')} / ${plan.ramBytes.toLocaleString('en-US')}`,
      median.toLocaleString('en-US'),
      `${words.toLocaleString('en-US')} words → ${(words * BOUND_PER_WORD).toLocaleString('en-US')}`,
      realMacs(compiled.model).toLocaleString('en-US'),
      words ? `${(median / (words * BOUND_PER_WORD)).toFixed(2)}×` : '–',
    ]);
  }
  sections.push(
    ctx.table(['Template (random ±1 weights)', 'Compile', 'Model flash B (ELF / plan)', 'Model RAM B (ELF / plan)', 'Instructions / inference (median, emulated)', `XNOR bound (${BOUND_PER_WORD} instr/word)`, 'First-layer real-input MACs', 'Ratio to bound'], rows),
    '',
    '',
    ctx.table(['Template', 'Stage', 'Instructions', 'Work', 'Instructions / unit', 'XNOR: ratio to bound'], stageRows),
    '',
    'Per stage: bnn_model.c with each stage call timed by TIM2 (one inference, a pseudo-random input), same flags.',
    `The bound counts only the XNOR-popcount words (${BOUND_PER_WORD} instructions each: 2 loads, EOR, 7 SWAR steps, accumulate);`,
    'the first layer on 8-bit pixels is a ±1 multiply-accumulate per pixel (see its instructions per MAC per stage) and is',
    'counted in the whole-model ratio, which is therefore an upper bound on the XNOR overhead. Model bytes are the arrays in the firmware\'s',
    'objects (arm-none-eabi-nm) next to the plan the estimator reports; every board answer equals referenceInfer.',
  );
  return sections.join('\n');
}
