/**
 * "BNN: New Model" (from a template) and "BNN: Show Model Summary" (the Larq-style table in a read-only document that
 * follows the model as it is edited).
 */
import * as vscode from 'vscode';
import { formatBytes, formatSummaryTable } from '../core/estimate/summary';
import { TEMPLATES, templateText } from '../core/model/templates';
import { assessBudget, budgetProblem, formatPercent } from './budget';
import { modelDescription, modelFileLabel } from './estimateLabels';
import { hasErrors } from './modelAnalysis';
import { displayPath, isModelUri, type ModelStore } from './modelStore';
import { modelFileName, stripModelExtension, uniqueModelName, validateModelName } from './newModel';
import { selectedBoard } from './selectedBoard';

export const SUMMARY_SCHEME = 'bnn-summary';

/** The summary document of a model: its text is recomputed from the model's current analysis. */
export function summaryUri(model: vscode.Uri): vscode.Uri {
  return vscode.Uri.from({ scheme: SUMMARY_SCHEME, path: `/${modelFileLabel(model.path)} — BNN summary`, query: model.toString() });
}

export async function summaryText(store: ModelStore, model: vscode.Uri): Promise<string> {
  const a = await store.analyze(model);
  const where = displayPath(model);
  const head = `${a.load.spec?.name ?? modelFileLabel(model.path)} — ${where}\n`;
  if (!a.summary || hasErrors(a)) {
    const lines = a.problems.map((p) => `${where}:${p.range.start.line + 1}:${p.range.start.character + 1}: ${p.severity}: ${p.message}`);
    return `${head}\nNo summary: the model is not valid.\n\n${lines.join('\n')}\n`;
  }
  const board = selectedBoard();
  const budget = assessBudget(a.summary.totals, board);
  const problem = budgetProblem(budget, board);
  return [
    head,
    formatSummaryTable(a.summary).trimEnd(),
    '',
    `Board: ${board.name} (${board.mcu}) — flash ${formatBytes(budget.flash.used)} of ${formatBytes(budget.flash.available)} (${formatPercent(budget.flash.fraction)}), RAM ${formatBytes(budget.ram.used)} of ${formatBytes(budget.ram.available)} (${formatPercent(budget.ram.fraction)})${problem ? `\n  ⚠ ${problem}` : ''}`,
    '',
  ].join('\n');
}

class SummaryDocuments implements vscode.TextDocumentContentProvider {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly open = new Set<string>();

  constructor(private readonly store: ModelStore) {}

  provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    this.open.add(uri.toString());
    return summaryText(this.store, vscode.Uri.parse(uri.query));
  }

  /** Re-render the summaries of `model` (or of all models). */
  modelChanged(model: vscode.Uri | undefined): void {
    for (const s of this.open) {
      const uri = vscode.Uri.parse(s);
      if (!model || uri.query === model.toString()) this.changed.fire(uri);
    }
  }

  closed(uri: vscode.Uri): void {
    this.open.delete(uri.toString());
  }
}

function asModelUri(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === 'string') return arg.includes('://') ? vscode.Uri.parse(arg) : vscode.Uri.file(arg);
  if (arg && typeof arg === 'object' && 'uri' in arg && (arg as { uri: unknown }).uri instanceof vscode.Uri) return (arg as { uri: vscode.Uri }).uri;
  return undefined;
}

async function pickModel(store: ModelStore, title: string): Promise<vscode.Uri | undefined> {
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active && isModelUri(active)) return active;
  const entries = await store.list();
  if (!entries.length) {
    const create = 'New Model…';
    if ((await vscode.window.showInformationMessage('BNN: there is no *.bnn.json model in this workspace.', create)) === create) await vscode.commands.executeCommand('bnn.newModel');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(entries.map((e) => {
    const uri = vscode.Uri.parse(e.id);
    return {
      uri,
      label: modelFileLabel(uri.path),
      description: e.analysis.summary ? modelDescription(e.analysis.summary.totals) : '$(error) invalid',
      detail: displayPath(uri),
    };
  }), { title, placeHolder: 'Model' });
  return picked?.uri;
}

export async function showSummary(store: ModelStore, arg?: unknown): Promise<void> {
  const model = asModelUri(arg) ?? (await pickModel(store, 'BNN: Show Model Summary'));
  if (!model) return;
  const doc = await vscode.workspace.openTextDocument(summaryUri(model));
  await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true, preserveFocus: true });
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

/** Template → folder → name; writes the file (never over an existing one) and opens it. */
export async function newModel(store: ModelStore, folderArg?: unknown): Promise<vscode.Uri | undefined> {
  const templates = await Promise.all(TEMPLATES.map(async (t) => {
    const a = await store.analyzeText(templateText(t), `${t.id}.bnn.json`);
    return { template: t, label: t.label, description: a.summary ? modelDescription(a.summary.totals) : undefined, detail: t.description };
  }));
  const picked = await vscode.window.showQuickPick(templates, { title: 'BNN: New Model (1/3): template', placeHolder: 'Start from', matchOnDetail: true });
  if (!picked) return undefined;

  let folder = asModelUri(folderArg);
  if (folder && isModelUri(folder)) folder = vscode.Uri.joinPath(folder, '..');
  if (!folder) {
    const active = vscode.window.activeTextEditor?.document.uri;
    const base = active && active.scheme === 'file' ? vscode.Uri.joinPath(active, '..') : vscode.workspace.workspaceFolders?.[0]?.uri;
    const chosen = await vscode.window.showOpenDialog({
      title: 'BNN: New Model (2/3): folder', canSelectFolders: true, canSelectFiles: false, canSelectMany: false,
      defaultUri: base, openLabel: 'Create Model Here',
    });
    folder = chosen?.[0];
    if (!folder) return undefined;
  }

  const existing = new Set<string>();
  try {
    for (const [name] of await vscode.workspace.fs.readDirectory(folder)) existing.add(name.toLowerCase());
  } catch {
    // A folder we cannot list: the final existence check still guards the write.
  }
  const taken = (name: string): boolean => existing.has(modelFileName(name).toLowerCase());
  const name = await vscode.window.showInputBox({
    title: 'BNN: New Model (3/3): name',
    prompt: `Letters, digits, _ . and -; the file will be <name>.bnn.json in ${displayPath(folder)}`,
    value: uniqueModelName(picked.template.id, (f) => existing.has(f.toLowerCase())),
    validateInput: (v) => validateModelName(v) ?? (taken(v) ? `${modelFileName(v)} already exists in this folder.` : undefined),
  });
  if (name === undefined) return undefined;
  const target = vscode.Uri.joinPath(folder, modelFileName(name));
  if (await exists(target)) {
    void vscode.window.showErrorMessage(`BNN: ${displayPath(target)} already exists; not overwriting it.`);
    return undefined;
  }
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(templateText(picked.template, stripModelExtension(name))));
  store.index.created(target.toString());
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(target));
  return target;
}

export function registerModelCommands(context: vscode.ExtensionContext, store: ModelStore): void {
  const summaries = new SummaryDocuments(store);
  context.subscriptions.push(
    vscode.workspace.registerTextDocumentContentProvider(SUMMARY_SCHEME, summaries),
    store.onDidChange((uri) => summaries.modelChanged(uri)),
    vscode.workspace.onDidCloseTextDocument((d) => { if (d.uri.scheme === SUMMARY_SCHEME) summaries.closed(d.uri); }),
    vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('bnnStudio.board')) summaries.modelChanged(undefined); }),
    vscode.commands.registerCommand('bnn.showSummary', (arg?: unknown) => showSummary(store, arg)),
    vscode.commands.registerCommand('bnn.newModel', (folder?: unknown) => newModel(store, folder)),
  );
}
