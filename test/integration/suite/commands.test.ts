import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { contributedCommands, inWorkspace, waitFor } from './helpers';

/**
 * Every contributed command, run the way a user can reach it. Commands that ask something (a quick pick, an input
 * box) are cancelled like a user pressing Escape: they must end quietly, not throw. A new command without an entry
 * here fails the suite, so none ships untested.
 */
type Exercise = () => Promise<void>;

const model = (): vscode.Uri => inWorkspace('models', 'binary-mlp.bnn.json');

/** Runs a command that opens a quick input, then cancels it; the command must resolve without error. */
async function runAndCancel(command: string, ...args: unknown[]): Promise<void> {
  const done = vscode.commands.executeCommand(command, ...args);
  await new Promise((r) => setTimeout(r, 1500));
  await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
  await Promise.race([done, new Promise((_, rej) => setTimeout(() => rej(new Error(`${command} did not end after Escape`)), 10_000))]);
}

const EXERCISES: Record<string, Exercise> = {
  'bnn.showSummary': async () => {
    await vscode.commands.executeCommand('bnn.showSummary', model());
    const doc = await waitFor('the summary document', () => vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'bnn-summary'));
    assert.match(doc.getText(), /binary_mlp/);
    assert.match(doc.getText(), /Board: /);
  },
  'bnn.refreshModels': async () => {
    await vscode.commands.executeCommand('bnn.refreshModels');
  },
  'bnn.selectBoard': async () => {
    const config = vscode.workspace.getConfiguration('bnnStudio');
    await vscode.commands.executeCommand('bnn.selectBoard', 'nucleo-f446re');
    await waitFor('bnnStudio.board = nucleo-f446re', () => vscode.workspace.getConfiguration('bnnStudio').get('board') === 'nucleo-f446re');
    await runAndCancel('bnn.selectBoard');
    await config.update('board', undefined, vscode.ConfigurationTarget.Global);
  },
  'bnn.newModel': async () => {
    await runAndCancel('bnn.newModel');
  },
  'bnn.revealLayer': async () => {
    await vscode.commands.executeCommand('bnn.revealLayer', model(), 1);
    const editor = await waitFor('an editor on the model', () => vscode.window.activeTextEditor?.document.uri.toString() === model().toString() && vscode.window.activeTextEditor);
    assert.match(editor.document.getText(editor.selection), /QuantDense/);
  },
};

describe('Every contributed command runs', () => {
  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('has an exercise for every contributed command', () => {
    const missing = contributedCommands().map((c) => c.command).filter((c) => !EXERCISES[c]);
    assert.deepEqual(missing, [], 'contributed commands without an integration exercise');
  });

  for (const [command, exercise] of Object.entries(EXERCISES)) {
    it(command, async function () {
      if (!contributedCommands().some((c) => c.command === command)) this.skip();
      await exercise();
    });
  }
});
