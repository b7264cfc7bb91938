/**
 * Problems-panel diagnostics for open `*.bnn.json` files: the loader's schema and semantic errors with their exact
 * ranges, and whether the model fits the selected board; refreshed as the user types (debounced) or picks another
 * board, and cleared when the file closes.
 */
import * as vscode from 'vscode';
import type { ModelDiagnostic } from '../core/model/load';
import { quickFixesAt } from '../core/model/quickFix';
import { budgetDiagnostic } from './budget';
import { debounceByKey } from './debounce';
import { onDidChangeBoard, selectedBoard } from './selectedBoard';
import { isModelDocument, type ModelStore } from './modelStore';

export const TYPING_DEBOUNCE_MS = 300;

export function toDiagnostic(d: ModelDiagnostic): vscode.Diagnostic {
  const range = new vscode.Range(d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character);
  const diag = new vscode.Diagnostic(range, d.message, d.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
  diag.source = 'BNN Studio';
  return diag;
}

/** "Did you mean" fixes for the loader's diagnostics (core/model/quickFix.ts decides them; this only applies them). */
export class ModelQuickFixProvider implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];
  constructor(private readonly store: ModelStore) {}

  async provideCodeActions(doc: vscode.TextDocument, range: vscode.Range | vscode.Selection, context: vscode.CodeActionContext): Promise<vscode.CodeAction[]> {
    if (!isModelDocument(doc)) return [];
    const a = await this.store.analyzeDocument(doc);
    const at = { start: { line: range.start.line, character: range.start.character }, end: { line: range.end.line, character: range.end.character } };
    return quickFixesAt(a.problems, at).map(({ diagnostic, fix }) => {
      const target = toDiagnostic(diagnostic).range;
      const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
      action.edit = new vscode.WorkspaceEdit();
      action.edit.replace(doc.uri, target, fix.newText);
      // the Problems entry this fixes, so the light bulb and the panel's fix menu offer it
      action.diagnostics = context.diagnostics.filter((d) => d.range.isEqual(target) && d.message === diagnostic.message);
      action.isPreferred = true;
      return action;
    });
  }
}

export function registerModelDiagnostics(context: vscode.ExtensionContext, store: ModelStore): vscode.DiagnosticCollection {
  const collection = vscode.languages.createDiagnosticCollection('bnn');
  const update = async (doc: vscode.TextDocument): Promise<void> => {
    if (!isModelDocument(doc) || doc.isClosed) return;
    const a = await store.analyzeDocument(doc);
    // The file may have closed while the analyser loaded.
    if (doc.isClosed) return;
    const fit = budgetDiagnostic(a, selectedBoard());
    collection.set(doc.uri, [...a.problems.filter((p) => p.stage !== 'syntax'), ...(fit ? [fit] : [])].map(toDiagnostic));
  };
  const updateSoon = debounceByKey<vscode.TextDocument>(TYPING_DEBOUNCE_MS, (doc) => void update(doc));
  context.subscriptions.push(
    collection,
    vscode.languages.registerCodeActionsProvider({ pattern: '**/*.bnn.json' }, new ModelQuickFixProvider(store), { providedCodeActionKinds: ModelQuickFixProvider.kinds }),
    { dispose: () => updateSoon.dispose() },
    vscode.workspace.onDidOpenTextDocument((doc) => void update(doc)),
    vscode.workspace.onDidChangeTextDocument((e) => { if (isModelDocument(e.document)) updateSoon(e.document); }),
    vscode.workspace.onDidCloseTextDocument((doc) => collection.delete(doc.uri)),
    onDidChangeBoard(() => { for (const doc of vscode.workspace.textDocuments) void update(doc); }),
  );
  for (const doc of vscode.workspace.textDocuments) void update(doc);
  return collection;
}
