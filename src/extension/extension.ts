import * as vscode from 'vscode';
import { registerBoardStatus } from './boardStatus';
import { registerDevice } from './device';
import { registerFlash } from './flash';
import { registerSerialMonitor } from './serialMonitor';
import { registerInlineEstimates } from './inlineEstimates';
import { registerModelCommands } from './modelCommands';
import { registerModelDiagnostics } from './modelDiagnostics';
import { registerModelExplorer } from './modelExplorer';
import { registerGraphPanels } from './graphPanel';
import { ModelStore } from './modelStore';
import { registerInterop } from './interop';
import { registerTraining } from './training';
import { registerCompile } from './compile';
import { registerExperiments } from './experimentsView';
import { bnnStudioApi, type BnnStudioApi } from './api';

export function activate(context: vscode.ExtensionContext): BnnStudioApi {
  const output = vscode.window.createOutputChannel('BNN Studio', { log: true });
  context.subscriptions.push(output);
  // One store of analysed models shared by every model view: each file is parsed once per change.
  const models = new ModelStore();
  context.subscriptions.push(models);
  const modelTree = registerModelExplorer(context, models);
  registerInlineEstimates(context, models);
  registerModelDiagnostics(context, models);
  registerBoardStatus(context, models);
  registerModelCommands(context, models);
  registerGraphPanels(context, models, output);
  registerInterop(context, output);
  const training = registerTraining(context, output);
  registerCompile(context, output);
  registerDevice(context, output);
  registerFlash(context, output);
  registerSerialMonitor(context, output);
  const experiments = registerExperiments(context, output);
  experiments.connectTrainer(training);
  return bnnStudioApi({ bnnModels: modelTree, bnnExperiments: experiments.tree });
}

export function deactivate(): void {}
