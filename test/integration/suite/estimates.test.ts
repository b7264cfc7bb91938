import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { loadModelText } from '../../../src/core/model/load';
import { formatBytes, summarize } from '../../../src/core/estimate/summary';
import { inWorkspace, waitFor } from './helpers';

/** What the core estimator says about a model text: the numbers the editor must show. */
function expected(text: string): ReturnType<typeof summarize> {
  const loaded = loadModelText(text, 'model.bnn.json');
  assert.ok(loaded.spec, `the example model must load: ${JSON.stringify(loaded.diagnostics)}`);
  return summarize(loaded.spec);
}

async function lenses(uri: vscode.Uri): Promise<vscode.CodeLens[]> {
  return (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100)) ?? [];
}

function titles(ls: vscode.CodeLens[]): string[] {
  return ls.map((l) => l.command?.title ?? '');
}

describe('Inline estimates (CodeLens) on a *.bnn.json', () => {
  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('shows the model total and one estimate above every layer, with the estimator\'s numbers', async () => {
    const uri = inWorkspace('models', 'binary-cnn.bnn.json');
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const want = expected(doc.getText());
    const ls = await waitFor('CodeLenses', async () => ((await lenses(uri)).length > 0 ? lenses(uri) : undefined));
    const total = ls.find((l) => l.range.start.line === 0);
    assert.ok(total, `a lens on the first line; got ${JSON.stringify(titles(ls))}`);
    assert.match(total.command?.title ?? '', new RegExp(`flash ${escapeRe(formatBytes(want.totals.flashBytes))}`));
    assert.match(total.command?.title ?? '', new RegExp(`RAM ${escapeRe(formatBytes(want.totals.ramBytes))}`));
    const layerLenses = ls.filter((l) => l.range.start.line > 0);
    assert.equal(layerLenses.length, want.layers.length, `one lens per layer; got ${JSON.stringify(titles(layerLenses))}`);
    // Each layer's lens sits on the line where that layer's object starts, and names the layer type.
    const lines = doc.getText().split('\n');
    for (const l of layerLenses) assert.match(lines[l.range.start.line], /\{/, `lens "${l.command?.title}" is not on a layer's opening line`);
    assert.ok(layerLenses.some((l) => /QuantConv2D/.test(l.command?.title ?? '')), JSON.stringify(titles(layerLenses)));
    // The lenses are clickable: they open the summary.
    assert.equal(total.command?.command, 'bnn.showSummary');
  });

  it('follows edits: a wider dense layer shows the larger flash total', async () => {
    const uri = inWorkspace('models', 'binary-mlp.bnn.json');
    const doc = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(doc);
    const before = expected(doc.getText());
    const line = doc.getText().split('\n').findIndex((l) => /"units":\s*256/.test(l));
    assert.ok(line > 0);
    const col = doc.lineAt(line).text.indexOf('256');
    await editor.edit((e) => e.replace(new vscode.Range(line, col, line, col + 3), '512'));
    const after = expected(doc.getText());
    assert.ok(after.totals.flashBytes > before.totals.flashBytes);
    const wanted = `flash ${formatBytes(after.totals.flashBytes)}`;
    await waitFor(() => `the total lens to say "${wanted}"`, async () => titles(await lenses(uri)).some((t) => t.includes(wanted)));
  });

  it('says why there is no estimate when the model is invalid', async () => {
    const uri = inWorkspace('models', 'binary-mlp.bnn.json');
    const doc = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(doc);
    const line = doc.getText().split('\n').findIndex((l) => /"classes":\s*10/.test(l));
    const col = doc.lineAt(line).text.indexOf('10');
    await editor.edit((e) => e.replace(new vscode.Range(line, col, line, col + 2), '12'));
    const ls = await waitFor('a "No estimate" lens', async () => {
      const l = await lenses(uri);
      return l.some((x) => /No estimate/.test(x.command?.title ?? '')) ? l : undefined;
    });
    assert.match(titles(ls).join('\n'), /line \d+/, 'the lens names the line of the problem');
  });
});

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
