/**
 * "BNN: Export PyTorch Training Project…": the model, an optimizer preset and an IDX dataset → a folder with the
 * project `bnn export-torch` writes (src/core/interop/torchProject.ts), opened at train.py, with how to run it.
 */
import * as vscode from 'vscode';
import * as path from 'node:path';
import { pickModel } from './pickModel';

export async function exportTorchProject(arg: unknown, output: vscode.LogOutputChannel): Promise<void> {
  const model = await pickModel(arg);
  if (!model) return;
  // the exporter, presets and dataset lookup load on use, not at activation
  const { BOP_PRESETS, optimizerFromPreset } = await import('../core/train/presets');
  const { writeTorchProject, TORCHRUN_COMMAND } = await import('../core/interop/torchProject');
  const { locateDataset, NAMED_DATASETS, isDatasetName } = await import('../core/data');
  const preset = await vscode.window.showQuickPick(BOP_PRESETS.map((p) => ({ label: p.label, description: p.detail, id: p.id })), { title: 'Optimizer preset' });
  if (!preset) return;
  const dataPick = await vscode.window.showQuickPick(
    [...['bundled', 'fashion-mnist', 'mnist'].map((n) => ({ label: n, description: isDatasetName(n) ? NAMED_DATASETS[n].title : '' })), { label: 'Folder with IDX files…', description: '' }],
    { title: 'Dataset (IDX)' });
  if (!dataPick) return;
  let dataName = dataPick.label;
  if (dataName.startsWith('Folder')) {
    const dir = await vscode.window.showOpenDialog({ title: 'Folder with the IDX files', canSelectFolders: true, canSelectFiles: false });
    if (!dir?.[0]) return;
    dataName = dir[0].fsPath;
  }
  let location;
  try {
    location = locateDataset(dataName);
  } catch (err) {
    void vscode.window.showErrorMessage(`Export PyTorch Training Project: ${(err as Error).message}`);
    return;
  }
  if (location.format !== 'idx' || !location.idx) {
    void vscode.window.showErrorMessage(`Export PyTorch Training Project: ${location.dir} is ${location.format}; the PyTorch project reads IDX datasets (MNIST, Fashion-MNIST, bundled) so far.`);
    return;
  }
  const folder = await vscode.window.showOpenDialog({ title: 'Folder for the PyTorch project', canSelectFolders: true, canSelectFiles: false, openLabel: 'Export here', defaultUri: vscode.Uri.joinPath(model.uri, '..') });
  if (!folder?.[0]) return;
  const target = path.join(folder[0].fsPath, `${model.spec.name}-torch`);
  const base = optimizerFromPreset(preset.id);
  const batchSize = base.batchSize ?? 100;
  const trainCount = (isDatasetName(dataName) ? NAMED_DATASETS[dataName].trainCount : undefined) ?? 60_000;
  const { optimizer } = optimizerFromPreset(preset.id, { stepsPerEpoch: Math.ceil((trainCount * 0.9) / batchSize) });
  try {
    writeTorchProject(target, {
      spec: model.spec, modelPath: model.uri.fsPath, optimizer, dataset: { name: location.name, dir: location.dir, files: location.idx },
      epochs: 10, batchSize, seed: 0, valSplit: 0.1, generator: 'BNN Studio "Export PyTorch Training Project"',
    });
  } catch (err) {
    void vscode.window.showErrorMessage(`Export PyTorch Training Project: ${(err as Error).message}`);
    return;
  }
  const experiments = vscode.workspace.workspaceFolders?.[0] ? path.join(vscode.workspace.workspaceFolders[0].uri.fsPath, '.bnn', 'experiments') : '<workspace>/.bnn/experiments';
  output.info(`Exported the PyTorch project to ${target}. Run it there: ${TORCHRUN_COMMAND} --experiments ${experiments}`);
  await vscode.window.showTextDocument(vscode.Uri.file(path.join(target, 'train.py')));
  void vscode.window.showInformationMessage(`PyTorch project written to ${path.basename(target)}. Run: ${TORCHRUN_COMMAND} --experiments ${experiments}`);
}
