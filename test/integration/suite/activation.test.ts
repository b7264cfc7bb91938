import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { contributedCommands, extension, waitFor } from './helpers';

describe('Activation', () => {
  it('activates by itself in a workspace that contains *.bnn.json files (no command needed)', async () => {
    const ext = extension();
    const events = (ext.packageJSON as { activationEvents?: string[] }).activationEvents ?? [];
    assert.ok(events.includes('workspaceContains:**/*.bnn.json'), `activationEvents: ${JSON.stringify(events)}`);
    // The test workspace holds the example models, so the workspaceContains event alone must activate it.
    await waitFor('the extension to activate', () => ext.isActive, 30_000);
  });

  it('contributes the BNN Studio activity bar container', () => {
    const pkg = extension().packageJSON as { contributes: { viewsContainers: { activitybar: { id: string; title: string }[] } } };
    const c = pkg.contributes.viewsContainers.activitybar.find((v) => v.id === 'bnnStudio');
    assert.ok(c, 'activity bar container bnnStudio');
    assert.equal(c.title, 'BNN Studio');
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
