import * as vscode from 'vscode';
import { registerCompile } from './compile';

export function activate(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel('BNN Studio', { log: true });
  context.subscriptions.push(output);
  registerCompile(context, output);
}

export function deactivate(): void {}
