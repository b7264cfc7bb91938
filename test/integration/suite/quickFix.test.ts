import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { inWorkspace, waitFor } from './helpers';

/** A user's model with a misspelt quantizer (issue 16 item 6). */
const TEXT = `{
  "name": "typo",
  "input": { "shape": [28, 28, 1] },
  "classes": 10,
  "layers": [
    { "type": "Flatten" },
    { "type": "QuantDense", "units": 10, "inputQuantizer": "ste_sing", "kernelQuantizer": "ste_sign", "useBias": false },
    { "type": "BatchNormalization" },
    { "type": "Activation", "activation": "softmax" }
  ]
}
`;

const bnnErrors = (uri: vscode.Uri): vscode.Diagnostic[] =>
  vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'BNN Studio' && d.severity === vscode.DiagnosticSeverity.Error);

describe('Quick fix for a "did you mean" in Problems', () => {
  const uri = inWorkspace('broken', 'typo-quantizer.bnn.json');
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    // later suites count the workspace's models
    await vscode.workspace.fs.delete(uri).then(undefined, () => undefined);
  });

  it('offers Change to "ste_sign" on a misspelt quantizer, and applying it clears the problem', async () => {
    await vscode.workspace.fs.writeFile(uri, Buffer.from(TEXT));
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const diag = await waitFor(() => `a BNN Studio error on "ste_sing" (got ${JSON.stringify(bnnErrors(uri).map((d) => d.message))})`,
      () => bnnErrors(uri).find((d) => /did you mean "ste_sign"/.test(d.message)), 30_000);
    assert.equal(doc.getText(diag.range), '"ste_sing"');
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, diag.range, vscode.CodeActionKind.QuickFix.value);
    const fix = actions.find((a) => a.title === 'Change to "ste_sign"');
    assert.ok(fix?.edit, `actions: ${JSON.stringify(actions.map((a) => a.title))}`);
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    assert.equal(doc.getText(diag.range), '"ste_sign"');
    await waitFor(() => `no BNN Studio error left (got ${JSON.stringify(bnnErrors(uri).map((d) => d.message))})`, () => bnnErrors(uri).length === 0, 30_000);
  });
});
