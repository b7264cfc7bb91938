/**
 * How the status bar, tooltips and icons show whether a model fits a board (the rule itself is core/estimate/fit).
 * Pure logic (no `vscode`), so the colours and wording are unit-tested.
 */
import type { BoardInfo } from '../core/boards';
import { formatBytes } from '../core/estimate/summary';
import { formatPercent, type BudgetAssessment, type BudgetLevel, type BudgetUse } from '../core/estimate/fit';
import { markdownText } from '../core/escape';

export { assessBudget, budgetDiagnostic, budgetProblem, budgetUse, formatPercent, NEAR_BUDGET_FRACTION } from '../core/estimate/fit';
export type { BudgetAssessment, BudgetLevel, BudgetUse } from '../core/estimate/fit';

/** The theme colour id for a status-bar item's background (only these two are allowed by VS Code). */
export function budgetBackground(level: BudgetLevel): 'statusBarItem.errorBackground' | 'statusBarItem.warningBackground' | undefined {
  return level === 'over' ? 'statusBarItem.errorBackground' : level === 'near' ? 'statusBarItem.warningBackground' : undefined;
}

export function budgetIcon(level: BudgetLevel): string {
  return level === 'over' ? '$(error)' : level === 'near' ? '$(warning)' : '$(circuit-board)';
}

/** "Emulated STM32F405 (QEMU netduinoplus2)" → "Emulated STM32F405": the status bar has little room. */
export function shortBoardName(board: Pick<BoardInfo, 'name'>): string {
  return board.name.replace(/\s*\(.*\)\s*$/, '');
}

/** Status-bar text, e.g. "$(circuit-board) STM32 Nucleo-F401RE: flash 31.2 KB (6%) · RAM 1.6 KB (2%)". */
export function budgetStatusText(a: BudgetAssessment, board: Pick<BoardInfo, 'name'>): string {
  return `${budgetIcon(a.level)} ${shortBoardName(board)}: flash ${formatBytes(a.flash.used)} (${formatPercent(a.flash.fraction)}) · RAM ${formatBytes(a.ram.used)} (${formatPercent(a.ram.fraction)})`;
}

/** Markdown tooltip: used / available for both memories, and what the RAM figure counts. */
export function budgetTooltip(a: BudgetAssessment, board: BoardInfo, modelName: string): string {
  const row = (what: string, u: BudgetUse): string =>
    `| ${what} | ${formatBytes(u.model)} | ${formatBytes(u.firmware)} | ${formatBytes(u.available)} | ${formatPercent(u.fraction)}${u.level === 'over' ? ' — over budget' : u.level === 'near' ? ' — nearly full' : ''} |`;
  return [
    `**${markdownText(modelName)}** on **${markdownText(board.name)}** (${markdownText(board.mcu)})`,
    '',
    '| | Model | Firmware | Board | Used |',
    '|:--|--:|--:|--:|:--|',
    row('Flash', a.flash),
    row('RAM', a.ram),
    '',
    `Model: packed weights, thresholds and float parameters exactly as compiled (flash); the activation buffers (RAM). Firmware: the harness, runtime code, I/O buffers and stack${board.firmwareReserve.measured ? ' (measured for this board)' : ' (an estimate for this board\'s core)'}.`,
    '',
    'Click to select another board.',
  ].join('\n');
}

