/**
 * What the model-level commands (validate, summary, train) say about fitting a board — the rule is core/estimate/fit,
 * the same one compile, bench and flash enforce and the editor shows.
 */
import { BOARDS, findBoard, type BoardInfo } from '../../core/boards';
import { assessBudget, budgetDiagnostic, fitAcrossBoards, formatPercent } from '../../core/estimate/fit';
import { formatBytes, type ModelSummary } from '../../core/estimate/summary';
import type { LoadedModel, ModelDiagnostic } from '../../core/model/load';
import { InputError } from '../errors';

export function boardFromFlag(id: string | undefined): BoardInfo | undefined {
  if (id === undefined) return undefined;
  const b = findBoard(id);
  if (!b) throw new InputError(`unknown board '${id}' (known: ${BOARDS.map((x) => x.id).join(', ')})`);
  return b;
}

/**
 * The problem to report for one model: against `board` when given (an error when it does not fit, a warning when it
 * nearly fills it), otherwise a warning only when the model fits none of the supported boards.
 */
export function fitProblem(load: LoadedModel, summary: ModelSummary, board?: BoardInfo): ModelDiagnostic | undefined {
  if (board) return budgetDiagnostic({ load, summary }, board);
  const across = fitAcrossBoards(summary.totals);
  if (!across.none) return undefined;
  // It fits no board, so it is over budget on the roomiest one too: that diagnostic exists and gives the position.
  const d = budgetDiagnostic({ load, summary }, across.roomiest!)!;
  return { ...d, severity: 'warning', message: `the model ${across.none}` };
}

export function formatProblem(file: string, d: ModelDiagnostic): string {
  return `${file}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity}: ${d.message}`;
}

/** `bnn summary`'s board section: model + firmware against each board's flash and RAM. */
export function fitTable(summary: ModelSummary, boards: readonly BoardInfo[] = BOARDS): string {
  const rows = boards.map((b) => {
    const a = assessBudget(summary.totals, b);
    const verdict = a.level === 'over' ? 'does not fit' : a.level === 'near' ? 'nearly full' : 'fits';
    return [b.id, `${formatBytes(a.flash.used)} of ${formatBytes(b.flashBytes)} (${formatPercent(a.flash.fraction)})`, `${formatBytes(a.ram.used)} of ${formatBytes(b.ramBytes)} (${formatPercent(a.ram.fraction)})`, verdict];
  });
  const header = ['Board', 'Flash', 'RAM', ''];
  const widths = header.map((_, c) => Math.max(...[header, ...rows].map((r) => r[c].length)));
  const line = (r: string[]): string => r.map((v, c) => v.padEnd(widths[c])).join('  ').trimEnd();
  return ['', 'Model + firmware on each board:', line(header), ...rows.map(line)].join('\n');
}

export function fitJson(summary: ModelSummary, boards: readonly BoardInfo[] = BOARDS): object[] {
  return boards.map((b) => {
    const a = assessBudget(summary.totals, b);
    const use = (u: typeof a.flash): object => ({ model: u.model, firmware: u.firmware, used: u.used, available: u.available });
    return { id: b.id, fits: a.level !== 'over', level: a.level, flash: use(a.flash), ram: use(a.ram), firmwareMeasured: b.firmwareReserve.measured };
  });
}
