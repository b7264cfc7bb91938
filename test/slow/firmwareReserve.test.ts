/**
 * The boards table's firmware reserve (what "does it fit" adds to the model's own bytes) against real builds: the
 * STM32 firmware is built with arm-none-eabi-gcc around a range of models, and for each the measured image minus the
 * plan's bytes must fit in the reserve; the reserve must also not be more than 4 KB larger than the worst of them,
 * so a model is not refused for room it would have had.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BOARDS } from '../../src/core/boards';
import { compileModel } from '../../src/core/compile/compile';
import { buildFirmware, FIRMWARE_BOARDS } from '../../src/core/device/build';
import { loadModelText } from '../../src/core/model/load';
import type { ModelSpec } from '../../src/core/model/spec';
import { ARCHITECTURES } from '../support/compileArchitectures';
import { syntheticModel } from '../support/syntheticModel';
import { requireTool } from '../support/tools';

const examples = ['binary-mlp', 'binary-cnn'].map((n) => loadModelText(fs.readFileSync(path.join(__dirname, '..', '..', 'examples', `${n}.bnn.json`), 'utf8'), n).spec!);

describe('firmware reserve in the boards table = measured builds', function () {
  this.timeout(300_000);
  let tmp: string;
  before(function () {
    requireTool(this, 'arm-none-eabi-gcc', 'apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-reserve-'));
  });
  after(() => { if (tmp) fs.rmSync(tmp, { recursive: true, force: true }); });

  it('every board the firmware is built for declares a measured reserve; the others say theirs is an estimate', () => {
    for (const b of BOARDS) assert.equal(b.firmwareReserve.measured, b.id in FIRMWARE_BOARDS, b.id);
  });

  // The Nucleo boards share one firmware folder and differ only in clock setup and linker script: two are enough.
  const plans: [string, ModelSpec[]][] = [
    ['qemu-stm32', [...examples, ...ARCHITECTURES]],
    ['nucleo-f401re', [...examples, ...ARCHITECTURES.filter((a) => ['xnor-same-odd', 'cnn-valid-stride', 'float-thresholds'].includes(a.name))]],
  ];
  for (const [boardId, specs] of plans) {
    it(`${boardId}: harness + runtime + stack of ${specs.length} models fit the reserve, with at most 4 KB to spare`, async () => {
      const board = BOARDS.find((b) => b.id === boardId)!;
      let worstFlash = 0;
      let worstRam = 0;
      for (const spec of specs) {
        const c = compileModel(syntheticModel(spec, 3), { board: boardId });
        const dir = path.join(tmp, `${boardId}-${spec.name}`);
        fs.mkdirSync(dir);
        for (const [n, t] of Object.entries(c.files)) fs.writeFileSync(path.join(dir, n), t);
        const { size } = await buildFirmware({ board: boardId, modelDir: dir, outDir: path.join(dir, 'fw') });
        const flash = size.flash - c.plan.flashBytes;
        const ram = size.ram + size.stack - c.plan.ramBytes;
        assert.ok(flash <= board.firmwareReserve.flashBytes, `${spec.name}: firmware flash ${flash} B > reserve ${board.firmwareReserve.flashBytes} B`);
        assert.ok(ram <= board.firmwareReserve.ramBytes, `${spec.name}: firmware RAM ${ram} B > reserve ${board.firmwareReserve.ramBytes} B`);
        worstFlash = Math.max(worstFlash, flash);
        worstRam = Math.max(worstRam, ram);
      }
      assert.ok(board.firmwareReserve.flashBytes - worstFlash <= 4096, `flash reserve ${board.firmwareReserve.flashBytes} B, worst build needs ${worstFlash} B`);
      assert.ok(board.firmwareReserve.ramBytes - worstRam <= 4096, `RAM reserve ${board.firmwareReserve.ramBytes} B, worst build needs ${worstRam} B`);
    });
  }
});
