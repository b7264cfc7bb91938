/**
 * The training panel on the host side: one webview per experiment (or per set of compared experiments). It sends
 * the run's history from metrics.jsonl, then keeps it live — from the trainer's IPC messages when this window runs the
 * training, otherwise by following metrics.jsonl (runs started from the CLI or the exported Larq script). Every
 * message from the webview passes the guard before the host acts on it.
 */
import * as vscode from 'vscode';
import * as path from 'node:path';
import type { HostToWebview, RunSummary, WebviewToHost, WorkerToHost } from '../core/messages';
import { METRICS_FILE, type MetricsEvent } from '../core/experiments/types';
import { listDeviceResults } from '../core/experiments/store';
import { followMetrics, readMetrics, type Follower } from '../core/experiments/metrics';
import { readRunSummary } from '../core/experiments/runSummary';
import { metricsToCsv } from '../core/experiments/metricsCsv';
import { guardWebviewMessage, pngDataUrlToBytes } from '../core/webviewMessageGuard';
import { makeNonce, renderPanelHtml } from './panelHtml';
import { resolveExperimentDir } from './experimentRefs';

export const TRAINING_PANEL_VIEW_TYPE = 'bnnStudio.trainingPanel';
/** History goes to the webview in chunks: one 100,000-event message would block both sides for a long moment. */
const HISTORY_CHUNK = 5_000;

/** The trainer's live messages, as TrainingSessions (src/extension/training.ts) provides them. */
export interface LiveTrainingEvents {
  onMessage(listener: (msg: WorkerToHost) => void): vscode.Disposable;
}

const ACTION_COMMANDS: Record<'stop' | 'resume' | 'compile' | 'runEmulated' | 'flash', { command: string; title: string }> = {
  stop: { command: 'bnn.stopTraining', title: 'Stop Training' },
  resume: { command: 'bnn.resumeExperiment', title: 'Resume Experiment' },
  compile: { command: 'bnn.compile', title: 'Compile' },
  runEmulated: { command: 'bnn.runOnEmulator', title: 'Run on Emulated Board' },
  flash: { command: 'bnn.flash', title: 'Flash to Board' },
};

interface RunFeed {
  dir: string;
  /** Last step of each event kind already sent: live events at or before it came with the history. */
  lastStep: { step: number; epoch: number };
  follower?: Follower;
  deviceCount: number;
}

class Panel {
  readonly runs = new Map<string, RunFeed>();
  private loading?: Promise<void>;
  /** Live events that arrived while the history was being read. */
  private buffered: { id: string; ev: MetricsEvent }[] = [];
  private readonly disposables: vscode.Disposable[] = [];

  constructor(readonly key: string, readonly panel: vscode.WebviewPanel, dirs: string[], private readonly host: TrainingPanels) {
    for (const d of dirs) this.runs.set(path.basename(d), { dir: d, lastStep: { step: -Infinity, epoch: -Infinity }, deviceCount: 0 });
    const webview = panel.webview;
    webview.options = { enableScripts: true, localResourceRoots: host.resourceRoots };
    webview.html = this.html();
    this.disposables.push(webview.onDidReceiveMessage((m) => void this.onMessage(m)));
    panel.onDidDispose(() => this.dispose(), undefined, this.disposables);
  }

  get ids(): Set<string> {
    return new Set(this.runs.keys());
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
    const r = guardWebviewMessage(raw, this.ids);
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
        await this.load();
        return;
      case 'stop': case 'resume': case 'compile': case 'runEmulated': case 'flash': {
        const { command, title } = ACTION_COMMANDS[m.type];
        if (!(await vscode.commands.getCommands(true)).includes(command)) {
          const text = `"BNN: ${title}" is not available in this build of BNN Studio (command ${command} is not registered).`;
          this.post({ v: 1, type: 'notice', level: 'info', text });
          void vscode.window.showWarningMessage(text);
          return;
        }
        await vscode.commands.executeCommand(command, this.runs.get(m.experimentId)!.dir);
        return;
      }
      case 'saveFile': {
        const bytes = m.kind === 'png' ? pngDataUrlToBytes(m.data) : Buffer.from(m.data, 'utf8');
        await this.host.saveAs(m.name, m.kind, bytes);
        return;
      }
      case 'exportCsv': {
        const runs = [];
        for (const id of m.experimentIds) runs.push({ id, events: (await readMetrics(this.runs.get(id)!.dir)).events });
        const name = runs.length === 1 ? `${runs[0].id}-metrics.csv` : 'compared-runs-metrics.csv';
        await this.host.saveAs(name, 'csv', Buffer.from(metricsToCsv(runs), 'utf8'));
        return;
      }
    }
  }

  /** (Re)sends everything: the webview asks on every load, including after a window reload. */
  load(): Promise<void> {
    this.loading = this.doLoad().finally(() => { this.loading = undefined; });
    return this.loading;
  }

  private async doLoad(): Promise<void> {
    for (const f of this.runs.values()) f.follower?.dispose();
    this.buffered = [];
    const summaries: RunSummary[] = [];
    const missing: string[] = [];
    for (const [id, feed] of this.runs) {
      const s = await readRunSummary(feed.dir).catch(() => undefined);
      if (s) {
        summaries.push(s);
        feed.deviceCount = s.devices.length;
      } else {
        missing.push(id);
      }
    }
    this.post({ v: 1, type: 'init', runs: summaries, history: {} });
    if (missing.length) this.post({ v: 1, type: 'notice', level: 'error', text: `Cannot show ${missing.join(', ')}: its config.json or status.json is missing or unreadable.` });
    for (const s of summaries) {
      const feed = this.runs.get(s.id)!;
      const m = await readMetrics(feed.dir);
      feed.lastStep = { step: -Infinity, epoch: -Infinity };
      for (let i = 0; i < m.events.length; i += HISTORY_CHUNK) this.post({ v: 1, type: 'metrics', experimentId: s.id, events: m.events.slice(i, i + HISTORY_CHUNK) });
      this.noteSent(feed, m.events);
      if (m.issues.length) this.host.output.warn(`${s.id}/${METRICS_FILE}: skipped ${m.issues.length} malformed line(s), first at line ${m.issues[0].line}: ${m.issues[0].message}`);
      // Follow the file unless this window's trainer delivers the run's events over IPC.
      if (s.status.state === 'running' && !this.host.isLive(s.id)) {
        feed.follower = followMetrics(path.join(feed.dir, METRICS_FILE), (events, info) => {
          if (info.reset) feed.lastStep = { step: -Infinity, epoch: -Infinity };
          this.sendLive(s.id, events);
        }, { fromOffset: m.offset, pollMs: 100 });
      }
    }
    const buffered = this.buffered;
    this.buffered = [];
    for (const { id, ev } of buffered) this.sendLive(id, [ev]);
  }

  private noteSent(feed: RunFeed, events: readonly MetricsEvent[]): void {
    for (const ev of events) if (ev.step > feed.lastStep[ev.kind]) feed.lastStep[ev.kind] = ev.step;
  }

  /** Live events, minus those the history already contained (IPC and file overlap while the panel opens). */
  sendLive(id: string, events: MetricsEvent[]): void {
    const feed = this.runs.get(id);
    if (!feed || events.length === 0) return;
    if (this.loading) {
      for (const ev of events) this.buffered.push({ id, ev });
      return;
    }
    const fresh = events.filter((ev) => ev.step > feed.lastStep[ev.kind]);
    if (fresh.length === 0) return;
    this.noteSent(feed, fresh);
    this.post({ v: 1, type: 'metrics', experimentId: id, events: fresh });
  }

  /** status.json or device results changed on disk (the Experiments tree's watcher tells us). */
  async refreshFromDisk(id: string): Promise<void> {
    const feed = this.runs.get(id);
    if (!feed || this.loading) return;
    const s = await readRunSummary(feed.dir).catch(() => undefined);
    if (!s) return;
    this.post({ v: 1, type: 'status', experimentId: id, status: s.status });
    if (s.status.state !== 'running' && feed.follower) {
      // Let the follower read the last lines, then stop it.
      const f = feed.follower;
      feed.follower = undefined;
      setTimeout(() => f.dispose(), 1000);
    }
    const devices = (await listDeviceResults(feed.dir)).flatMap((d) => (d.result ? [d.result] : [])).sort((a, b) => a.time.localeCompare(b.time));
    for (const d of devices.slice(feed.deviceCount)) this.post({ v: 1, type: 'device', experimentId: id, result: d });
    feed.deviceCount = devices.length;
  }

  dispose(): void {
    for (const f of this.runs.values()) f.follower?.dispose();
    for (const d of this.disposables) d.dispose();
    this.host.forget(this);
  }
}

export class TrainingPanels implements vscode.Disposable {
  private readonly panels = new Map<string, Panel>();
  private readonly liveIds = new Set<string>();
  private readonly disposables: vscode.Disposable[] = [];
  readonly resourceRoots: vscode.Uri[];

  constructor(readonly extensionUri: vscode.Uri, readonly output: vscode.LogOutputChannel) {
    this.resourceRoots = [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')];
  }

  isLive(id: string): boolean {
    return this.liveIds.has(id);
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
    const title = unique.length === 1 ? `Training: ${path.basename(unique[0])}` : `Compare ${unique.length} runs`;
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
    const sub = events.onMessage((msg) => {
      switch (msg.type) {
        case 'started':
          this.liveIds.add(msg.experimentId);
          if (openOnStart()) this.open([msg.experimentDir], { preserveFocus: true, column: vscode.ViewColumn.Beside });
          break;
        case 'metrics':
          for (const p of this.panelsShowing(msg.experimentId)) p.sendLive(msg.experimentId, [msg.event]);
          break;
        case 'status':
        case 'done':
          if (msg.status.state !== 'running') this.liveIds.delete(msg.experimentId);
          for (const p of this.panelsShowing(msg.experimentId)) p.post({ v: 1, type: 'status', experimentId: msg.experimentId, status: msg.status });
          break;
      }
    });
    this.disposables.push(sub);
    return sub;
  }

  private panelsShowing(id: string): Panel[] {
    return [...this.panels.values()].filter((p) => p.runs.has(id));
  }

  /** A file of this experiment changed on disk (status.json, device results). */
  experimentChanged(id: string): void {
    for (const p of this.panelsShowing(id)) void p.refreshFromDisk(id);
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
