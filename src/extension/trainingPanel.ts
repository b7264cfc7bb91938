/**
 * The training panel on the host side: one webview per experiment (or per set of compared experiments). It sends
 * the run's history from metrics.jsonl, then keeps it live — from the trainer's IPC messages when this window runs the
 * training, otherwise by following metrics.jsonl (runs started from the CLI or the exported Larq script). Every
 * message from the webview passes the guard before the host acts on it.
 */
import * as vscode from 'vscode';
import * as path from 'node:path';
import type { HostToWebview, WebviewToHost, WorkerToHost } from '../core/messages';
import { readMetrics } from '../core/experiments/metrics';
import { readConfigFile } from '../core/experiments/files';
import { PanelFeed } from './panelFeed';
import { metricsToCsv } from '../core/experiments/metricsCsv';
import { guardWebviewMessage, pngDataUrlToBytes } from '../core/webviewMessageGuard';
import { makeNonce, renderPanelHtml } from './panelHtml';
import { resolveExperimentDir } from './experimentRefs';
import { runTitle } from '../core/experiments/labels';

export const TRAINING_PANEL_VIEW_TYPE = 'bnnStudio.trainingPanel';

/** The trainer's live messages and runs, as TrainingSessions (src/extension/training.ts) provides them. */
export interface LiveTrainingEvents {
  onMessage(listener: (e: { experimentId: string; message: WorkerToHost }) => void): vscode.Disposable;
  /** Whether this window is training that experiment (its events then arrive over IPC, not from the file). */
  isRunning(experimentId: string): boolean;
}

const ACTION_COMMANDS: Record<'stop' | 'resume' | 'compile' | 'runEmulated' | 'flash', { command: string; title: string }> = {
  stop: { command: 'bnn.stopTraining', title: 'Stop Training' },
  resume: { command: 'bnn.resumeExperiment', title: 'Resume Experiment' },
  compile: { command: 'bnn.compile', title: 'Compile' },
  runEmulated: { command: 'bnn.runOnEmulator', title: 'Run on Emulated Board' },
  flash: { command: 'bnn.flash', title: 'Flash to Board' },
};

class Panel {
  readonly feed: PanelFeed;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(readonly key: string, readonly panel: vscode.WebviewPanel, dirs: string[], private readonly host: TrainingPanels) {
    this.feed = new PanelFeed(dirs, {
      post: (m) => this.post(m), isLive: (id) => host.isLive(id), warn: (m) => host.output.warn(m),
      // a tab reads `binary_mlp · Bop · 17:05:09` (or the run's name), not its folder id
      loaded: (summaries) => { if (dirs.length === 1 && summaries[0]) this.panel.title = `Training: ${runTitle(summaries[0])}`; },
    });
    const webview = panel.webview;
    webview.options = { enableScripts: true, localResourceRoots: host.resourceRoots };
    webview.html = this.html();
    this.disposables.push(webview.onDidReceiveMessage((m) => void this.onMessage(m)));
    panel.onDidDispose(() => this.dispose(), undefined, this.disposables);
  }

  shows(id: string): boolean {
    return this.feed.runs.has(id);
  }

  private html(): string {
    const w = this.panel.webview;
    const uri = (...p: string[]) => w.asWebviewUri(vscode.Uri.joinPath(this.host.extensionUri, ...p)).toString();
    return renderPanelHtml({
      cspSource: w.cspSource, nonce: makeNonce(), title: this.panel.title,
      scriptUri: uri('dist', 'webview.js'), styleUri: uri('dist', 'webview.css'), codiconUri: uri('dist', 'codicons', 'codicon.css'),
    });
  }

  post(msg: HostToWebview): void {
    void this.panel.webview.postMessage(msg);
  }

  private async onMessage(raw: unknown): Promise<void> {
    const r = guardWebviewMessage(raw, new Set(this.feed.runs.keys()));
    if (!r.ok) {
      this.host.output.warn(`training panel: ignored a message: ${r.error}`);
      return;
    }
    try {
      await this.handle(r.message);
    } catch (err) {
      const text = (err as Error).message;
      this.host.output.error(`training panel: ${text}`);
      this.post({ v: 1, type: 'notice', level: 'error', text });
      void vscode.window.showErrorMessage(`BNN: ${text}`);
    }
  }

  private async handle(m: WebviewToHost): Promise<void> {
    switch (m.type) {
      case 'ready':
        await this.feed.load();
        return;
      case 'stop': case 'resume': case 'compile': case 'runEmulated': case 'flash': {
        const { command, title } = ACTION_COMMANDS[m.type];
        if (!(await vscode.commands.getCommands(true)).includes(command)) {
          const text = `"BNN: ${title}" is not available in this build of BNN Studio (command ${command} is not registered).`;
          this.post({ v: 1, type: 'notice', level: 'info', text });
          void vscode.window.showWarningMessage(text);
          return;
        }
        await vscode.commands.executeCommand(command, this.feed.dirOf(m.experimentId));
        return;
      }
      case 'saveFile': {
        const bytes = m.kind === 'png' ? pngDataUrlToBytes(m.data) : Buffer.from(m.data, 'utf8');
        await this.host.saveAs(m.name, m.kind, bytes);
        return;
      }
      case 'exportCsv': {
        const runs = [];
        for (const id of m.experimentIds) runs.push({ id, events: (await readMetrics(this.feed.dirOf(id)!)).events });
        const name = runs.length === 1 ? `${runs[0].id}-metrics.csv` : 'compared-runs-metrics.csv';
        await this.host.saveAs(name, 'csv', Buffer.from(metricsToCsv(runs), 'utf8'));
        return;
      }
    }
  }

  dispose(): void {
    this.feed.dispose();
    for (const d of this.disposables) d.dispose();
    this.host.forget(this);
  }
}

/** The panel's tab title for one run, before its files are read by the feed. */
function titleOf(dir: string): string {
  try {
    return runTitle({ id: path.basename(dir), config: readConfigFile(dir) });
  } catch {
    return path.basename(dir);
  }
}

/** An open editor group other than the active one, if any. */
function otherEditorGroup(): vscode.ViewColumn | undefined {
  const active = vscode.window.tabGroups.activeTabGroup.viewColumn;
  return vscode.window.tabGroups.all.map((g) => g.viewColumn).find((c) => c !== active);
}

export class TrainingPanels implements vscode.Disposable {
  private readonly panels = new Map<string, Panel>();
  private live?: LiveTrainingEvents;
  private readonly disposables: vscode.Disposable[] = [];
  readonly resourceRoots: vscode.Uri[];

  constructor(readonly extensionUri: vscode.Uri, readonly output: vscode.LogOutputChannel) {
    this.resourceRoots = [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')];
  }

  isLive(id: string): boolean {
    return this.live?.isRunning(id) ?? false;
  }

  /** Opens (or reveals) the panel for these experiment folders: one folder = its run, several = Compare. */
  open(dirs: string[], opts: { preserveFocus?: boolean; column?: vscode.ViewColumn } = {}): void {
    const unique = [...new Set(dirs.map((d) => path.resolve(d)))];
    if (unique.length === 0) return;
    const key = [...unique].sort().join('\n');
    const existing = this.panels.get(key);
    if (existing) {
      existing.panel.reveal(undefined, opts.preserveFocus);
      return;
    }
    const title = unique.length === 1 ? `Training: ${titleOf(unique[0])}` : `Compare ${unique.length} runs`;
    const panel = vscode.window.createWebviewPanel(TRAINING_PANEL_VIEW_TYPE, title, { viewColumn: opts.column ?? vscode.ViewColumn.Active, preserveFocus: opts.preserveFocus }, {
      enableScripts: true,
      // Live charts keep their state while the tab is in the background instead of re-reading a long history.
      retainContextWhenHidden: true,
      localResourceRoots: this.resourceRoots,
    });
    this.adopt(key, panel, unique);
  }

  private adopt(key: string, panel: vscode.WebviewPanel, dirs: string[]): void {
    this.panels.set(key, new Panel(key, panel, dirs, this));
  }

  forget(p: Panel): void {
    if (this.panels.get(p.key) === p) this.panels.delete(p.key);
  }

  /** Restores panels after a window reload (the webview saved the ids of its runs in its state). */
  restore(panel: vscode.WebviewPanel, state: unknown): void {
    const ids = (state as { ids?: unknown } | undefined)?.ids;
    const dirs: string[] = [];
    if (Array.isArray(ids)) {
      for (const id of ids) {
        try {
          dirs.push(path.resolve(resolveExperimentDir(id)));
        } catch (err) {
          this.output.warn(`training panel: not restoring ${String(id)}: ${(err as Error).message}`);
        }
      }
    }
    if (dirs.length === 0) {
      panel.dispose();
      return;
    }
    this.adopt([...dirs].sort().join('\n'), panel, dirs);
  }

  /** Subscribes to the trainer's live messages: the panel opens when a run starts and follows it without delay. */
  connect(events: LiveTrainingEvents, openOnStart: () => boolean): vscode.Disposable {
    this.live = events;
    const sub = events.onMessage(({ experimentId, message: msg }) => {
      switch (msg.type) {
        case 'started':
          // Beside the editor only when a second editor group is already open: a new split squeezes the model editor.
          if (openOnStart()) this.open([msg.experimentDir], { preserveFocus: true, column: otherEditorGroup() ?? vscode.ViewColumn.Active });
          break;
        case 'metrics':
          for (const p of this.panelsShowing(experimentId)) p.feed.sendLive(experimentId, [msg.event]);
          break;
        case 'status':
        case 'done':
          for (const p of this.panelsShowing(experimentId)) p.post({ v: 1, type: 'status', experimentId, status: msg.status });
          break;
      }
    });
    this.disposables.push(sub);
    return sub;
  }

  private panelsShowing(id: string): Panel[] {
    return [...this.panels.values()].filter((p) => p.shows(id));
  }

  /** A file of this experiment changed on disk (status.json, device results). */
  experimentChanged(id: string): void {
    for (const p of this.panelsShowing(id)) void p.feed.refreshFromDisk(id);
  }

  async saveAs(name: string, kind: 'png' | 'csv', bytes: Uint8Array): Promise<void> {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const target = await vscode.window.showSaveDialog({
      defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
      filters: kind === 'png' ? { 'PNG image': ['png'] } : { 'CSV (comma-separated values)': ['csv'] },
      saveLabel: kind === 'png' ? 'Save Chart' : 'Export Metrics',
    });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, bytes);
    const open = await vscode.window.showInformationMessage(`Saved ${path.basename(target.fsPath)}.`, kind === 'csv' ? 'Open' : 'Reveal');
    if (open === 'Open') await vscode.commands.executeCommand('vscode.open', target);
    else if (open === 'Reveal') await vscode.commands.executeCommand('revealFileInOS', target);
  }

  dispose(): void {
    for (const p of [...this.panels.values()]) p.panel.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

/** Registers the panel's serializer and returns the manager the Experiments tree and the trainer talk to. */
export function registerTrainingPanels(context: vscode.ExtensionContext, output: vscode.LogOutputChannel): TrainingPanels {
  const panels = new TrainingPanels(context.extensionUri, output);
  context.subscriptions.push(panels, vscode.window.registerWebviewPanelSerializer(TRAINING_PANEL_VIEW_TYPE, {
    deserializeWebviewPanel: async (panel, state) => panels.restore(panel, state),
  }));
  return panels;
}
