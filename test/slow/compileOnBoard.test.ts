/**
 * The compiled C on the emulated Cortex-M4 (QEMU netduinoplus2, the project's firmware over a real pty): every class
 * and score equals the compiler's TypeScript reference, and the model's arrays in the firmware's objects are exactly
 * the plan's flash and RAM bytes.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compileModel } from '../../src/core/compile/compile';
import { referenceInfer } from '../../src/core/compile/reference';
import { benchOnEmulator } from '../../src/core/device/bench';
import { loadModelText } from '../../src/core/model/load';
import { TEMPLATES, templateText } from '../../src/core/model/templates';
import { ARCHITECTURES } from '../support/compileArchitectures';
import { randomInputs, syntheticModel } from '../support/syntheticModel';
import { requireTool } from '../support/tools';

describe('compiler: generated C on the emulated board (QEMU)', function () {
  this.timeout(120_000);
  let tmp: string;
  before(function () {
    requireTool(this, 'qemu-system-arm', 'apt-get install qemu-system-arm');
    requireTool(this, 'arm-none-eabi-gcc', 'apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-compile-board-'));
  });
  after(() => { if (tmp) fs.rmSync(tmp, { recursive: true, force: true }); });

  const mlp = loadModelText(templateText(TEMPLATES.find((t) => t.id === 'binary-mlp')!), 'binary-mlp.bnn.json').spec!;
  const cases = [
    { spec: mlp, samples: 60 },
    { spec: ARCHITECTURES.find((a) => a.name === 'cnn-same')!, samples: 120 },
    { spec: ARCHITECTURES.find((a) => a.name === 'odd-stages')!, samples: 120 },
    // The first-layer kernels' Cortex-M4 paths (UXTAB lookups, pair-wise table build) on their edge cases.
    { spec: ARCHITECTURES.find((a) => a.name === 'tables-chunks')!, samples: 60 },
    { spec: ARCHITECTURES.find((a) => a.name === 'planes-stride-valid')!, samples: 60 },
    { spec: ARCHITECTURES.find((a) => a.name === 'planes-channels-same')!, samples: 60 },
    { spec: ARCHITECTURES.find((a) => a.name === 'planes-pool-pairs')!, samples: 60 },
    // the float band's VMLA path runs only on the board's FPU (the host builds take the plain C one)
    { spec: ARCHITECTURES.find((a) => a.name === 'float-band-pool-before')!, samples: 60 },
    { spec: ARCHITECTURES.find((a) => a.name === 'float-band-pool-after')!, samples: 60 },
    { spec: ARCHITECTURES.find((a) => a.name === 'float-band-signs')!, samples: 60 },
  ];
  for (const { spec, samples } of cases) {
    it(`${spec.name}: board = referenceInfer on ${samples} samples; model arrays = plan bytes`, async () => {
      const compiled = compileModel(syntheticModel(spec, 21), { board: 'qemu-stm32' });
      const modelDir = path.join(tmp, `${spec.name}-model`);
      fs.mkdirSync(modelDir);
      for (const [name, text] of Object.entries(compiled.files)) fs.writeFileSync(path.join(modelDir, name), text);
      const inputs = randomInputs(samples, compiled.model.inputBytes, 22);
      const report = await benchOnEmulator({
        board: 'qemu-stm32', modelDir, workDir: path.join(tmp, `${spec.name}-fw`), hash: compiled.hash, what: spec.name,
        estimate: { flash: compiled.plan.flashBytes, ram: compiled.plan.ramBytes },
        inputs, labels: inputs.map(() => 0), reference: (x) => referenceInfer(compiled.model, x),
      });
      assert.deepEqual(report.mismatches, []);
      assert.equal(report.result.agreement, 1);
      assert.equal(report.hello.modelHash, compiled.hash);
      assert.equal(report.build.size.modelFlash, compiled.plan.flashBytes);
      assert.equal(report.build.size.modelRam, compiled.plan.ramBytes);
    });
  }
});
