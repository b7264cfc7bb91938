/**
 * Meeting the ecosystem from the editor: "BNN: Import Model" (Larq/Keras model JSON or TF.js model.json →
 * *.bnn.json), "BNN: Export Larq Training Script" (a runnable Larq project that logs into the Experiments tree) and
 * "BNN: Train with Larq" (runs that project with the configured Python and follows its experiment folder) and
 * "BNN: Export Trained Model…" (an experiment as a TF.js layers model or a Larq/Keras model with its weights);
 * "BNN: Export PyTorch Training Project…" is in torchExport.ts.
 */
import * as vscode from 'vscode';
import * as path from 'node:path';
import { generateLarqProject, LarqExportError } from '../core/interop/larqScript';
import { LARQ_PRESETS, larqOptimizer, type LarqPreset } from '../core/interop/larqPresets';
import { probePython, startLarqRun } from '../core/interop/larqRunner';
import type { ModelSpec } from '../core/model/spec';
import type { ExportFormat } from '../core/interop/exportModel';
import { experimentForCommand } from './experimentRefs';
import { requireTrust, trustedSetting } from './trust';
import * as fs from 'node:fs';
import { exportTorchProject, trainWithTorch } from './torchExport';
import { pickModel } from './pickModel';

const DATASETS = ['fashion-mnist', 'mnist', 'cifar10'];

function workspaceRoot(): vscode.Uri | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri;
}

async function importModel(arg: unknown, output: vscode.LogOutputChannel): Promise<void> {
  // a URI (explorer), or a Models-tree node of a Keras/TF.js file
  let source = arg instanceof vscode.Uri ? arg
    : arg && typeof arg === 'object' && (arg as { uri?: unknown }).uri instanceof vscode.Uri ? (arg as { uri: vscode.Uri }).uri : undefined;
  if (!source) {
    const picked = await vscode.window.showOpenDialog({
      title: 'Import a model: trained Keras .h5/.keras or ONNX, a Larq/Keras model JSON or a TensorFlow.js model.json', canSelectMany: false,
      filters: { 'Models': ['h5', 'hdf5', 'keras', 'onnx', 'json'] }, defaultUri: workspaceRoot(),
    });
    source = picked?.[0];
  }
  if (!source) return;
  const { trainedFormatOf } = await import('../core/interop/importTrained');
  if (trainedFormatOf(source.fsPath) || await hasTfjsWeights(source)) {
    const how = trainedFormatOf(source.fsPath) ? 'weights' : (await vscode.window.showQuickPick([
      { label: 'With its trained weights', description: 'an experiment that compiles and runs on a board', how: 'weights' },
      { label: 'Architecture only', description: 'a *.bnn.json to train in BNN Studio', how: 'architecture' },
    ], { title: `Import ${path.basename(source.fsPath)}` }))?.how;
    if (how === 'weights') return importTrained(source, output);
    if (!how) return;
  }
  const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(source));
  // The importer validates through the model loader (and ajv): loaded on use, not at activation.
  const { importKerasModel } = await import('../core/interop/keras');
  const name = path.basename(source.fsPath);
  const result = importKerasModel(text, name);
  for (const p of result.problems) output[p.severity === 'error' ? 'error' : 'warn'](`Import ${name}: ${p.message}`);
  const errors = result.problems.filter((p) => p.severity === 'error');
  if (!result.spec || result.text === undefined) {
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more; see the BNN Studio output)` : '';
    void vscode.window.showErrorMessage(`Cannot import ${name}: ${errors[0]?.message ?? 'unknown problem'}${more}`);
    return;
  }
  // The filter names plain .json: dialogs that only know single extensions would append a second '.bnn.json'.
  const picked = await vscode.window.showSaveDialog({
    title: 'Save the imported model',
    defaultUri: vscode.Uri.joinPath(source, '..', `${result.spec.name}.bnn.json`),
    filters: { 'BNN Studio model (*.bnn.json)': ['json'] },
  });
  if (!picked) return;
  const target = picked.path.endsWith('.bnn.json') ? picked : picked.with({ path: picked.path.replace(/(\.json)?$/, '.bnn.json') });
  // the text the model loader accepted, so the saved file validates
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(result.text));
  await vscode.window.showTextDocument(target);
  const { checkTfjsWeights } = await import('../core/interop/tfjsWeights');
  const { describeImport } = await import('../core/interop/importReport');
  // the shards are looked at on disk; on a virtual file system they are counted, not called missing
  const weights = result.format === 'tfjs-layers' ? checkTfjsWeights(result.source, source.fsPath, { checkFiles: source.scheme === 'file' }) : undefined;
  const report = describeImport(result, weights, 'train it with "BNN: Train BNN"');
  const said = `Imported ${name} → ${path.basename(target.fsPath)}: ${report.imported}.${report.notImported ? ` Not imported: ${report.notImported}.` : ''}${report.notes.length ? ` Note: ${report.notes.join(' · ')}` : ''}`;
  output.info(said);
  const warnings = [...result.problems.filter((p) => p.severity === 'warning').map((w) => w.message), ...(weights?.problems ?? []).map((w) => `weights: ${w}`)];
  for (const w of weights?.problems ?? []) output.warn(`Import ${name}: weights: ${w}`);
  // what was left behind is said every time, as a warning when something else needs attention too
  if (warnings.length) void vscode.window.showWarningMessage(`${said} ${warnings.length} warning${warnings.length > 1 ? 's' : ''}: ${warnings.join(' · ')}`);
  else void vscode.window.showInformationMessage(said);
}

async function hasTfjsWeights(source: vscode.Uri): Promise<boolean> {
  if (source.scheme !== 'file' || !source.fsPath.toLowerCase().endsWith('.json')) return false;
  try {
    const doc = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(source))) as { modelTopology?: unknown; weightsManifest?: unknown };
    return !!doc.modelTopology && Array.isArray(doc.weightsManifest) && doc.weightsManifest.length > 0;
  } catch {
    return false;
  }
}

/** The input encodings a user picks from for a model whose file does not say (ONNX; Keras without Rescaling). */
const ENCODINGS = [
  { label: 'x = u8 / 255', description: "PyTorch's ToTensor, Keras Rescaling(1/255)", scale: 1 / 255, offset: 0 },
  { label: 'x = u8 / 127.5 − 1', description: "BNN Studio's own (Larq's MNIST guide)", scale: 1 / 127.5, offset: -1 },
  { label: 'x = u8', description: 'raw pixel values', scale: 1, offset: 0 },
];

/** A trained model with its weights → an experiment (importTrained.ts, importExperiment.ts), as `bnn import` does. */
async function importTrained(source: vscode.Uri, output: vscode.LogOutputChannel): Promise<void> {
  const name = path.basename(source.fsPath);
  const root = workspaceRoot();
  if (!root || root.scheme !== 'file') { void vscode.window.showErrorMessage('Open a workspace folder first: an imported model becomes an experiment in its .bnn/experiments.'); return; }
  const { importTrainedModel } = await import('../core/interop/importTrained');
  let inputEncoding;
  if (/\.onnx$/i.test(name)) {
    const pick = await vscode.window.showQuickPick(ENCODINGS, { title: `What did ${name} take as input? (ONNX does not record it)` });
    if (!pick) return;
    inputEncoding = { scale: [pick.scale], offset: [pick.offset], source: `the chosen input encoding` };
  }
  const r = await importTrainedModel(source.fsPath, { inputEncoding });
  for (const p of r.problems) output[p.severity === 'error' ? 'error' : 'warn'](`Import ${name}: ${p.message}`);
  if (!r.trained) {
    const errors = r.problems.filter((p) => p.severity === 'error');
    void vscode.window.showErrorMessage(`Cannot import ${name}: ${errors[0]?.message ?? 'unknown problem'}${errors.length > 1 ? ` (and ${errors.length - 1} more; see the BNN Studio output)` : ''}`);
    return;
  }
  const { writeImportedExperiment } = await import('../core/interop/importExperiment');
  const { EXPERIMENTS_DIR } = await import('../core/experiments/types');
  const created = writeImportedExperiment(path.join(root.fsPath, EXPERIMENTS_DIR), r.trained, { source: source.fsPath, format: r.format, encoding: r.encoding, notes: r.notes });
  for (const n of r.notes) output.info(`Import ${name}: ${n}`);
  const warnings = r.problems.filter((p) => p.severity === 'warning').length;
  void vscode.window.showInformationMessage(`Imported ${name} with its trained weights as experiment ${created.id} (input encoding: ${r.encoding}).${r.notes.length || warnings ? ` ${r.notes.length} note${r.notes.length === 1 ? '' : 's'}${warnings ? `, ${warnings} warning${warnings === 1 ? '' : 's'}` : ''} in the BNN Studio output.` : ''}`);
}

async function pickPreset(): Promise<LarqPreset | undefined> {
  const pick = await vscode.window.showQuickPick(LARQ_PRESETS.map((p) => ({ label: p.label, description: `${p.epochs} epochs, batch ${p.batchSize}`, preset: p })), { title: 'Optimizer preset' });
  return pick?.preset;
}

async function exportFiles(model: { uri: vscode.Uri; spec: ModelSpec }, preset: LarqPreset, dataset: string, folder: vscode.Uri): Promise<boolean> {
  let files: Record<string, string>;
  try {
    files = generateLarqProject({ spec: model.spec, optimizer: larqOptimizer(preset.id, dataset, preset.batchSize, 0.1), dataset, epochs: preset.epochs, batchSize: preset.batchSize, seed: 0, valSplit: 0.1, generator: 'BNN Studio "Export Larq Training Script"' });
  } catch (err) {
    if (err instanceof LarqExportError) { void vscode.window.showErrorMessage(err.message); return false; }
    throw err;
  }
  await vscode.workspace.fs.createDirectory(folder);
  for (const [name, text] of Object.entries(files)) await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(folder, name), new TextEncoder().encode(text));
  return true;
}

async function exportLarqScript(arg: unknown): Promise<void> {
  const model = await pickModel(arg);
  if (!model) return;
  const preset = await pickPreset();
  if (!preset) return;
  const dataset = preset.dataset ?? (await vscode.window.showQuickPick(DATASETS, { title: 'Dataset (tf.keras.datasets, or --data-dir with IDX files)' }));
  if (!dataset) return;
  const folder = await vscode.window.showOpenDialog({ title: 'Folder for the Larq project', canSelectFolders: true, canSelectFiles: false, openLabel: 'Export here', defaultUri: vscode.Uri.joinPath(model.uri, '..') });
  if (!folder?.[0]) return;
  const target = vscode.Uri.joinPath(folder[0], `${model.spec.name}-larq`);
  if (await exportFiles(model, preset, dataset, target)) await vscode.window.showTextDocument(vscode.Uri.joinPath(target, 'train.py'));
}

async function trainWithLarq(arg: unknown, output: vscode.LogOutputChannel): Promise<void> {
  const root = workspaceRoot();
  if (!root) { void vscode.window.showErrorMessage('Train with Larq needs an open workspace folder (its .bnn/experiments receives the run).'); return; }
  if (!(await requireTrust('training with Larq'))) return;
  const python = trustedSetting<string>('bnnStudio', 'python') || 'python3';
  const probe = await probePython(python);
  if (!probe.ok) {
    const choice = await vscode.window.showErrorMessage(`Train with Larq: ${probe.message}`, 'Open Settings', 'Export Script Instead');
    if (choice === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'bnnStudio.python');
    if (choice === 'Export Script Instead') void vscode.commands.executeCommand('bnn.exportLarqScript', arg);
    return;
  }
  const model = await pickModel(arg);
  if (!model) return;
  const preset = await pickPreset();
  if (!preset) return;
  const dataset = preset.dataset ?? (await vscode.window.showQuickPick(DATASETS, { title: 'Dataset' }));
  if (!dataset) return;
  const project = vscode.Uri.joinPath(root, '.bnn', 'larq', `${model.spec.name}-${preset.id}`);
  if (!(await exportFiles(model, preset, dataset, project))) return;
  const experiments = vscode.Uri.joinPath(root, '.bnn', 'experiments').fsPath;
  output.info(`Train with Larq: ${python} (larq ${probe.larq}, tensorflow ${probe.tensorflow}) ${project.fsPath}/train.py`);
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Training ${model.spec.name} with Larq`, cancellable: true }, (progress, token) => new Promise<void>((resolve) => {
    const child = startLarqRun(python, project.fsPath, experiments);
    let tail = '';
    const onData = (d: Buffer): void => {
      const s = d.toString();
      tail = (tail + s).slice(-2000);
      for (const line of s.split('\n').filter(Boolean)) { output.info(`[larq] ${line}`); progress.report({ message: line.slice(0, 120) }); }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    token.onCancellationRequested(() => child.kill('SIGINT'));
    child.on('error', (err) => { void vscode.window.showErrorMessage(`Train with Larq: ${err.message}`); resolve(); });
    child.on('close', (code, signal) => {
      if (code === 0) void vscode.window.showInformationMessage(`Larq run of ${model.spec.name} finished; it is in the Experiments view.`);
      else if (!token.isCancellationRequested) void vscode.window.showErrorMessage(`Larq run of ${model.spec.name} failed (${signal ?? `exit ${code}`}): ${tail.trim().split('\n').pop() ?? ''}`, 'Show Log').then((c) => { if (c) output.show(); });
      resolve();
    });
  }));
}

async function exportTrainedModel(arg: unknown): Promise<void> {
  const dir = await experimentForCommand(arg, { title: 'Export Trained Model: which experiment?', none: 'No experiments in this workspace yet: train a model first ("Train BNN" or "Train with Larq").' });
  if (!dir) return;
  // The exporter reads checkpoints, whose loader validates the spec with ajv: it loads on use, not at activation.
  const { exportFiles: exportModelFiles, ExportError, findBnnLayersBundle, loadExportSource, writeExport } = await import('../core/interop/exportModel');
  let trained: ReturnType<typeof loadExportSource>;
  try {
    trained = loadExportSource(dir);
  } catch (err) {
    void vscode.window.showErrorMessage(`Export Trained Model: ${(err as Error).message}`);
    return;
  }
  const formats: Array<vscode.QuickPickItem & { format: ExportFormat }> = [
    { format: 'tfjs', label: 'TensorFlow.js layers model', description: 'model.json + weights.bin + bnn-layers.js', detail: 'Loads with stock tf.loadLayersModel after registerBnnLayers(tf); predicts exactly as BNN Studio' },
    { format: 'keras', label: 'Larq / Keras model', description: 'model.json + weights.json/weights.bin + load_weights.py', detail: 'Keras model.to_json() with Larq layers; weights in get_weights() order, readable with numpy alone' },
  ];
  const format = await vscode.window.showQuickPick(formats, { title: `Export ${trained.spec.name}, checkpoint ${trained.checkpoint}, as…` });
  if (!format) return;
  const parent = await vscode.window.showOpenDialog({ title: 'Folder to export into', canSelectFolders: true, canSelectFiles: false, openLabel: 'Export here', defaultUri: workspaceRoot() });
  if (!parent?.[0]) return;
  const target = vscode.Uri.joinPath(parent[0], `${trained.spec.name}-${format.format}`);
  let force = false;
  try {
    if (fs.readdirSync(target.fsPath).length) {
      const ok = await vscode.window.showWarningMessage(`${vscode.workspace.asRelativePath(target)} is not empty. Overwrite the exported files in it?`, { modal: true }, 'Overwrite');
      if (ok !== 'Overwrite') return;
      force = true;
    }
  } catch {
    // no such folder yet
  }
  try {
    const bundle = format.format === 'tfjs' ? findBnnLayersBundle(__dirname) : undefined;
    const files = exportModelFiles(trained, format.format, { layersJs: bundle ? fs.readFileSync(bundle, 'utf8') : undefined, generatedBy: 'BNN Studio "Export Trained Model"' });
    writeExport(target.fsPath, files, force);
  } catch (err) {
    if (err instanceof ExportError) { void vscode.window.showErrorMessage(`Export Trained Model: ${err.message}`); return; }
    throw err;
  }
  const choice = await vscode.window.showInformationMessage(`Exported ${trained.spec.name} as ${format.label} to ${vscode.workspace.asRelativePath(target)}.`, 'Open README', 'Reveal in Explorer');
  if (choice === 'Open README') await vscode.window.showTextDocument(vscode.Uri.joinPath(target, 'README.md'));
  if (choice === 'Reveal in Explorer') void vscode.commands.executeCommand('revealFileInOS', vscode.Uri.joinPath(target, 'README.md'));
}

export function registerInterop(context: vscode.ExtensionContext, output: vscode.LogOutputChannel): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('bnn.importModel', (arg?: unknown) => importModel(arg, output)),
    vscode.commands.registerCommand('bnn.exportLarqScript', (arg?: unknown) => exportLarqScript(arg)),
    vscode.commands.registerCommand('bnn.exportTorchProject', (arg?: unknown) => exportTorchProject(arg, output)),
    vscode.commands.registerCommand('bnn.trainWithTorch', (arg?: unknown) => trainWithTorch(arg, output)),
    vscode.commands.registerCommand('bnn.trainWithLarq', (arg?: unknown) => trainWithLarq(arg, output)),
    vscode.commands.registerCommand('bnn.exportTfjs', (arg?: unknown) => exportTrainedModel(arg)),
  );
}
