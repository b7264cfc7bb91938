import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import * as path from 'node:path';
import type { BnnStudioApi } from '../../../src/extension/api';
import { contributedCommands, extension, waitFor } from './helpers';

describe('Activation', () => {
  it('activates by itself in a workspace that contains *.bnn.json files (no command needed)', async () => {
    const ext = extension();
    // This suite runs first and no test has run a BNN command yet: the workspace's *.bnn.json files (a
    // workspaceContains event) must have activated it, and activation must have returned the extension's API.
    await waitFor('the extension to activate', () => ext.isActive, 30_000);
    assert.equal(typeof (ext.exports as BnnStudioApi | undefined)?.treeRows, 'function', 'activate() returned the API');
  });

  it('the workbench has the BNN Studio container with its two views, and the Models view lists the workspace\'s models', async () => {
    // The workbench registers `workbench.view.extension.<id>` and `<view>.focus` only for containers and views it
    // really loaded from the manifest: reading package.json back would not tell.
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const c of ['workbench.view.extension.bnnStudio', 'bnnModels.focus', 'bnnExperiments.focus', 'bnnDatasets.focus']) assert.ok(registered.has(c), `${c} is registered`);
    await vscode.commands.executeCommand('workbench.view.extension.bnnStudio');
    await vscode.commands.executeCommand('bnnModels.focus');
    const onDisk = (await vscode.workspace.findFiles('**/*.bnn.json', '**/{node_modules,.bnn}/**')).map((u) => path.basename(u.fsPath, '.bnn.json')).sort();
    assert.ok(onDisk.length >= 3, `the test workspace has the example models: ${JSON.stringify(onDisk)}`);
    const api = extension().exports as BnnStudioApi;
    const rows = await waitFor('the Models view to list the workspace\'s models', async () => {
      const labels = (await api.treeRows('bnnModels')).map((r) => r.label).sort();
      return onDisk.every((m) => labels.includes(m)) && labels;
    });
    assert.ok(rows.length >= onDisk.length);
  });

  it('opens *.bnn.json files as JSON', async () => {
    const [file] = await vscode.workspace.findFiles('**/*.bnn.json', '**/node_modules/**', 1);
    assert.ok(file, 'the test workspace has a model');
    const doc = await vscode.workspace.openTextDocument(file);
    assert.equal(doc.languageId, 'json');
  });

  it('every contributed command is registered, titled and in the "BNN" category', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    const problems: string[] = [];
    for (const c of contributedCommands()) {
      if (!registered.has(c.command)) problems.push(`${c.command} is contributed but not registered`);
      if (!c.title) problems.push(`${c.command} has no title`);
      if (c.category !== 'BNN') problems.push(`${c.command} has category ${JSON.stringify(c.category)}, expected "BNN"`);
    }
    assert.deepEqual(problems, []);
  });
});
