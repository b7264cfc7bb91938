/**
 * "BNN: Show Model Graph": one webview per model drawing its layers as a graph (webview/graph/). It follows the model
 * as it is edited (the ModelStore's change events, debounced like the tree), highlights the layer under the editor's
 * cursor, and a click on a node selects that layer in the editor. Every message from the view passes the guard.
 */
import * as vscode from 'vscode';
import type { GraphViewToHost, HostToGraphView } from '../core/messages';
import { guardGraphViewMessage } from '../core/webviewMessageGuard';
import { debounceByKey } from './debounce';
import { modelFileLabel } from './estimateLabels';
import { hasErrors, type ModelAnalysis } from './modelAnalysis';
import { displayPath, isModelUri, type ModelStore } from './modelStore';
import { makeNonce, renderPanelHtml } from './panelHtml';
import { revealLayerIn } from './modelExplorer';

export const GRAPH_VIEW_TYPE = 'bnnStudio.graphView';

/** What the graph view's webview saves (setState) so a reloaded window reopens it on the same model. */
interface GraphViewState {
  uri?: unknown;
}

class GraphPanel {
  private readonly disposables: vscode.Disposable[] = [];
  /** Layers of the model last shown: the range a reveal request may ask for. */
  private layerCount = 0;

  constructor(readonly uri: vscode.Uri, readonly panel: vscode.WebviewPanel, private readonly host: GraphPanels) {
    const webview = panel.webview;
    webview.options = { enableScripts: true, localResourceRoots: host.resourceRoots };
    const uriOf = (...p: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(host.extensionUri, ...p)).toString();
    webview.html = renderPanelHtml({
      cspSource: webview.cspSource, nonce: makeNonce(), title: panel.title,
      scriptUri: uriOf('dist', 'graphView.js'), styleUri: uriOf('dist', 'graphView.css'), codiconUri: uriOf('dist', 'codicons', 'codicon.css'),
    });
    this.disposables.push(webview.onDidReceiveMessage((m) => void this.onMessage(m)));
    panel.onDidDispose(() => this.dispose(), undefined, this.disposables);
  }

  private post(msg: HostToGraphView): void {
    void this.panel.webview.postMessage(msg);
  }

  /** Sends the model as it is now (the open document if there is one, else the file). */
  async update(): Promise<void> {
    let a: ModelAnalysis;
    try {
      a = await this.host.store.analyze(this.uri);
    } catch (err) {
      this.post({ v: 1, type: 'invalid', file: displayPath(this.uri), uri: this.uri.toString(), problems: [{ message: `cannot read the model: ${(err as Error).message}`, line: 1, column: 1 }] });
      return;
    }
    const file = displayPath(this.uri);
    if (!a.summary || !a.load.spec || hasErrors(a)) {
      const problems = a.problems.filter((p) => p.severity === 'error').slice(0, 20)
        .map((p) => ({ message: p.message, line: p.range.start.line + 1, column: p.range.start.character + 1 }));
      this.post({ v: 1, type: 'invalid', file, uri: this.uri.toString(), problems });
      return;
    }
    // Loaded on first use: the view model needs the estimator, which activation does not load.
    const { buildGraphModel } = await import('../core/view/graphModel');
    const model = buildGraphModel({ spec: a.load.spec, summary: a.summary, file, uri: this.uri.toString(), layerLines: a.load.layerRanges.map((r) => r.start.line) });
    this.layerCount = a.load.spec.layers.length;
    this.panel.title = `Graph: ${modelFileLabel(this.uri.path)}`;
    this.post({ v: 1, type: 'model', model });
    this.selectionChanged();
  }

  /** Highlights the layer under the cursor of an editor on this model. */
  selectionChanged(editor = vscode.window.activeTextEditor): void {
    if (!editor || editor.document.uri.toString() !== this.uri.toString()) return;
    const a = this.host.store.cache.latest(this.uri.toString());
    if (!a) return;
    const pos = editor.selection.active;
    const layer = a.load.layerRanges.findIndex((r) => new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character).contains(pos));
    this.post({ v: 1, type: 'select', ...(layer >= 0 ? { layer } : {}) });
  }

  private async onMessage(raw: unknown): Promise<void> {
    const r = guardGraphViewMessage(raw, this.layerCount);
    if (!r.ok) {
      this.host.output.warn(`graph view: ignored a message: ${r.error}`);
      return;
    }
    try {
      await this.handle(r.message);
    } catch (err) {
      this.host.output.error(`graph view: ${(err as Error).message}`);
      void vscode.window.showErrorMessage(`BNN: ${(err as Error).message}`);
    }
  }

  private async handle(m: GraphViewToHost): Promise<void> {
    switch (m.type) {
      case 'ready':
        await this.update();
        return;
      case 'reveal': {
        // The editor the model is already open in, else the group beside the graph: never replace the graph's tab.
        const shown = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === this.uri.toString());
        const column = shown?.viewColumn ?? otherColumn(this.panel.viewColumn);
        await revealLayerIn(this.host.store, this.uri, m.layer, column);
        return;
      }
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    this.host.forget(this);
  }
}

function otherColumn(panelColumn: vscode.ViewColumn | undefined): vscode.ViewColumn {
  const other = vscode.window.tabGroups.all.map((g) => g.viewColumn).find((c) => c !== panelColumn);
  return other ?? vscode.ViewColumn.Beside;
}

/** Accepts what the menus pass: a URI (editor title, explorer), a Models-tree node ({ uri }), or a path string. */
function asModelUri(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === 'string') return arg.includes('://') ? vscode.Uri.parse(arg) : vscode.Uri.file(arg);
  if (arg && typeof arg === 'object' && 'uri' in arg && (arg as { uri: unknown }).uri instanceof vscode.Uri) return (arg as { uri: vscode.Uri }).uri;
  return undefined;
}

export class GraphPanels implements vscode.Disposable {
  private readonly panels = new Map<string, GraphPanel>();
  readonly resourceRoots: vscode.Uri[];
  private readonly disposables: vscode.Disposable[] = [];
  private readonly updateSoon = debounceByKey<string>(200, (key) => void this.panels.get(key)?.update());

  constructor(readonly extensionUri: vscode.Uri, readonly store: ModelStore, readonly output: vscode.LogOutputChannel) {
    this.resourceRoots = [vscode.Uri.joinPath(extensionUri, 'dist')];
    this.disposables.push(
      { dispose: () => this.updateSoon.dispose() },
      // undefined: the set of models changed (a rescan); every view re-reads its model.
      store.onDidChange((uri) => { for (const key of this.panels.keys()) if (!uri || uri.toString() === key) this.updateSoon(key); }),
      vscode.window.onDidChangeTextEditorSelection((e) => this.panels.get(e.textEditor.document.uri.toString())?.selectionChanged(e.textEditor)),
      vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('bnnStudio.board')) for (const key of this.panels.keys()) this.updateSoon(key); }),
    );
  }

  /** Opens (or reveals) the graph of a model, beside the editor. */
  async show(arg?: unknown): Promise<void> {
    let uri = asModelUri(arg);
    if (!uri) {
      const active = vscode.window.activeTextEditor?.document.uri;
      if (active && isModelUri(active)) uri = active;
    }
    if (!uri) {
      const entries = await this.store.list();
      const picked = await vscode.window.showQuickPick(entries.map((e) => ({ label: modelFileLabel(vscode.Uri.parse(e.id).path), detail: displayPath(vscode.Uri.parse(e.id)), uri: vscode.Uri.parse(e.id) })),
        { title: 'BNN: Show Model Graph', placeHolder: entries.length ? 'Model' : 'No models in this workspace' });
      uri = picked?.uri;
    }
    if (!uri) return;
    const existing = this.panels.get(uri.toString());
    if (existing) {
      existing.panel.reveal(undefined, true);
      return;
    }
    const panel = vscode.window.createWebviewPanel(GRAPH_VIEW_TYPE, `Graph: ${modelFileLabel(uri.path)}`, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
      enableScripts: true, localResourceRoots: this.resourceRoots,
    });
    this.adopt(uri, panel);
  }

  private adopt(uri: vscode.Uri, panel: vscode.WebviewPanel): void {
    this.panels.set(uri.toString(), new GraphPanel(uri, panel, this));
  }

  forget(p: GraphPanel): void {
    if (this.panels.get(p.uri.toString()) === p) this.panels.delete(p.uri.toString());
  }

  /** After a window reload: the view saved its model's URI. */
  restore(panel: vscode.WebviewPanel, state: unknown): void {
    const raw = (state as GraphViewState | undefined)?.uri;
    let uri: vscode.Uri | undefined;
    try {
      uri = typeof raw === 'string' ? vscode.Uri.parse(raw, true) : undefined;
    } catch {
      uri = undefined;
    }
    if (!uri || !isModelUri(uri) || this.panels.has(uri.toString())) {
      panel.dispose();
      return;
    }
    this.adopt(uri, panel);
  }

  dispose(): void {
    for (const p of [...this.panels.values()]) p.panel.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

export function registerGraphPanels(context: vscode.ExtensionContext, store: ModelStore, output: vscode.LogOutputChannel): GraphPanels {
  const panels = new GraphPanels(context.extensionUri, store, output);
  context.subscriptions.push(
    panels,
    vscode.window.registerWebviewPanelSerializer(GRAPH_VIEW_TYPE, { deserializeWebviewPanel: async (panel, state) => panels.restore(panel, state) }),
    vscode.commands.registerCommand('bnn.showGraph', (arg?: unknown) => panels.show(arg)),
  );
  return panels;
}
