/**
 * The status-bar item for the active model: its flash and RAM against the selected board's memory, in warning or
 * error colours when nearly or over budget; and "BNN: Select Board".
 */
import * as vscode from 'vscode';
import { BOARDS, findBoard } from '../core/boards';
import { formatBytes } from '../core/estimate/summary';
import { markdownText } from '../core/escape';
import { assessBudget, budgetBackground, budgetStatusText, budgetTooltip, formatPercent, shortBoardName } from './budget';
import { debounceByKey } from './debounce';
import { firstProblem, hasErrors } from './modelAnalysis';
import { isModelDocument, type ModelStore } from './modelStore';
import { onDidChangeBoard, selectedBoard, storeBoard, unknownBoardSetting } from './selectedBoard';

export function registerBoardStatus(context: vscode.ExtensionContext, store: ModelStore): void {
  const item = vscode.window.createStatusBarItem('bnnStudio.budget', vscode.StatusBarAlignment.Right, 100);
  item.name = 'BNN Studio: Model Size';
  item.command = 'bnn.selectBoard';

  let generation = 0;
  const update = async (): Promise<void> => {
    const mine = ++generation;
    const doc = vscode.window.activeTextEditor?.document;
    if (!doc || !isModelDocument(doc)) {
      item.hide();
      return;
    }
    const a = await store.analyzeDocument(doc);
    // Another editor became active (or the text changed) while we waited: its own update wins.
    if (mine !== generation) return;
    const board = selectedBoard();
    const unknown = unknownBoardSetting();
    if (!a.summary || hasErrors(a)) {
      const p = firstProblem(a);
      item.text = `$(error) ${shortBoardName(board)}: no estimate`;
      item.tooltip = p ? `The model has errors (line ${p.range.start.line + 1}: ${p.message}). Click to select a board.` : 'The model has errors.';
      item.backgroundColor = undefined;
    } else {
      const budget = assessBudget(a.summary.totals, board);
      item.text = budgetStatusText(budget, board);
      const md = new vscode.MarkdownString(budgetTooltip(budget, board, a.load.spec?.name ?? 'Model'), true);
      if (unknown) md.appendMarkdown(`\n\n$(warning) The setting bnnStudio.board is "${markdownText(unknown)}", which is not a known board; using ${markdownText(board.name)}.`);
      item.tooltip = md;
      const bg = budgetBackground(budget.level);
      item.backgroundColor = bg ? new vscode.ThemeColor(bg) : undefined;
    }
    item.show();
  };
  const updateSoon = debounceByKey<'status'>(200, () => void update());

  context.subscriptions.push(
    item,
    { dispose: () => updateSoon.dispose() },
    vscode.window.onDidChangeActiveTextEditor(() => void update()),
    store.onDidChange((uri) => { if (!uri || uri.toString() === vscode.window.activeTextEditor?.document.uri.toString()) updateSoon('status'); }),
    onDidChangeBoard(() => void update()),
    vscode.commands.registerCommand('bnn.selectBoard', (id?: unknown) => selectBoard(store, id)),
  );
  void update();
}

/** Picks a board (or takes its id as an argument, for scripts and keybindings) and stores it in `bnnStudio.board`. */
export async function selectBoard(store: ModelStore, id?: unknown): Promise<string | undefined> {
  if (typeof id === 'string') {
    if (!findBoard(id)) {
      void vscode.window.showErrorMessage(`BNN: unknown board "${id}". Known boards: ${BOARDS.map((b) => b.id).join(', ')}.`);
      return undefined;
    }
    await storeBoard(id);
    return id;
  }
  const current = selectedBoard();
  const doc = vscode.window.activeTextEditor?.document;
  const a = doc && isModelDocument(doc) ? await store.analyzeDocument(doc) : undefined;
  const totals = a?.summary && !hasErrors(a) ? a.summary.totals : undefined;
  type Item = vscode.QuickPickItem & { id: string };
  const items: Item[] = BOARDS.map((b) => {
    let detail = `${b.mcu} · ${Math.round(b.clockHz / 1e6)} MHz${b.emulated ? ' · emulated in QEMU, no hardware needed' : ''}`;
    if (totals) {
      const fit = assessBudget(totals, b);
      const verdict = fit.level === 'over' ? '$(error) does not fit' : fit.level === 'near' ? '$(warning) nearly full' : '$(check) fits';
      detail += ` — ${verdict}: flash ${formatPercent(fit.flash.fraction)}, RAM ${formatPercent(fit.ram.fraction)}`;
    }
    return {
      id: b.id,
      label: `${b.id === current.id ? '$(check) ' : ''}${b.name}`,
      description: `${formatBytes(b.flashBytes)} flash · ${formatBytes(b.ramBytes)} RAM`,
      detail,
    };
  });
  const picked = await vscode.window.showQuickPick(items, {
    title: 'BNN: Select Board',
    placeHolder: totals ? `Board to size ${a?.load.spec?.name ?? 'the model'} against (current: ${current.name})` : `Board whose flash and RAM budgets the estimates use (current: ${current.name})`,
    matchOnDescription: true,
    matchOnDetail: true,
  });
  if (!picked) return undefined;
  await storeBoard(picked.id);
  return picked.id;
}
