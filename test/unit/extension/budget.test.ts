import { strict as assert } from 'node:assert';
import { BOARDS, findBoard } from '../../../src/core/boards';
import { formatBytes } from '../../../src/core/estimate/summary';
import {
  assessBudget, budgetBackground, budgetIcon, budgetProblem, budgetStatusText, budgetTooltip, budgetUse, formatPercent, NEAR_BUDGET_FRACTION, shortBoardName,
} from '../../../src/extension/budget';

const f401 = findBoard('nucleo-f401re')!;

describe('budget (status bar colours and words)', () => {
  it('classifies use as ok, near (≥ 90 %) or over (> 100 %)', () => {
    assert.equal(budgetUse(0, 1000).level, 'ok');
    assert.equal(budgetUse(899, 1000).level, 'ok');
    assert.equal(budgetUse(NEAR_BUDGET_FRACTION * 1000, 1000).level, 'near');
    assert.equal(budgetUse(1000, 1000).level, 'near', 'exactly full still fits, but leaves nothing for the firmware');
    assert.equal(budgetUse(1001, 1000).level, 'over');
    assert.equal(budgetUse(1, 0).level, 'over', 'a board without that memory cannot hold anything');
  });

  it('takes the worse of flash and RAM', () => {
    assert.equal(assessBudget({ flashBytes: 10, ramBytes: 96 * 1024 + 1 }, f401).level, 'over');
    assert.equal(assessBudget({ flashBytes: 500 * 1024, ramBytes: 10 }, f401).level, 'near');
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
    assert.equal(budgetStatusText(a, f401), `$(error) STM32 Nucleo-F401RE: flash ${formatBytes(600 * 1024)} (117%) · RAM ${formatBytes(2048)} (2.1%)`);
    assert.equal(budgetProblem(a, f401), `needs ${formatBytes(600 * 1024)} flash, STM32 Nucleo-F401RE has ${formatBytes(512 * 1024)}`);
    assert.equal(budgetProblem(assessBudget({ flashBytes: 1, ramBytes: 1 }, f401), f401), undefined);
    assert.match(budgetProblem(assessBudget({ flashBytes: 1, ramBytes: 95 * 1024 }, f401), f401)!, /uses 99% of STM32 Nucleo-F401RE's RAM/);
    const tip = budgetTooltip(a, f401, 'net');
    assert.match(tip, /\*\*net\*\* on \*\*STM32 Nucleo-F401RE\*\* \(STM32F401RE\)/);
    assert.match(tip, /\| Flash \| .* \| 117% — over budget \|/);
  });
});
