/**
 * The dataset preview: one webview panel (reused) showing a grid of samples per class — thumbnails for images, small
 * line plots for sensor windows — with the dataset's counts and its fit with the selected model. The samples are read
 * by the data worker; the page (webview/datasets/) only draws what it is sent.
 */
import * as vscode from 'vscode';
import type { DatasetPreviewToHost, HostToDatasetPreview } from '../core/messages';
import type { DatasetSummary } from '../core/data/summary';
import type { FitNote } from '../core/data/fit';
import type { DataLookupOptions } from '../core/data/locate';
import { guardDatasetPreviewMessage } from '../core/webviewMessageGuard';
import { runInDataWorker } from '../core/data/workerHost';
import { makeNonce, renderPanelHtml } from './panelHtml';

export const DATASET_PREVIEW_VIEW_TYPE = 'bnnStudio.datasetPreview';

interface Shown {
  summary: DatasetSummary;
  fit: FitNote[];
  model?: string;
}

export class DatasetPreviewPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private ready = false;
  private pending: HostToDatasetPreview | undefined;
  private abort: AbortController | undefined;
  /** Files of the samples on show: the only ones the page may ask to open. */
  private files = new Set<string>();

  constructor(private readonly extensionUri: vscode.Uri, private readonly output: vscode.LogOutputChannel) {}

  async show(shown: Shown, lookup: DataLookupOptions): Promise<void> {
    const panel = this.open(shown.summary.name);
    this.abort?.abort();
    const ac = new AbortController();
    this.abort = ac;
    this.post({ v: 1, type: 'loading', name: shown.summary.name, message: `Reading samples of ${shown.summary.name}…` });
    try {
      const preview = await runInDataWorker({ kind: 'preview', data: shown.summary.data, lookup }, {
        signal: ac.signal, distDir: vscode.Uri.joinPath(this.extensionUri, 'dist').fsPath,
        progress: (_d, _t, message) => this.post({ v: 1, type: 'loading', name: shown.summary.name, message }),
      });
      if (ac.signal.aborted || this.panel !== panel) return;
      this.files = new Set(preview.classes.flatMap((c) => c.samples.map((s) => s.source)));
      this.post({ v: 1, type: 'preview', summary: shown.summary, preview, fit: shown.fit, model: shown.model });
    } catch (err) {
      if ((err as Error).name === 'AbortError') return;
      this.output.warn(`dataset preview of ${shown.summary.data}: ${(err as Error).message}`);
      this.post({ v: 1, type: 'error', name: shown.summary.name, message: (err as Error).message });
    }
  }

  private open(name: string): vscode.WebviewPanel {
    const title = `Dataset: ${name}`;
    if (this.panel) {
      this.panel.title = title;
      this.panel.reveal(undefined, false);
      return this.panel;
    }
    const dist = vscode.Uri.joinPath(this.extensionUri, 'dist');
    const panel = vscode.window.createWebviewPanel(DATASET_PREVIEW_VIEW_TYPE, title, vscode.ViewColumn.Active, { enableScripts: true, localResourceRoots: [dist] });
    const w = panel.webview;
    const uri = (...p: string[]): string => w.asWebviewUri(vscode.Uri.joinPath(dist, ...p)).toString();
    w.html = renderPanelHtml({
      cspSource: w.cspSource, nonce: makeNonce(), title,
      scriptUri: uri('datasetPreview.js'), styleUri: uri('datasetPreview.css'), codiconUri: uri('codicons', 'codicon.css'),
    });
    this.ready = false;
    w.onDidReceiveMessage((m: unknown) => void this.onMessage(m));
    panel.onDidDispose(() => {
      this.abort?.abort();
      this.panel = undefined;
    });
    this.panel = panel;
    return panel;
  }

  private post(m: HostToDatasetPreview): void {
    if (!this.ready) { this.pending = m; return; }
    void this.panel?.webview.postMessage(m);
  }

  private async onMessage(raw: unknown): Promise<void> {
    const r = guardDatasetPreviewMessage(raw, this.files);
    if (!r.ok) { this.output.warn(`dataset preview: ignored a message: ${r.error}`); return; }
    const m: DatasetPreviewToHost = r.message;
    if (m.type === 'ready') {
      this.ready = true;
      if (this.pending) { const p = this.pending; this.pending = undefined; this.post(p); }
    } else if (m.type === 'reveal') {
      await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(m.file), { preview: true, viewColumn: vscode.ViewColumn.Beside });
    }
  }

  dispose(): void {
    this.abort?.abort();
    this.panel?.dispose();
  }
}
