/**
 * Whether a model fits a board: the plan's bytes plus the firmware's own share (harness, runtime, stack), against
 * the board's flash and RAM. One rule for the status bar, the editor's diagnostics, the CLI's validate / summary /
 * train warnings, and the refusal before compile, bench and flash build anything.
 */
import type { BoardInfo } from '../boards';
import { BOARDS } from '../boards';
import type { LoadedModel, ModelDiagnostic } from '../model/load';
import { formatBytes, type ModelSummary } from './summary';

export type BudgetLevel = 'ok' | 'near' | 'over';

/** Above this share of a board's memory we warn: the heap and any user code need room too. */
export const NEAR_BUDGET_FRACTION = 0.9;

export interface BudgetUse {
  /** Model + firmware. */
  used: number;
  model: number;
  firmware: number;
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

export type FitBoard = Pick<BoardInfo, 'name' | 'flashBytes' | 'ramBytes' | 'firmwareReserve'>;

export function budgetUse(model: number, firmware: number, available: number): BudgetUse {
  const used = model + firmware;
  const fraction = available > 0 ? used / available : Number.POSITIVE_INFINITY;
  const level: BudgetLevel = fraction > 1 ? 'over' : fraction >= NEAR_BUDGET_FRACTION ? 'near' : 'ok';
  return { used, model, firmware, available, fraction, level };
}

const RANK: Record<BudgetLevel, number> = { ok: 0, near: 1, over: 2 };

export function assessBudget(totals: { flashBytes: number; ramBytes: number }, board: Omit<FitBoard, 'name'>): BudgetAssessment {
  const flash = budgetUse(totals.flashBytes, board.firmwareReserve.flashBytes, board.flashBytes);
  const ram = budgetUse(totals.ramBytes, board.firmwareReserve.ramBytes, board.ramBytes);
  return { flash, ram, level: RANK[flash.level] >= RANK[ram.level] ? flash.level : ram.level };
}

export function formatPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return '∞%';
  const pct = fraction * 100;
  if (pct > 0 && pct < 1) return '<1%';
  return `${pct >= 10 ? Math.round(pct) : Math.round(pct * 10) / 10}%`;
}

function needs(what: string, u: BudgetUse, board?: Pick<BoardInfo, 'name'>): string {
  return `needs ${formatBytes(u.used)} ${what} (model ${formatBytes(u.model)} + firmware ${formatBytes(u.firmware)}), ${board ? board.name : 'the board'} has ${formatBytes(u.available)}`;
}

/**
 * A sentence for tooltips, diagnostics and the CLI when the model does not fit or nearly fills the board, else
 * undefined. Without `board` the sentence says "the board", for messages that have named it already.
 */
export function budgetProblem(a: BudgetAssessment, board?: Pick<BoardInfo, 'name'>): string | undefined {
  const parts: string[] = [];
  for (const [what, use] of [['flash', a.flash], ['RAM', a.ram]] as const) {
    if (use.level === 'over') parts.push(needs(what, use, board));
    else if (use.level === 'near') parts.push(`uses ${formatPercent(use.fraction)} of ${board ? `${board.name}'s` : 'the board\'s'} ${what} (model ${formatBytes(use.model)} + firmware ${formatBytes(use.firmware)})`);
  }
  return parts.length ? parts.join('; ') : undefined;
}

/** Thrown before anything is compiled or built for a board the model cannot fit. */
export class DoesNotFitError extends Error {
  constructor(readonly modelName: string, readonly boardId: string, readonly assessment: BudgetAssessment, boardName: string) {
    super(`'${modelName}' does not fit ${boardName} (${boardId}): it ${budgetProblem(assessment)}`);
    this.name = 'DoesNotFitError';
  }
}

export function requireFit(modelName: string, totals: { flashBytes: number; ramBytes: number }, board: FitBoard & Pick<BoardInfo, 'id'>): BudgetAssessment {
  const a = assessBudget(totals, board);
  if (a.level === 'over') throw new DoesNotFitError(modelName, board.id, a, board.name);
  return a;
}

/**
 * The boards a model fits; for a model that fits none, the roomiest board (most flash left after its firmware) and
 * one line that says so with that board's numbers.
 */
export function fitAcrossBoards(totals: { flashBytes: number; ramBytes: number }, boards: readonly BoardInfo[] = BOARDS): { fits: BoardInfo[]; roomiest?: BoardInfo; none?: string } {
  const fits = boards.filter((b) => assessBudget(totals, b).level !== 'over');
  if (fits.length) return { fits };
  const roomiest = [...boards].sort((a, b) => (b.flashBytes - b.firmwareReserve.flashBytes) - (a.flashBytes - a.firmwareReserve.flashBytes))[0];
  return { fits, roomiest, none: `fits none of the supported boards: even on the roomiest, ${roomiest.name}, it ${budgetProblem(assessBudget(totals, roomiest))}` };
}

/**
 * The editor's Problems-panel entry (and the CLI's validate line) for a model that does not fit the selected board (an error: compile, bench and flash will
 * refuse it) or nearly fills it (a warning). It sits on the layer holding the most flash when flash is the problem,
 * since that is the layer to shrink; otherwise on the model's opening brace.
 */
export function budgetDiagnostic(a: { load: Pick<LoadedModel, 'layerRanges' | 'rootRange'>; summary?: ModelSummary }, board: FitBoard): ModelDiagnostic | undefined {
  if (!a.summary) return undefined;
  const fit = assessBudget(a.summary.totals, board);
  const problem = budgetProblem(fit);
  if (!problem) return undefined;
  const layers = a.summary.layers;
  let at = -1;
  if (fit.flash.level !== 'ok') for (let i = 0; i < layers.length; i++) if (at < 0 || layers[i].flashBytes > layers[at].flashBytes) at = i;
  const range = at >= 0 && a.load.layerRanges[at] ? a.load.layerRanges[at] : a.load.rootRange ? { start: a.load.rootRange.start, end: { line: a.load.rootRange.start.line, character: a.load.rootRange.start.character + 1 } } : { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } };
  const where = at >= 0 ? ` Layer '${layers[at].name}' holds ${formatBytes(layers[at].flashBytes)} of it.` : '';
  const over = fit.level === 'over';
  return {
    message: `${over ? 'Does not fit' : 'Nearly fills'} ${board.name}: ${over ? 'it ' : ''}${problem}.${where}${over ? ' Compile, bench and flash will refuse it for this board.' : ''}`,
    severity: over ? 'error' : 'warning',
    range,
    path: at >= 0 ? ['layers', at] : [],
    stage: 'semantic',
  };
}
