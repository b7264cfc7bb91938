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
import { registerDatasets } from './datasetsView';
import { trackSelectedModel } from './selectedModel';

export function activate(context: vscode.ExtensionContext): BnnStudioApi {
  const output = vscode.window.createOutputChannel('BNN Studio', { log: true });
  context.subscriptions.push(output);
  // One store of analysed models shared by every model view: each file is parsed once per change.
  const models = new ModelStore();
  context.subscriptions.push(models);
  trackSelectedModel(context);
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
  const datasets = registerDatasets(context, models, output);
  return bnnStudioApi({ bnnModels: modelTree, bnnExperiments: experiments.tree, bnnDatasets: datasets.tree });
}

export function deactivate(): void {}
