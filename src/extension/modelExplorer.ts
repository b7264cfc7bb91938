/**
 * The Models tree (view `bnnModels`): every `*.bnn.json` in the workspace with its flash/RAM, expanding to its layers
 * (or, for an invalid model, to its problems). Clicking a layer or a problem selects it in the editor.
 */
import { layerShortLabel } from '../core/model/layerLabel';
import * as vscode from 'vscode';
import { setSelectedModel } from './selectedModel';
import { BOARDS, type BoardInfo } from '../core/boards';
import type { LayerSpec } from '../core/model/spec';
import type { ModelDiagnostic } from '../core/model/load';
import { assessBudget, budgetProblem, formatPercent } from './budget';
import { debounceByKey } from './debounce';
import { layerHeadline, layerHoverMarkdown, layerOutcome, modelDescription, modelEfficiency, modelFileLabel, oneLine } from './estimateLabels';
import { firstProblem, hasErrors, type ModelAnalysis } from './modelAnalysis';
import { displayPath, type ModelStore } from './modelStore';
import { onDidChangeBoard, selectedBoard } from './selectedBoard';
import { isBnnModelFile } from '../core/interop/modelFiles';
import { markdownText } from '../core/escape';

export type ModelTreeNode =
  | { kind: 'model'; uri: vscode.Uri; analysis: ModelAnalysis; label: string; board?: BoardInfo }
  | { kind: 'layer'; uri: vscode.Uri; analysis: ModelAnalysis; index: number }
  | { kind: 'problem'; uri: vscode.Uri; problem: ModelDiagnostic; index: number };

const LAYER_ICONS: Record<LayerSpec['type'], string> = {
  QuantConv2D: 'symbol-array',
  QuantDense: 'symbol-operator',
  BatchNormalization: 'symbol-constant',
  MaxPool2D: 'fold-down',
  Flatten: 'list-flat',
  Activation: 'pulse',
  Add: 'add',
  Concatenate: 'combine',
  GlobalAveragePooling2D: 'fold',
  AveragePooling2D: 'fold-down',
  PReLU: 'pulse',
};

/** Labels are file names; two files with the same name get their folders to tell them apart. */
function modelLabels(uris: vscode.Uri[]): string[] {
  const names = uris.map((u) => modelFileLabel(u.path));
  const count = new Map<string, number>();
  for (const n of names) count.set(n, (count.get(n) ?? 0) + 1);
  return names.map((n, i) => ((count.get(n) ?? 0) > 1 ? displayPath(uris[i]).replace(/\.bnn\.json$/i, '') : n));
}

export class ModelTreeProvider implements vscode.TreeDataProvider<ModelTreeNode> {
  private readonly changed = new vscode.EventEmitter<ModelTreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly store: ModelStore) {}

  refresh(): void {
    this.changed.fire(undefined);
  }

  async getChildren(node?: ModelTreeNode): Promise<ModelTreeNode[]> {
    if (!node) {
      const entries = await this.store.list();
      const uris = entries.map((e) => vscode.Uri.parse(e.id));
      const labels = modelLabels(uris);
      // One settings read per listing, not one per model.
      const board = selectedBoard();
      return entries.map((e, i) => ({ kind: 'model', uri: uris[i], analysis: e.analysis, label: labels[i], board }));
    }
    if (node.kind !== 'model') return [];
    const a = node.analysis;
    if (a.summary && a.load.spec) return a.load.spec.layers.map((_, index) => ({ kind: 'layer', uri: node.uri, analysis: a, index }));
    return a.problems.map((problem, index) => ({ kind: 'problem', uri: node.uri, problem, index }));
  }

  getTreeItem(node: ModelTreeNode): vscode.TreeItem {
    switch (node.kind) {
      case 'model': return this.modelItem(node);
      case 'layer': return layerItem(node);
      case 'problem': return problemItem(node);
    }
  }

  private modelItem(node: Extract<ModelTreeNode, { kind: 'model' }>): vscode.TreeItem {
    const a = node.analysis;
    const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = node.uri.toString();
    item.resourceUri = node.uri;
    // Keras/TF.js files are shown with estimates but are not BNN Studio models until imported (bnn.importModel).
    item.contextValue = isBnnModelFile(node.uri.path) ? 'model' : 'model.imported';
    item.command = { command: 'vscode.open', title: 'Open Model', arguments: [node.uri] };
    if (a.summary && !hasErrors(a)) {
      const board = node.board ?? selectedBoard();
      const budget = assessBudget(a.summary.totals, board);
      item.description = modelDescription(a.summary.totals);
      item.iconPath = budget.level === 'ok'
        ? new vscode.ThemeIcon('layers')
        : new vscode.ThemeIcon('warning', new vscode.ThemeColor(budget.level === 'over' ? 'problemsErrorIcon.foreground' : 'problemsWarningIcon.foreground'));
    } else {
      const p = firstProblem(a);
      item.description = p ? oneLine(p.message) : 'invalid model';
      item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground'));
    }
    return item;
  }

  /** Tooltips are built only when the user hovers an item: a workspace of hundreds of models lists faster. */
  resolveTreeItem(item: vscode.TreeItem, node: ModelTreeNode): vscode.TreeItem {
    if (node.kind === 'layer') {
      item.tooltip = new vscode.MarkdownString(layerHoverMarkdown(node.analysis.load.spec!.layers[node.index], node.analysis.summary!.layers[node.index], node.index));
    } else if (node.kind === 'model') {
      item.tooltip = modelTooltip(node);
    }
    return item;
  }
}

function modelTooltip(node: Extract<ModelTreeNode, { kind: 'model' }>): vscode.MarkdownString {
  const a = node.analysis;
  const tooltip = new vscode.MarkdownString(undefined, true);
  tooltip.appendMarkdown(`**${markdownText(a.load.spec?.name ?? node.label)}** — ${markdownText(displayPath(node.uri))}\n\n`);
  if (a.summary && !hasErrors(a)) {
    const board = selectedBoard();
    const problem = budgetProblem(assessBudget(a.summary.totals, board), board);
    tooltip.appendMarkdown(`${markdownText(modelDescription(a.summary.totals))} · ${markdownText(modelEfficiency(a.summary.totals))}`);
    tooltip.appendMarkdown(problem ? `\n\n$(warning) ${markdownText(problem)}` : `\n\nFits ${markdownText(board.name)}.`);
    tooltip.appendMarkdown(`\n\n${boardFitTable(a.summary.totals)}`);
    for (const w of a.problems) tooltip.appendMarkdown(`\n\n$(warning) ${markdownText(w.message)}`);
  } else {
    const p = firstProblem(a);
    if (p) tooltip.appendMarkdown(`$(error) ${markdownText(`${displayPath(node.uri)}:${p.range.start.line + 1}:${p.range.start.character + 1}: ${p.message}`)}`);
    if (a.problems.length > 1) tooltip.appendMarkdown(`\n\n…and ${a.problems.length - 1} more (expand to see them)`);
  }
  return tooltip;
}

/** Every board of the boards table: model + firmware against its flash and RAM, so a user sees where it would run. */
function boardFitTable(totals: { flashBytes: number; ramBytes: number }): string {
  const rows = BOARDS.map((b) => {
    const a = assessBudget(totals, b);
    const mark = a.level === 'over' ? '$(error)' : a.level === 'near' ? '$(warning)' : '$(check)';
    return `| ${mark} ${markdownText(b.name)} | ${formatPercent(a.flash.fraction)} | ${formatPercent(a.ram.fraction)} |`;
  });
  return ['| board (model + firmware) | flash | RAM |', '|:--|--:|--:|', ...rows].join('\n');
}

function layerItem(node: Extract<ModelTreeNode, { kind: 'layer' }>): vscode.TreeItem {
  const layer = node.analysis.load.spec!.layers[node.index];
  const row = node.analysis.summary!.layers[node.index];
  const item = new vscode.TreeItem(layerHeadline(layer), vscode.TreeItemCollapsibleState.None);
  item.id = `${node.uri.toString()}#layer${node.index}`;
  // the same 1-based position and name as Problems and the hover use
  item.description = `${layerShortLabel(node.index, layer.name)} · ${layerOutcome(row)}`;
  item.iconPath = new vscode.ThemeIcon(LAYER_ICONS[layer.type] ?? 'symbol-misc');
  item.contextValue = 'layer';
  // an imported Keras/TF.js model has no BNN layer ranges to select: its layers just open the file
  item.command = node.analysis.load.layerRanges.length
    ? { command: 'bnn.revealLayer', title: 'Reveal Layer', arguments: [node.uri, node.index] }
    : { command: 'vscode.open', title: 'Open Model', arguments: [node.uri] };
  return item;
}

function problemItem(node: Extract<ModelTreeNode, { kind: 'problem' }>): vscode.TreeItem {
  const p = node.problem;
  const item = new vscode.TreeItem(oneLine(p.message, 200), vscode.TreeItemCollapsibleState.None);
  item.id = `${node.uri.toString()}#problem${node.index}`;
  item.description = `${p.range.start.line + 1}:${p.range.start.character + 1}`;
  item.tooltip = p.message;
  item.iconPath = new vscode.ThemeIcon(p.severity === 'error' ? 'error' : 'warning',
    new vscode.ThemeColor(p.severity === 'error' ? 'problemsErrorIcon.foreground' : 'problemsWarningIcon.foreground'));
  item.contextValue = 'modelProblem';
  const range = new vscode.Range(p.range.start.line, p.range.start.character, p.range.end.line, p.range.end.character);
  item.command = { command: 'vscode.open', title: 'Show Problem', arguments: [node.uri, { selection: range } satisfies vscode.TextDocumentShowOptions] };
  return item;
}

/** Accepts what VS Code and other features pass: (uri, index), a tree node, or a URI string. */
function toUri(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === 'string') return arg.includes('://') || arg.startsWith('file:') ? vscode.Uri.parse(arg) : vscode.Uri.file(arg);
  if (arg && typeof arg === 'object' && 'uri' in arg && (arg as { uri: unknown }).uri instanceof vscode.Uri) return (arg as { uri: vscode.Uri }).uri;
  return undefined;
}

/** Opens the model and selects layer `index`'s object. */
export async function revealLayer(store: ModelStore, target: unknown, index?: unknown): Promise<void> {
  const uri = toUri(target);
  const i = typeof index === 'number' ? index : (target as { index?: unknown } | undefined)?.index;
  if (!uri || typeof i !== 'number') {
    void vscode.window.showErrorMessage('BNN: Reveal Layer needs a model file and a layer index (use it from the Models view).');
    return;
  }
  await revealLayerIn(store, uri, i);
}

/** Opens the model (in `column`, default the active group) and selects layer `index`'s object. */
export async function revealLayerIn(store: ModelStore, uri: vscode.Uri, index: number, column?: vscode.ViewColumn): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(uri);
  const a = await store.analyzeDocument(doc);
  const r = a.load.layerRanges[index];
  const editor = await vscode.window.showTextDocument(doc, { preview: true, ...(column !== undefined ? { viewColumn: column } : {}) });
  if (!r) {
    void vscode.window.showWarningMessage(`BNN: ${displayPath(uri)} has no layer ${index} any more.`);
    return;
  }
  const range = new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
  editor.selection = new vscode.Selection(range.start, range.end);
  editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}

export function registerModelExplorer(context: vscode.ExtensionContext, store: ModelStore): ModelTreeProvider {
  const provider = new ModelTreeProvider(store);
  // Many watcher events arrive together (a git checkout, a generator): one tree refresh for the lot.
  const refreshSoon = debounceByKey<string>(150, () => provider.refresh());
  const view = vscode.window.createTreeView('bnnModels', { treeDataProvider: provider, showCollapseAll: true });
  context.subscriptions.push(
    view,
    view.onDidChangeSelection((e) => setSelectedModel(e.selection[0]?.uri)),
    { dispose: () => refreshSoon.dispose() },
    store.onDidChange(() => refreshSoon('tree')),
    onDidChangeBoard(() => provider.refresh()),
    vscode.commands.registerCommand('bnn.refreshModels', () => store.refresh()),
    vscode.commands.registerCommand('bnn.revealLayer', (target: unknown, index?: unknown) => revealLayer(store, target, index)),
  );
  return provider;
}
