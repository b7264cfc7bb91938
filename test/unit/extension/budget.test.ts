import { strict as assert } from 'node:assert';
import { BOARDS, findBoard } from '../../../src/core/boards';
import {
  assessBudget, budgetBackground, budgetIcon, budgetProblem, budgetStatusText, budgetTooltip, budgetUse, formatPercent, NEAR_BUDGET_FRACTION, shortBoardName,
  budgetDiagnostic,
} from '../../../src/extension/budget';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { summarize } from '../../../src/core/estimate/summary';
import { loadModelText } from '../../../src/core/model/load';

function analyse(example: string): { load: ReturnType<typeof loadModelText>; summary: ReturnType<typeof summarize> } {
  const file = join(__dirname, '..', '..', '..', 'examples', example);
  const load = loadModelText(readFileSync(file, 'utf8'), example);
  return { load, summary: summarize(load.spec!) };
}

const f401 = findBoard('nucleo-f401re')!;

describe('budget (status bar colours and words)', () => {
  it('classifies use as ok, near (≥ 90 %) or over (> 100 %)', () => {
    assert.equal(budgetUse(0, 0, 1000).level, 'ok');
    assert.equal(budgetUse(799, 100, 1000).level, 'ok');
    assert.equal(budgetUse(NEAR_BUDGET_FRACTION * 1000 - 100, 100, 1000).level, 'near');
    assert.equal(budgetUse(900, 100, 1000).level, 'near', 'exactly full still fits, but leaves nothing for the heap');
    assert.equal(budgetUse(901, 100, 1000).level, 'over', 'the firmware\'s share counts');
    assert.equal(budgetUse(1, 0, 0).level, 'over', 'a board without that memory cannot hold anything');
    assert.deepEqual(budgetUse(30, 12, 100), { used: 42, model: 30, firmware: 12, available: 100, fraction: 0.42, level: 'ok' });
  });

  it('takes the worse of flash and RAM', () => {
    // F401RE: 512 KB flash, 96 KB RAM; its firmware takes 32 KB and 16 KB of them.
    assert.equal(assessBudget({ flashBytes: 10, ramBytes: 80 * 1024 + 1 }, f401).level, 'over');
    assert.equal(assessBudget({ flashBytes: 10, ramBytes: 80 * 1024 }, f401).level, 'near');
    assert.equal(assessBudget({ flashBytes: 470 * 1024, ramBytes: 10 }, f401).level, 'near');
    assert.equal(assessBudget({ flashBytes: 10, ramBytes: 10 }, f401).level, 'ok');
  });

  it('maps levels to the two status-bar background colours VS Code allows', () => {
    assert.equal(budgetBackground('ok'), undefined);
    assert.equal(budgetBackground('near'), 'statusBarItem.warningBackground');
    assert.equal(budgetBackground('over'), 'statusBarItem.errorBackground');
    assert.deepEqual(['ok', 'near', 'over'].map((l) => budgetIcon(l as 'ok')), ['$(circuit-board)', '$(warning)', '$(error)']);
  });

  it('formats percentages readably', () => {
    assert.equal(formatPercent(0), '0%');
    assert.equal(formatPercent(0.004), '<1%');
    assert.equal(formatPercent(0.0612), '6.1%');
    assert.equal(formatPercent(0.5), '50%');
    assert.equal(formatPercent(3.4), '340%');
    assert.equal(formatPercent(Infinity), '∞%');
  });

  it('shortens board names for the status bar', () => {
    assert.equal(shortBoardName(findBoard('qemu-stm32')!), 'Emulated STM32F405');
    assert.equal(shortBoardName(f401), 'STM32 Nucleo-F401RE');
    for (const b of BOARDS) assert.ok(shortBoardName(b).length > 0 && shortBoardName(b).length <= 24, b.id);
  });

  it('writes the status text and says what does not fit', () => {
    const a = assessBudget({ flashBytes: 600 * 1024, ramBytes: 2048 }, f401);
    // 600 + 32 = 632 KB of 512 KB is 123.4 %; RAM 2 + 16 = 18 KB of 96 KB is 18.75 %.
    assert.equal(budgetStatusText(a, f401), '$(error) STM32 Nucleo-F401RE: flash 632 KB (123%) · RAM 18 KB (19%)');
    assert.equal(budgetProblem(a, f401), 'needs 632 KB flash (model 600 KB + firmware 32 KB), STM32 Nucleo-F401RE has 512 KB');
    assert.equal(budgetProblem(assessBudget({ flashBytes: 1, ramBytes: 1 }, f401), f401), undefined);
    // 79 + 16 = 95 KB of 96 KB
    assert.match(budgetProblem(assessBudget({ flashBytes: 1, ramBytes: 79 * 1024 }, f401), f401)!, /^uses 99% of STM32 Nucleo-F401RE's RAM \(model 79 KB \+ firmware 16 KB\)$/);
    const tip = budgetTooltip(a, f401, 'net');
    assert.match(tip, /\*\*net\*\* on \*\*STM32 Nucleo-F401RE\*\* \(STM32F401RE\)/);
    assert.match(tip, /\| Flash \| 600 KB \| 32 KB \| 512 KB \| 123% — over budget \|/);
    assert.match(tip, /measured for this board/);
    assert.match(budgetTooltip(a, findBoard('nano33ble')!, 'net'), /an estimate for this board's core/);
  });

  it('puts a "does not fit" error in the Problems panel on the layer that holds most of the flash', () => {
    const a = analyse('binarynet-cifar10.bnn.json');
    const d = budgetDiagnostic(a, f401)!;
    assert.equal(d.severity, 'error');
    // quant_dense (layer 16) is 8192 × 1024 one-bit weights = 1 MiB; the model is 1768752 B, + 32 KB of firmware.
    assert.deepEqual(d.path, ['layers', 16]);
    assert.deepEqual(d.range, a.load.layerRanges[16]);
    assert.equal(d.message, "Does not fit STM32 Nucleo-F401RE: it needs 1.72 MB flash (model 1.69 MB + firmware 32 KB), the board has 512 KB. Layer 'quant_dense' holds 1.00 MB of it. Compile, bench and flash will refuse it for this board.");
    assert.notEqual(d.stage, 'syntax', 'the editor drops syntax-stage problems');
    assert.equal(budgetDiagnostic(analyse('binary-mlp.bnn.json'), f401), undefined);
    assert.equal(budgetDiagnostic({ load: a.load, summary: undefined }, f401), undefined, 'an invalid model has its own errors');
  });
});
