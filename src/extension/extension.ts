import * as vscode from 'vscode';
import { registerTraining } from './training';

export function activate(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel('BNN Studio', { log: true });
  context.subscriptions.push(output);
  registerTraining(context, output);
}

export function deactivate(): void {}
