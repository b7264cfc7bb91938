/**
 * "BNN: Export PyTorch Training Project…": the model, an optimizer preset and an IDX dataset → a folder with the
 * project `bnn export-torch` writes (src/core/interop/torchProject.ts), opened at train.py, with how to run it; and
 * "BNN: Train with PyTorch…", which writes that project under .bnn/torch/ and runs it with torchrun.
 */
import * as vscode from 'vscode';
import * as os from 'node:os';
import * as path from 'node:path';
import { pickModel } from './pickModel';
import { requireTrust, trustedSetting } from './trust';

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

/** "BNN: Train with PyTorch…": exports the project under .bnn/torch/ and runs it with torchrun, 2 processes (1 on a
 *  one-core machine); rank 0 writes the run into the workspace's experiments, where the Experiments view follows it. */
export async function trainWithTorch(arg: unknown, output: vscode.LogOutputChannel): Promise<void> {
  const root = vscode.workspace.workspaceFolders?.[0]?.uri;
  if (!root) { void vscode.window.showErrorMessage('Train with PyTorch needs an open workspace folder (its .bnn/experiments receives the run).'); return; }
  if (!(await requireTrust('training with PyTorch'))) return;
  const { findTorchPython, startTorchRun } = await import('../core/interop/torchRunner');
  const probe = await findTorchPython(trustedSetting<string>('bnnStudio', 'python') || undefined);
  if (!probe.ok) {
    const choice = await vscode.window.showErrorMessage(`Train with PyTorch: ${probe.message}`, 'Open Settings', 'Export Project Instead');
    if (choice === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'bnnStudio.python');
    if (choice === 'Export Project Instead') void vscode.commands.executeCommand('bnn.exportTorchProject', arg);
    return;
  }
  const model = await pickModel(arg);
  if (!model) return;
  const { BOP_PRESETS, optimizerFromPreset } = await import('../core/train/presets');
  const { writeTorchProject } = await import('../core/interop/torchProject');
  const { locateDataset } = await import('../core/data');
  const preset = await vscode.window.showQuickPick(BOP_PRESETS.map((p) => ({ label: p.label, description: p.detail, id: p.id })), { title: 'Optimizer preset' });
  if (!preset) return;
  let location;
  try {
    location = locateDataset('bundled');
  } catch (err) {
    void vscode.window.showErrorMessage(`Train with PyTorch: ${(err as Error).message}`);
    return;
  }
  const base = optimizerFromPreset(preset.id);
  const batchSize = base.batchSize ?? 100;
  const { optimizer } = optimizerFromPreset(preset.id, { stepsPerEpoch: Math.ceil((6000 * 0.9) / batchSize) });
  const project = path.join(root.fsPath, '.bnn', 'torch', `${model.spec.name}-${preset.id}`);
  try {
    writeTorchProject(project, {
      spec: model.spec, modelPath: model.uri.fsPath, optimizer, dataset: { name: location.name, dir: location.dir, files: location.idx! },
      epochs: 10, batchSize, seed: 0, valSplit: 0.1, generator: 'BNN Studio "Train with PyTorch"',
    });
  } catch (err) {
    void vscode.window.showErrorMessage(`Train with PyTorch: ${(err as Error).message}`);
    return;
  }
  const processes = Math.min(2, os.cpus().length);
  const experiments = path.join(root.fsPath, '.bnn', 'experiments');
  output.info(`Train with PyTorch: ${probe.python} (torch ${probe.torch}), ${processes} processes, ${project}`);
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Training ${model.spec.name} with PyTorch`, cancellable: true }, (progress, token) => new Promise<void>((resolve) => {
    const child = startTorchRun(probe.python, project, experiments, processes);
    let tail = '';
    const onData = (d: Buffer): void => {
      const s = d.toString();
      tail = (tail + s).slice(-2000);
      for (const line of s.split('\n').filter(Boolean)) { output.info(`[torch] ${line}`); progress.report({ message: line.slice(0, 120) }); }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    // torchrun passes SIGTERM on to the workers, which end the run 'cancelled' with a checkpoint
    token.onCancellationRequested(() => child.kill('SIGTERM'));
    child.on('error', (err) => { void vscode.window.showErrorMessage(`Train with PyTorch: ${err.message}`); resolve(); });
    child.on('close', (code, signal) => {
      if (code === 0) void vscode.window.showInformationMessage(`PyTorch run of ${model.spec.name} finished; it is in the Experiments view.`);
      else if (!token.isCancellationRequested) void vscode.window.showErrorMessage(`PyTorch run of ${model.spec.name} failed (${signal ?? `exit ${code}`}): ${tail.trim().split('\n').pop() ?? ''}`, 'Show Log').then((c) => { if (c) output.show(); });
      resolve();
    });
  }));
}
