import * as vscode from 'vscode';
import { registerExperiments } from './experimentsView';

export function activate(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel('BNN Studio', { log: true });
  context.subscriptions.push(output);
  registerExperiments(context, output);
}

export function deactivate(): void {}
