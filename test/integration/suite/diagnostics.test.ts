import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DEFAULT_BOARD_ID, findBoard } from '../../../src/core/boards';
import { formatBytes } from '../../../src/core/estimate/summary';
import { extension, inWorkspace, waitFor } from './helpers';

/** Copies a malformed model from test/fixtures into the workspace, as if the user had written it. */
async function writeBroken(fixture: string, name: string): Promise<vscode.Uri> {
  const src = vscode.Uri.file(path.join(extension().extensionPath, 'test', 'fixtures', 'malformed', fixture));
  const dst = inWorkspace('broken', name);
  await vscode.workspace.fs.writeFile(dst, await vscode.workspace.fs.readFile(src));
  return dst;
}

function describeDiagnostics(uri: vscode.Uri): string {
  const all = vscode.languages.getDiagnostics(uri);
  return all.length === 0 ? 'none' : all.map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} [${d.source ?? '?'}] ${d.message}`).join('; ');
}

/** Errors and warnings: the JSON language server reports schema violations as warnings, BNN Studio's checks as errors. */
function problemsOf(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.severity <= vscode.DiagnosticSeverity.Warning);
}

describe('Diagnostics for a broken model', () => {
  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('marks an unknown layer type on its own line, and clears it once fixed', async () => {
    const uri = await writeBroken('unknown-layer-type.bnn.json', 'unknown-layer.bnn.json');
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const badLine = doc.getText().split('\n').findIndex((l) => l.includes('"BatchNorm"'));
    assert.ok(badLine > 0);
    const problems = await waitFor(() => `a problem on line ${badLine + 1} (diagnostics: ${describeDiagnostics(uri)})`, () => {
      const e = problemsOf(uri);
      return e.some((d) => d.range.start.line === badLine) ? e : undefined;
    }, 30_000);
    assert.ok(problems.every((d) => d.message.trim().length > 0), 'every problem has a message');
    // VS Code's JSON service reads the model schema too (for completion): it must not list the same problem again.
    // Its diagnostics arrive on their own schedule, so the Problems panel is watched for a while.
    for (let i = 0; i < 30; i++) {
      const lines = problemsOf(uri).map((d) => d.range.start.line);
      assert.equal(new Set(lines).size, lines.length, `one problem per line, not one per checker (diagnostics: ${describeDiagnostics(uri)})`);
      await new Promise((r) => setTimeout(r, 100));
    }

    const edit = new vscode.WorkspaceEdit();
    const col = doc.lineAt(badLine).text.indexOf('"BatchNorm"');
    edit.replace(uri, new vscode.Range(badLine, col, badLine, col + '"BatchNorm"'.length), '"BatchNormalization"');
    assert.ok(await vscode.workspace.applyEdit(edit));
    await waitFor(() => `the problem to clear after the fix (diagnostics: ${describeDiagnostics(uri)})`, () => problemsOf(uri).length === 0, 30_000);
  });

  it('reports a semantic error (last layer vs classes) as a BNN Studio error at the offending value', async () => {
    const uri = await writeBroken('units-mismatch.bnn.json', 'units-mismatch.bnn.json');
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const lines = doc.getText().split('\n');
    const unitsLine = lines.findIndex((l) => /"units":\s*12/.test(l));
    const diag = await waitFor(() => `a BNN Studio error on line ${unitsLine + 1} (diagnostics: ${describeDiagnostics(uri)})`, () =>
      vscode.languages.getDiagnostics(uri).find((d) => d.source === 'BNN Studio' && d.severity === vscode.DiagnosticSeverity.Error && d.range.start.line === unitsLine));
    assert.match(diag.message, /but "classes" is 10/);
  });

  it('completes layer types and properties from the model schema', async () => {
    const uri = inWorkspace('broken', 'completion.bnn.json');
    await vscode.workspace.fs.writeFile(uri, Buffer.from('{\n  "name": "c",\n  "input": { "shape": [4] },\n  "classes": 2,\n  "layers": [ { "type": "" } ]\n}\n'));
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const line = 4;
    const at = new vscode.Position(line, doc.lineAt(line).text.indexOf('"type": ""') + '"type": "'.length);
    const labels = await waitFor('layer types offered as completions', async () => {
      const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', uri, at);
      const names = list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
      return names.some((n) => n.includes('QuantDense')) ? names : undefined;
    }, 30_000);
    assert.ok(labels.some((n) => n.includes('BatchNormalization')), labels.join(', '));
  });

  it('says in the Problems panel that BinaryNet does not fit the selected board, on its largest layer', async () => {
    const src = vscode.Uri.file(path.join(extension().extensionPath, 'examples', 'binarynet-cifar10.bnn.json'));
    const uri = inWorkspace('broken', 'too-big.bnn.json');
    await vscode.workspace.fs.writeFile(uri, await vscode.workspace.fs.readFile(src));
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    // The first QuantDense (8192 × 1024 one-bit weights, 1 MiB) holds most of the 1.69 MB; its object starts a line above.
    const denseLine = doc.getText().split('\n').findIndex((l) => l.includes('"QuantDense"')) - 1;
    const diag = await waitFor(() => `a "does not fit" error on line ${denseLine + 1} (diagnostics: ${describeDiagnostics(uri)})`, () =>
      vscode.languages.getDiagnostics(uri).find((d) => d.source === 'BNN Studio' && d.severity === vscode.DiagnosticSeverity.Error && /^Does not fit /.test(d.message)), 30_000);
    assert.equal(diag.range.start.line, denseLine);
    // Whichever board an earlier suite selected: 1768752 B of model + its firmware's share, against its flash.
    const board = findBoard(vscode.workspace.getConfiguration('bnnStudio').get<string>('board') || DEFAULT_BOARD_ID)!;
    const needed = formatBytes(1768752 + board.firmwareReserve.flashBytes);
    assert.equal(diag.message, `Does not fit ${board.name}: it needs ${needed} flash (model 1.69 MB + firmware ${formatBytes(board.firmwareReserve.flashBytes)}), the board has ${formatBytes(board.flashBytes)}. Layer 'quant_dense' holds 1.00 MB of it. Compile, bench and flash will refuse it for this board.`);
  });

  it('survives a model file nested 100,000 levels deep and says what is wrong', async () => {
    const uri = inWorkspace('broken', 'deep.bnn.json');
    await vscode.workspace.fs.writeFile(uri, Buffer.from('['.repeat(100_000) + ']'.repeat(100_000)));
    await vscode.window.showTextDocument(uri);
    const diag = await waitFor(() => `a nesting error (diagnostics: ${describeDiagnostics(uri)})`, () =>
      vscode.languages.getDiagnostics(uri).find((d) => d.source === 'BNN Studio' && /nested more than 64 levels deep/.test(d.message)), 30_000);
    assert.deepEqual([diag.range.start.line, diag.range.start.character], [0, 64]);
    assert.ok(extension().isActive, 'the extension host is still serving the extension');
  });

  it('marks a JSON syntax error', async () => {
    const uri = await writeBroken('syntax-missing-comma.bnn.json', 'syntax.bnn.json');
    await vscode.window.showTextDocument(uri);
    await waitFor('a syntax error diagnostic', () => problemsOf(uri).length > 0, 30_000);
  });
});
