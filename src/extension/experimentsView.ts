/**
 * Registers the Experiments view, its file watcher, the training panel and the experiment commands: Open Charts,
 * Compare, Rename, Reveal in Explorer, Delete, Refresh. Stop/Resume/Compile/Run on Emulated Board/Flash are registered by
 * their own features; the tree's context menu and the panel's buttons call them with the experiment folder.
 */
import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXPERIMENTS_DIR } from '../core/experiments/types';
import { deleteExperiment, renameExperiment } from '../core/experiments/store';
import { runLabels, runNameProblem } from '../core/experiments/labels';
import { ExperimentsTree, type ExperimentNode } from './experimentsTree';
import { experimentRoots, resolveExperimentDirs } from './experimentRefs';
import { registerTrainingPanels, type LiveTrainingEvents, type TrainingPanels } from './trainingPanel';
import { RunningExperimentsWatchdog } from './runningWatchdog';

export interface ExperimentsFeature {
  tree: ExperimentsTree;
  panels: TrainingPanels;
  /** Called by the trainer integration: live events open and feed the training panel. */
  connectTrainer(events: LiveTrainingEvents): vscode.Disposable;
}

export function registerExperiments(context: vscode.ExtensionContext, output: vscode.LogOutputChannel): ExperimentsFeature {
  const panels = registerTrainingPanels(context, output);
  const tree = new ExperimentsTree(experimentRoots, output);
  const view = vscode.window.createTreeView<ExperimentNode>('bnnExperiments', { treeDataProvider: tree, canSelectMany: true, showCollapseAll: true });
  context.subscriptions.push(view);

  // metrics.jsonl changes ~10 times a second during a run: the tree refreshes at most twice a second for those,
  // at once (debounced) for everything else (a new run, a status change, a device result).
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timerDue = 0;
  const scheduleRefresh = (ms: number) => {
    const due = Date.now() + ms;
    if (timer && timerDue <= due) return;
    if (timer) clearTimeout(timer);
    timerDue = due;
    timer = setTimeout(() => { timer = undefined; tree.refresh(); }, ms);
  };
  const onFsEvent = (uri: vscode.Uri) => {
    const rel = experimentRoots().map((r) => path.relative(r, uri.fsPath)).find((r) => !r.startsWith('..') && !path.isAbsolute(r));
    if (rel === undefined) return;
    const [id, file] = rel.split(path.sep);
    if (file === 'metrics.jsonl') {
      scheduleRefresh(2000);
      return;
    }
    scheduleRefresh(250);
    if (id && !id.startsWith('.')) panels.experimentChanged(id);
  };
  const watcher = vscode.workspace.createFileSystemWatcher(`**/${EXPERIMENTS_DIR}/**`);
  // In a workspace without `.bnn/` yet, the first run creates `.bnn/experiments/<id>/…` in one go and the recursive
  // watcher reports the new top folder but nothing below it: that folder's creation is the cue to list again.
  const storeWatcher = vscode.workspace.createFileSystemWatcher(`**/{${EXPERIMENTS_DIR.split('/')[0]},${EXPERIMENTS_DIR}}`, false, true, false);
  const watchdog = new RunningExperimentsWatchdog(tree, (id) => { scheduleRefresh(250); panels.experimentChanged(id); });
  context.subscriptions.push(watcher, watcher.onDidCreate(onFsEvent), watcher.onDidChange(onFsEvent), watcher.onDidDelete(onFsEvent),
    storeWatcher, storeWatcher.onDidCreate(() => scheduleRefresh(250)), storeWatcher.onDidDelete(() => scheduleRefresh(250)),
    tree.onDidChangeTreeData(() => void watchdog.track()), watchdog,
    vscode.workspace.onDidChangeWorkspaceFolders(() => tree.refresh()),
    { dispose: () => timer && clearTimeout(timer) });

  const run = (fn: (...args: unknown[]) => unknown) => async (...args: unknown[]) => {
    try {
      await fn(...args);
    } catch (err) {
      void vscode.window.showErrorMessage(`BNN: ${(err as Error).message}`);
    }
  };

  /** Experiments chosen in a quick pick when a command is run from the palette without an argument. */
  const pick = async (many: boolean, title: string): Promise<string[]> => {
    const infos = await tree.experiments();
    if (infos.length === 0) throw new Error(`no experiments in this workspace yet (they are saved under ${EXPERIMENTS_DIR}); train a model with "BNN: Train BNN" first`);
    const labels = runLabels(infos);
    const items = infos.map((i, n) => ({ label: labels[n], description: `${i.model} · ${i.state}${i.valAccuracy !== undefined ? ` · val ${(i.valAccuracy * 100).toFixed(1)}%` : ''}`, detail: i.id, dir: i.dir }));
    if (many) return ((await vscode.window.showQuickPick(items, { title, canPickMany: true, matchOnDetail: true })) ?? []).map((p) => p.dir);
    const one = await vscode.window.showQuickPick(items, { title, matchOnDetail: true });
    return one ? [one.dir] : [];
  };

  context.subscriptions.push(
    vscode.commands.registerCommand('bnn.openCharts', run(async (clicked) => {
      const dirs = clicked === undefined ? await pick(false, 'Open the charts of an experiment') : resolveExperimentDirs(clicked, undefined);
      if (dirs.length > 0) panels.open(dirs);
    })),
    vscode.commands.registerCommand('bnn.compareExperiments', run(async (clicked, selected) => {
      let dirs = resolveExperimentDirs(clicked, selected);
      if (dirs.length < 2) dirs = [...new Set([...dirs, ...await pick(true, 'Compare experiments: choose the runs to overlay')])];
      if (dirs.length < 2) {
        if (dirs.length === 1) panels.open(dirs);
        return;
      }
      panels.open(dirs);
    })),
    vscode.commands.registerCommand('bnn.revealExperiment', run(async (clicked) => {
      const [dir] = clicked === undefined ? await pick(false, 'Reveal an experiment in the Explorer') : resolveExperimentDirs(clicked, undefined);
      if (dir) await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(dir));
    })),
    vscode.commands.registerCommand('bnn.deleteExperiment', run(async (clicked, selected) => {
      const dirs = clicked === undefined ? await pick(true, 'Delete experiments') : resolveExperimentDirs(clicked, selected);
      if (dirs.length === 0) return;
      const what = dirs.length === 1 ? `experiment "${path.basename(dirs[0])}"` : `${dirs.length} experiments`;
      // a symlinked run loses only its link (write.ts deleteExperiment): say so rather than promise a deletion
      const links = dirs.filter((d) => { try { return fs.lstatSync(d).isSymbolicLink(); } catch { return false; } });
      const detail = links.length === dirs.length
        ? 'The symlink is removed from the experiments folder; the run\'s files it points to are kept.'
        : `Its folder with metrics, checkpoints and device results is removed from disk${links.length ? ' (for a symlinked run, only the link)' : ''}. This cannot be undone.`;
      const ok = await vscode.window.showWarningMessage(`Delete ${what}?`, { modal: true, detail }, 'Delete');
      if (ok !== 'Delete') return;
      const infos = await tree.experiments();
      for (const dir of dirs) {
        const info = infos.find((i) => path.resolve(i.dir) === path.resolve(dir));
        if (info?.state === 'running') throw new Error(`${path.basename(dir)} is still training; stop it first`);
        const done = deleteExperiment(dir, { root: path.dirname(dir) });
        output.info(done.removed === 'folder' ? `Deleted experiment ${dir}` : `Removed the symlink ${dir}${done.target ? `; the run's files in ${done.target} are kept` : ''}`);
      }
      tree.refresh();
    })),
    vscode.commands.registerCommand('bnn.renameExperiment', run(async (clicked, newName) => {
      const [dir] = clicked === undefined ? await pick(false, 'Rename an experiment') : resolveExperimentDirs(clicked, undefined);
      if (!dir) return;
      const info = (await tree.experiments()).find((i) => path.resolve(i.dir) === path.resolve(dir));
      if (!info?.config) throw new Error(`${path.basename(dir)}: its config.json cannot be read${info?.problems[0] ? ` (${info.problems[0]})` : ''}, so it cannot be renamed`);
      // a name given as the second argument (tests, other extensions) skips the input box
      const name = typeof newName === 'string' ? newName : await vscode.window.showInputBox({
        title: `Rename ${info.id}`,
        prompt: 'The name shown in the tree, the charts and Compare; the folder and its id stay. Empty: no name.',
        value: info.config.name ?? '',
        validateInput: (v) => (v.trim() === '' ? undefined : runNameProblem(v.trim())),
      });
      if (name === undefined) return;
      renameExperiment(dir, name.trim() === '' ? undefined : name);
      output.info(name.trim() ? `Renamed ${info.id} to "${name.trim()}"` : `Removed the name of ${info.id}`);
      tree.refresh();
      panels.experimentChanged(info.id);
    })),
    vscode.commands.registerCommand('bnn.refreshExperiments', () => tree.refresh()),
  );

  const connectTrainer = (events: LiveTrainingEvents) => {
    const sub = panels.connect(events, () => vscode.workspace.getConfiguration('bnnStudio').get<boolean>('charts.openOnTrainingStart', true));
    // Runs of this window update the tree from their own messages, not only from the file watcher, which can miss
    // the files of a first run in a workspace without `.bnn/` (then only the once-a-second watchdog would catch up).
    // (every epoch ends with a status message, so epochs need no case of their own)
    const follow = events.onMessage(({ message: m }) => {
      if (m.type === 'started' || m.type === 'status' || m.type === 'done') scheduleRefresh(250);
    });
    context.subscriptions.push(sub, follow);
    return vscode.Disposable.from(sub, follow);
  };
  return { tree, panels, connectTrainer };
}
