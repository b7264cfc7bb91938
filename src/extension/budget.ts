/**
 * How a model's deployed size compares with a board's memory. Pure logic (no `vscode`), so the status bar's colours
 * and wording are unit-tested.
 */
import type { BoardInfo } from '../core/boards';
import { formatBytes } from '../core/estimate/summary';
import { markdownText } from '../core/escape';

export type BudgetLevel = 'ok' | 'near' | 'over';

/** Above this share of a board's memory the status bar warns: the firmware, stack and heap need room too. */
export const NEAR_BUDGET_FRACTION = 0.9;

export interface BudgetUse {
  used: number;
  available: number;
  fraction: number;
  level: BudgetLevel;
}

export interface BudgetAssessment {
  flash: BudgetUse;
  ram: BudgetUse;
  /** The worse of the two. */
  level: BudgetLevel;
}

export function budgetUse(used: number, available: number): BudgetUse {
  const fraction = available > 0 ? used / available : Number.POSITIVE_INFINITY;
  const level: BudgetLevel = fraction > 1 ? 'over' : fraction >= NEAR_BUDGET_FRACTION ? 'near' : 'ok';
  return { used, available, fraction, level };
}

const RANK: Record<BudgetLevel, number> = { ok: 0, near: 1, over: 2 };

export function assessBudget(totals: { flashBytes: number; ramBytes: number }, board: Pick<BoardInfo, 'flashBytes' | 'ramBytes'>): BudgetAssessment {
  const flash = budgetUse(totals.flashBytes, board.flashBytes);
  const ram = budgetUse(totals.ramBytes, board.ramBytes);
  return { flash, ram, level: RANK[flash.level] >= RANK[ram.level] ? flash.level : ram.level };
}

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

export function formatPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return '∞%';
  const pct = fraction * 100;
  if (pct > 0 && pct < 1) return '<1%';
  return `${pct >= 10 ? Math.round(pct) : Math.round(pct * 10) / 10}%`;
}

/** Status-bar text, e.g. "$(circuit-board) STM32 Nucleo-F401RE: flash 31.2 KB (6%) · RAM 1.6 KB (2%)". */
export function budgetStatusText(a: BudgetAssessment, board: Pick<BoardInfo, 'name'>): string {
  return `${budgetIcon(a.level)} ${shortBoardName(board)}: flash ${formatBytes(a.flash.used)} (${formatPercent(a.flash.fraction)}) · RAM ${formatBytes(a.ram.used)} (${formatPercent(a.ram.fraction)})`;
}

/** A sentence for tooltips and the CodeLens when the model does not fit, or undefined when it does. */
export function budgetProblem(a: BudgetAssessment, board: Pick<BoardInfo, 'name' | 'flashBytes' | 'ramBytes'>): string | undefined {
  const parts: string[] = [];
  for (const [what, use] of [['flash', a.flash], ['RAM', a.ram]] as const) {
    if (use.level === 'over') parts.push(`needs ${formatBytes(use.used)} ${what}, ${board.name} has ${formatBytes(use.available)}`);
    else if (use.level === 'near') parts.push(`uses ${formatPercent(use.fraction)} of ${board.name}'s ${what}`);
  }
  return parts.length ? parts.join('; ') : undefined;
}

/** Markdown tooltip: used / available for both memories, and what the RAM figure counts. */
export function budgetTooltip(a: BudgetAssessment, board: BoardInfo, modelName: string): string {
  const row = (what: string, u: BudgetUse): string =>
    `| ${what} | ${formatBytes(u.used)} | ${formatBytes(u.available)} | ${formatPercent(u.fraction)}${u.level === 'over' ? ' — over budget' : u.level === 'near' ? ' — nearly full' : ''} |`;
  return [
    `**${markdownText(modelName)}** on **${markdownText(board.name)}** (${markdownText(board.mcu)})`,
    '',
    '| | Model | Board | Used |',
    '|:--|--:|--:|:--|',
    row('Flash', a.flash),
    row('RAM', a.ram),
    '',
    'Flash: packed weights, thresholds and float parameters exactly as compiled. RAM: the two ping-pong activation buffers; the firmware\'s stack and I/O buffers come on top.',
    '',
    'Click to select another board.',
  ].join('\n');
}
