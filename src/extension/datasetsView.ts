/**
 * Registers the Datasets view: the workspace is scanned and every dataset summarised on the data worker (never on
 * the extension host's thread), then checked against the selected model; Refresh, Preview Dataset and Train on
 * Dataset act on its rows. A rescan follows data files appearing or changing, and the check follows the model.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { datasetFit, type FitNote } from '../core/data/fit';
import type { DataLookupOptions } from '../core/data/locate';
import type { DatasetSummary } from '../core/data/summary';
import { runInDataWorker } from '../core/data/workerHost';
import { hasErrors } from './modelAnalysis';
import type { ModelStore } from './modelStore';
import { DatasetPreviewPanel } from './datasetPreview';
import { DatasetsTree, type CheckedModel, type DatasetNode } from './datasetsTree';
import { onDidChangeSelectedModel, selectedModel } from './selectedModel';

/** How datasets are looked up: the setting bnnStudio.dataDir, relative to the first workspace folder. */
export function dataLookup(): DataLookupOptions {
  const dataDir = vscode.workspace.getConfiguration('bnnStudio').get<string>('dataDir') || undefined;
  return { dataDir, cwd: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath };
}

async function checkedModel(models: ModelStore): Promise<CheckedModel | undefined> {
  let uri = selectedModel();
  if (!uri) {
    // one model in the workspace is the selected one without asking
    const all = (await models.list()).filter((e) => /\.bnn\.json$/i.test(e.id));
    if (all.length === 1) uri = vscode.Uri.parse(all[0].id);
  }
  if (!uri) return undefined;
  try {
    const a = await models.analyze(uri);
    const spec = a.load.spec;
    if (!spec || hasErrors(a)) return undefined;
    return { uri, name: spec.name, input: [...spec.input.shape], classes: spec.classes };
  } catch {
    return undefined;
  }
}

let latest: DatasetsTree | undefined;

/** The workspace datasets the view found and could read (Train BNN offers them in its dataset pick). */
export function workspaceDatasets(): DatasetSummary[] {
  return (latest?.datasets ?? []).map((d) => d.summary).filter((s) => !s.builtIn && !s.error);
}

export interface DatasetsFeature {
  tree: DatasetsTree;
}

export function registerDatasets(context: vscode.ExtensionContext, models: ModelStore, output: vscode.LogOutputChannel): DatasetsFeature {
  const tree = new DatasetsTree();
  latest = tree;
  const view = vscode.window.createTreeView<DatasetNode>('bnnDatasets', { treeDataProvider: tree, showCollapseAll: true });
  const preview = new DatasetPreviewPanel(context.extensionUri, output);
  const distDir = path.join(context.extensionPath, 'dist');
  context.subscriptions.push(view, tree, preview);

  const applyFit = (): void => {
    const m = tree.model;
    tree.datasets = tree.datasets.map((d) => ({ summary: d.summary, fit: m ? datasetFit(d.summary, { name: m.name, input: { shape: m.input }, classes: m.classes }) : [] }));
    tree.refresh();
  };
  const updateModel = async (): Promise<void> => {
    tree.model = await checkedModel(models);
    applyFit();
  };

  let scanning: AbortController | undefined;
  /** The named datasets' summaries, kept across rescans that only a workspace file change caused. */
  let named: DatasetSummary[] | undefined;
  const scan = async (workspaceOnly = false): Promise<void> => {
    scanning?.abort();
    const ac = new AbortController();
    scanning = ac;
    tree.status = { label: 'Looking for datasets…', icon: 'loading~spin' };
    tree.refresh();
    const roots = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
    try {
      const reuse = workspaceOnly && named !== undefined;
      const result = await runInDataWorker({ kind: 'scan', roots, lookup: dataLookup(), workspaceOnly: reuse }, {
        signal: ac.signal, distDir,
        progress: (done, total, message) => { tree.status = { label: `${message}${total > 1 ? ` (${done + 1}/${total})` : ''}…`, icon: 'loading~spin' }; tree.refresh(); },
      });
      if (scanning !== ac) return;
      if (!reuse) named = result.datasets.filter((d) => d.builtIn);
      tree.datasets = [...(reuse ? named ?? [] : []), ...result.datasets].map((summary: DatasetSummary) => ({ summary, fit: [] }));
      tree.truncated = result.truncated;
      tree.status = undefined;
      await updateModel();
    } catch (err) {
      if ((err as Error).name === 'AbortError') return;
      output.error(`Datasets view: ${(err as Error).message}`);
      tree.status = { label: `Could not look for datasets: ${(err as Error).message.split('\n')[0]}`, icon: 'error' };
      tree.refresh();
    }
  };

  // data files appearing or changing: one rescan for a burst (an unzip, a generator script)
  let timer: ReturnType<typeof setTimeout> | undefined;
  const rescanSoon = (): void => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => { timer = undefined; void scan(true); }, 1000);
  };
  const watcher = vscode.workspace.createFileSystemWatcher('**/*.{npz,npy,csv,png,jpg,jpeg,bmp,gif,gz,bin}');
  // relative to the workspace: the workspace itself may well sit inside some out/ or dist/ folder
  const ignored = (uri: vscode.Uri): boolean => /(^|[\\/])(node_modules|\.git|\.bnn|dist|out)[\\/]/.test(vscode.workspace.asRelativePath(uri, false));
  for (const ev of [watcher.onDidCreate, watcher.onDidChange, watcher.onDidDelete]) context.subscriptions.push(ev((u) => { if (!ignored(u)) rescanSoon(); }));
  context.subscriptions.push(
    watcher,
    { dispose: () => { if (timer) clearTimeout(timer); scanning?.abort(); } },
    onDidChangeSelectedModel(() => void updateModel()),
    models.onDidChange((uri) => { if (!uri || uri.toString() === tree.model?.uri.toString()) void updateModel(); }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => void scan()),
    vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('bnnStudio.dataDir')) void scan(); }),
    vscode.commands.registerCommand('bnn.refreshDatasets', () => scan()),
    vscode.commands.registerCommand('bnn.previewDataset', async (arg?: unknown) => {
      const node = await datasetArg(arg, tree);
      if (!node) return;
      await preview.show({ summary: node.summary, fit: node.fit, model: tree.model?.name }, dataLookup());
    }),
    vscode.commands.registerCommand('bnn.trainOnDataset', async (arg?: unknown) => {
      const node = await datasetArg(arg, tree);
      if (!node) return;
      await vscode.commands.executeCommand('bnn.train', { uri: tree.model?.uri, data: node.summary.data });
    }),
  );
  void scan();
  return { tree };
}

/** A dataset row given to a command, or one picked from the view's datasets. */
async function datasetArg(arg: unknown, tree: DatasetsTree): Promise<{ summary: DatasetSummary; fit: FitNote[] } | undefined> {
  const a = arg as { kind?: string; summary?: DatasetSummary; fit?: FitNote[] } | string | undefined;
  if (a && typeof a === 'object' && a.kind === 'dataset' && a.summary) return { summary: a.summary, fit: a.fit ?? [] };
  const byData = typeof a === 'string' ? tree.datasets.find((d) => d.summary.data === a || path.resolve(d.summary.location) === path.resolve(a)) : undefined;
  if (byData) return byData;
  const readable = tree.datasets.filter((d) => !d.summary.error);
  if (!readable.length) { void vscode.window.showInformationMessage('No readable dataset found yet (see the Datasets view).'); return undefined; }
  const pick = await vscode.window.showQuickPick(readable.map((d) => ({ label: d.summary.name, description: d.summary.location, d })), { title: 'Dataset' });
  return pick?.d;
}
