/** Which *.bnn.json model an interop command acts on (Larq and PyTorch exports, Train with Larq). */
import * as vscode from 'vscode';
import * as path from 'node:path';
import type { ModelSpec } from '../core/model/spec';

/** The model a command was invoked on: a tree item, a URI, the active editor, or a pick among the workspace's models. */
export async function pickModel(arg: unknown): Promise<{ uri: vscode.Uri; spec: ModelSpec } | undefined> {
  let uri: vscode.Uri | undefined;
  if (arg instanceof vscode.Uri) uri = arg;
  else if (arg && typeof arg === 'object' && 'uri' in arg && (arg as { uri: unknown }).uri instanceof vscode.Uri) uri = (arg as { uri: vscode.Uri }).uri;
  else if (arg && typeof arg === 'object' && 'resourceUri' in arg && (arg as { resourceUri: unknown }).resourceUri instanceof vscode.Uri) uri = (arg as { resourceUri: vscode.Uri }).resourceUri;
  else if (vscode.window.activeTextEditor?.document.fileName.endsWith('.bnn.json')) uri = vscode.window.activeTextEditor.document.uri;
  if (!uri) {
    const files = await vscode.workspace.findFiles('**/*.bnn.json', '**/node_modules/**', 500);
    if (!files.length) { void vscode.window.showErrorMessage('No *.bnn.json model in this workspace: create one with "BNN: New Model".'); return undefined; }
    const pick = await vscode.window.showQuickPick(files.map((f) => ({ label: path.basename(f.fsPath), description: vscode.workspace.asRelativePath(f), uri: f })), { title: 'Model', placeHolder: 'Which model?' });
    uri = pick?.uri;
  }
  if (!uri) return undefined;
  const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  // The loader (and ajv behind it) loads on use, not at activation.
  const { loadModelText } = await import('../core/model/load');
  const loaded = loadModelText(text, uri.fsPath);
  if (!loaded.spec) {
    const d = loaded.diagnostics[0];
    void vscode.window.showErrorMessage(`${vscode.workspace.asRelativePath(uri)}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.message}`);
    return undefined;
  }
  return { uri, spec: loaded.spec };
}
