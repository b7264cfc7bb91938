/**
 * The slow half of the compiler's tests (test/slow: `npm run test:slow`, its own CI step): the C compile matrix —
 * every architecture built and run with the host's gcc, and built with arm-none-eabi-gcc (soft and hard float, sizes
 * from the ELF) — and the bundled templates (BinaryNet's CIFAR-10 model among them) built and run. The fast half (the
 * lowering against a float64 forward pass, header, hash and refusals) stays in test/unit/compile.test.ts.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { compileModel } from '../../src/core/compile/compile';
import { referenceInfer } from '../../src/core/compile/reference';
import { loadModelText } from '../../src/core/model/load';
import { TEMPLATES, templateText } from '../../src/core/model/templates';
import type { ModelSpec } from '../../src/core/model/spec';
import { ARCHITECTURES } from '../support/compileArchitectures';
import { ARM_HARD_FLOAT, WARN_FLAGS, armLinkedSymbolSizes, armSymbolSizes, buildHost, removeDir, runHost, writeFiles } from '../support/ccompile';
import { forward64 } from '../support/forward64';
import { randomInputs, syntheticModel } from '../support/syntheticModel';
import { requireTool } from '../support/tools';

const SAMPLES = 120;

describe('compiler: generated C on the host (gcc)', function () {
  before(function () { requireTool(this, 'gcc', 'apt-get install build-essential'); });
  for (const spec of ARCHITECTURES) {
    it(`${spec.name}: -Wall -Wextra -Werror clean, outputs identical to referenceInfer (both popcounts, GNU and portable C paths)`, () => {
      const trained = syntheticModel(spec, 7);
      const compiled = compileModel(trained);
      const inputs = randomInputs(SAMPLES, compiled.model.inputBytes, 8);
      const dir = writeFiles(compiled.files);
      try {
        for (const extra of [[], ['-DBNN_USE_BUILTIN_POPCOUNT'], ['-DBNN_PORTABLE_C']]) {
          const out = runHost(buildHost(dir, extra), inputs, compiled.model.scoresAreFloat);
          assert.equal(out.hash, compiled.hash);
          inputs.forEach((x, i) => {
            const r = referenceInfer(compiled.model, x);
            assert.deepEqual(out.results[i], { class: r.class, scores: r.scores }, `sample ${i} (${extra.join(' ') || 'SWAR, GNU paths'})`);
          });
        }
      } finally {
        removeDir(dir);
      }
    });
  }
});

describe('compiler: XNOR rows past the popcount lane folding (host gcc)', function () {
  before(function () { requireTool(this, 'gcc', 'apt-get install build-essential'); });
  it('counts every mismatch of 63-word rows and 3x3x700 windows (all bits differ, none differ, random)', () => {
    const n = 2011;
    const spec: ModelSpec = {
      name: 'long-rows', input: { shape: [n] }, classes: 3,
      layers: [{ type: 'QuantDense', name: 'd', units: 3, inputQuantizer: 'ste_sign', kernelQuantizer: 'ste_sign', useBias: false }],
    };
    const kernel = new Float32Array(n * 3);
    for (let i = 0; i < n; i++) { kernel[i * 3] = 1; kernel[i * 3 + 1] = i % 3 ? 1 : -1; kernel[i * 3 + 2] = -1; }
    const compiled = compileModel({ spec, weights: { d: { kernel } } });
    const inputs = randomInputs(20, n, 4);
    const dir = writeFiles(compiled.files);
    try {
      const out = runHost(buildHost(dir), inputs, false);
      assert.deepEqual(out.results[0].scores, [-n, -(Math.ceil(n / 3) * -1 + (n - Math.ceil(n / 3))), n]);
      assert.deepEqual(out.results[1].scores, [n, Math.ceil(n / 3) * -1 + (n - Math.ceil(n / 3)), -n]);
      inputs.forEach((x, i) => assert.deepEqual(out.results[i], referenceInfer(compiled.model, x), `sample ${i}`));
    } finally {
      removeDir(dir);
    }
    const conv: ModelSpec = {
      name: 'wide-conv', input: { shape: [4, 4, 700] }, classes: 2,
      layers: [
        { type: 'QuantConv2D', name: 'c', filters: 2, kernelSize: [3, 3], strides: [1, 1], padding: 'same', inputQuantizer: 'ste_sign', kernelQuantizer: 'ste_sign', useBias: false },
        { type: 'MaxPool2D', name: 'p', poolSize: [4, 4], strides: [4, 4], padding: 'valid' },
        { type: 'Flatten', name: 'f' },
      ],
    };
    const trained = syntheticModel(conv, 3);
    trained.weights.c.kernel!.fill(-1);
    const c2 = compileModel(trained);
    const dir2 = writeFiles(c2.files);
    try {
      const x = randomInputs(6, 4 * 4 * 700, 9);
      const out = runHost(buildHost(dir2), x, false);
      // All-255 input (+1): every position, padded (+1) ones too, mismatches the −1 kernel in all 700 channels.
      assert.deepEqual(out.results[1].scores, [-6300, -6300]);
      // All-0 input (−1): an interior window matches everywhere; the max-pool picks it over the padded corners (−700).
      assert.deepEqual(out.results[0].scores, [6300, 6300]);
      x.forEach((xi, i) => assert.deepEqual(out.results[i], referenceInfer(c2.model, xi), `conv sample ${i}`));
    } finally {
      removeDir(dir2);
    }
  });
});

describe('compiler: generated C for Cortex-M4 (arm-none-eabi-gcc)', function () {
  before(function () { requireTool(this, 'arm-none-eabi-gcc', 'apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi'); });
  for (const spec of ARCHITECTURES) {
    it(`${spec.name}: -Werror clean (soft and hard float), array sizes in the objects and the --gc-sections ELF equal the plan`, () => {
      const compiled = compileModel(syntheticModel(spec, 11));
      const plan = compiled.plan;
      const dir = writeFiles(compiled.files);
      try {
        for (const sizes of [armSymbolSizes(dir), armSymbolSizes(dir, ARM_HARD_FLOAT), armLinkedSymbolSizes(dir)]) {
          assert.equal(sizes.get('bnn_arena'), plan.arena.bytes);
          let flash = 0;
          plan.stages.forEach((st, k) => {
            const kernel = sizes.get(`bnn_s${k}_kernel`) ?? 0;
            const epilogue = ['threshold', 'flip', 'scale', 'offset', 'alpha'].reduce((a, n) => a + (sizes.get(`bnn_s${k}_${n}`) ?? 0), 0);
            assert.equal(kernel, st.kernelBytes, `stage ${k} kernel bytes`);
            assert.equal(epilogue, st.epilogueBytes, `stage ${k} epilogue bytes`);
            flash += kernel + epilogue;
          });
          assert.equal(flash, plan.flashBytes);
          plan.stages.forEach((st, k) => {
            const scratch = ['tables', 'sums', 'planes', 'band'].reduce((a, n) => a + (sizes.get(`bnn_s${k}_${n}`) ?? 0), 0);
            assert.equal(scratch, st.scratchBytes, `stage ${k} scratch bytes`);
          });
          assert.equal(sizes.get('bnn_padded') ?? 0, plan.paddedBytes, 'padded conv input bytes');
          // Nothing else holds data: no stray tables or buffers beyond the plan.
          const data = [...sizes.keys()].filter((n) => !/^bnn_(s\d+_(kernel|threshold|flip|scale|offset|alpha|tables|sums|planes|band)|arena|padded)$/.test(n));
          assert.deepEqual(data, []);
        }
      } finally {
        removeDir(dir);
      }
    });
  }
});

describe('compiler: the Cortex-M4 assembly paths stay behind their guard (arm-none-eabi-gcc)', function () {
  before(function () { requireTool(this, 'arm-none-eabi-gcc', 'apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi'); });
  it('first-layer tables, code planes, float bands and XNOR windows compile -Werror for M0, M3, M7, M33 (soft and hard float) and ARM-state A7 / ARM9', function () {
    this.timeout(90_000);
    const cpus = [['-mcpu=cortex-m0', '-mthumb'], ['-mcpu=cortex-m3', '-mthumb'], ['-mcpu=cortex-m7', '-mthumb'], ['-mcpu=cortex-m7', '-mthumb', '-mfloat-abi=hard', '-mfpu=fpv5-d16'],
      ['-mcpu=cortex-m33', '-mthumb'], ['-mcpu=cortex-m33', '-mthumb', '-mfloat-abi=hard', '-mfpu=fpv5-sp-d16'], ['-mcpu=cortex-a7'], ['-mcpu=arm926ej-s']];
    for (const name of ['tables-chunks', 'planes-pool-pairs', 'cnn-same', 'float-band-signs']) {
      const compiled = compileModel(syntheticModel(ARCHITECTURES.find((a) => a.name === name)!, 3));
      const dir = writeFiles(compiled.files);
      try {
        for (const cpu of cpus) {
          execFileSync('arm-none-eabi-gcc', [...cpu, '-O2', ...WARN_FLAGS, '-c', '-o', join(dir, 'm.o'), join(dir, 'bnn_model.c')], { stdio: ['ignore', 'pipe', 'pipe'] });
        }
      } finally {
        removeDir(dir);
      }
    }
  });
});

describe('compiler: the bundled templates', function () {
  before(function () {
    requireTool(this, 'gcc', 'apt-get install build-essential');
    requireTool(this, 'arm-none-eabi-gcc', 'apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi');
  });
  for (const template of TEMPLATES) {
    it(`${template.id}: C = reference = float64 forward on random weights; ELF sizes = plan`, function () {
      // BinaryNet's 1.7 MB of packed kernels take gcc seconds, and its float64 forward ~10 s a sample: that one is
      // checked against the reference only (the same layer kinds are checked against float64 in the small models).
      this.timeout(120_000);
      const spec = loadModelText(templateText(template), `${template.id}.bnn.json`).spec!;
      const trained = syntheticModel(spec, 5);
      // No board: this is a host build, and BinaryNet fits no board (compileModel would refuse it for one).
      const compiled = compileModel(trained);
      const size = compiled.model.inputBytes;
      const big = compiled.plan.flashBytes > 200_000;
      const inputs = randomInputs(big ? 2 : 40, size, 6);
      const dir = writeFiles(compiled.files);
      try {
        const out = runHost(buildHost(dir), inputs, compiled.model.scoresAreFloat);
        inputs.forEach((x, i) => {
          const r = referenceInfer(compiled.model, x);
          assert.deepEqual(out.results[i], { class: r.class, scores: r.scores }, `sample ${i}`);
          if (!big) assert.equal(forward64(trained, x).class, r.class, `sample ${i} vs float64`);
        });
        const sizes = armLinkedSymbolSizes(dir);
        const flash = [...sizes].filter(([n]) => /^bnn_s\d+_(kernel|threshold|flip|scale|offset)$/.test(n)).reduce((a, [, v]) => a + v, 0);
        assert.equal(flash, compiled.plan.flashBytes);
        const scratch = [...sizes].filter(([n]) => /^bnn_s\d+_(tables|sums|planes|band)$/.test(n)).reduce((a, [, v]) => a + v, 0);
        assert.equal((sizes.get('bnn_arena') ?? 0) + scratch + (sizes.get('bnn_padded') ?? 0), compiled.plan.ramBytes);
      } finally {
        removeDir(dir);
      }
    });
  }
});
