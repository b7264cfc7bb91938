/**
 * Inline estimates in an open `*.bnn.json`: a CodeLens above every layer ("QuantConv2D 64×3×3 → 14×14×64 · 4.6 KB ·
 * 1.2 M BOPs"), the model total at the top, and the Larq-style row when hovering a layer.
 */
import * as vscode from 'vscode';
import { assessBudget, budgetProblem } from './budget';
import { layerHoverMarkdown, layerLensTitle, modelTotalTitle, oneLine } from './estimateLabels';
import { hasErrors } from './modelAnalysis';
import { isModelDocument, type ModelStore } from './modelStore';
import { onDidChangeBoard, selectedBoard } from './selectedBoard';

const SELECTOR: vscode.DocumentSelector = [{ pattern: '**/*.bnn.json' }];

function toRange(r: { start: { line: number; character: number }; end: { line: number; character: number } }): vscode.Range {
  return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}

export class EstimateLensProvider implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(private readonly store: ModelStore) {}

  refresh(): void {
    this.changed.fire();
  }

  async provideCodeLenses(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    if (!isModelDocument(doc)) return [];
    const a = await this.store.analyzeDocument(doc);
    const top = new vscode.Range(0, 0, 0, 0);
    if (!a.summary || !a.load.spec || hasErrors(a)) {
      const errors = a.problems.filter((p) => p.severity === 'error');
      if (!errors.length) return [];
      const first = errors[0];
      return [new vscode.CodeLens(top, {
        title: `$(error) No estimate: ${errors.length} problem${errors.length > 1 ? 's' : ''} — line ${first.range.start.line + 1}: ${oneLine(first.message, 100)}`,
        command: 'workbench.actions.view.problems',
        tooltip: 'Show the Problems panel',
      })];
    }
    const board = selectedBoard();
    const problem = budgetProblem(assessBudget(a.summary.totals, board), board);
    const lenses = [new vscode.CodeLens(top, {
      title: `${modelTotalTitle(a.summary.totals)}${problem ? ` · $(warning) ${problem}` : ''}`,
      command: 'bnn.showSummary',
      arguments: [doc.uri],
      tooltip: 'Show the full Larq-style summary',
    })];
    a.load.spec.layers.forEach((layer, i) => {
      const r = a.load.layerRanges[i];
      const row = a.summary!.layers[i];
      if (!r || !row) return;
      lenses.push(new vscode.CodeLens(toRange(r).with({ end: toRange(r).start }), {
        title: layerLensTitle(layer, row),
        command: 'bnn.showSummary',
        arguments: [doc.uri],
        tooltip: `${row.name}: show the full Larq-style summary`,
      }));
    });
    return lenses;
  }
}

export class EstimateHoverProvider implements vscode.HoverProvider {
  constructor(private readonly store: ModelStore) {}

  async provideHover(doc: vscode.TextDocument, position: vscode.Position): Promise<vscode.Hover | undefined> {
    if (!isModelDocument(doc)) return undefined;
    const a = await this.store.analyzeDocument(doc);
    if (!a.summary || !a.load.spec || hasErrors(a)) return undefined;
    const i = a.load.layerRanges.findIndex((r) => toRange(r).contains(position));
    if (i < 0 || !a.summary.layers[i] || !a.load.spec.layers[i]) return undefined;
    return new vscode.Hover(new vscode.MarkdownString(layerHoverMarkdown(a.load.spec.layers[i], a.summary.layers[i], i)), toRange(a.load.layerRanges[i]));
  }
}

export function registerInlineEstimates(context: vscode.ExtensionContext, store: ModelStore): void {
  const lenses = new EstimateLensProvider(store);
  context.subscriptions.push(
    vscode.languages.registerCodeLensProvider(SELECTOR, lenses),
    vscode.languages.registerHoverProvider(SELECTOR, new EstimateHoverProvider(store)),
    // The lenses mention the board's budget.
    onDidChangeBoard(() => lenses.refresh()),
  );
}
