import * as vscode from 'vscode';
import { registerBoardStatus } from './boardStatus';
import { registerDevice } from './device';
import { registerFlash } from './flash';
import { registerInlineEstimates } from './inlineEstimates';
import { registerModelCommands } from './modelCommands';
import { registerModelDiagnostics } from './modelDiagnostics';
import { registerModelExplorer } from './modelExplorer';
import { ModelStore } from './modelStore';
import { registerInterop } from './interop';
import { registerTraining } from './training';
import { registerCompile } from './compile';
import { registerExperiments } from './experimentsView';

export function activate(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel('BNN Studio', { log: true });
  context.subscriptions.push(output);
  // One store of analysed models shared by every model view: each file is parsed once per change.
  const models = new ModelStore();
  context.subscriptions.push(models);
  registerModelExplorer(context, models);
  registerInlineEstimates(context, models);
  registerModelDiagnostics(context, models);
  registerBoardStatus(context, models);
  registerModelCommands(context, models);
  registerInterop(context, output);
  const training = registerTraining(context, output);
  registerCompile(context, output);
  registerDevice(context, output);
  registerFlash(context, output);
  registerExperiments(context, output).connectTrainer(training);
}

export function deactivate(): void {}
