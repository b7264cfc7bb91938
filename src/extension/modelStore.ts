/**
 * The extension's one view of the workspace's models: open documents and files on disk, analysed through one cache
 * and kept current by a FileSystemWatcher. Every BNN view (tree, CodeLens, hover, diagnostics, status bar, summary)
 * reads from here and listens to `onDidChange`.
 */
import * as vscode from 'vscode';
import { IGNORED_FOLDERS, ModelIndex, type ModelFileSource } from './modelIndex';
import { AnalysisCache, type Analyzer, type ModelAnalysis } from './modelAnalysis';
import type { ModelEntry } from './modelIndex';
import { IMPORTED_MODEL_GLOB } from '../core/interop/modelFiles';

export const MODEL_GLOB = '**/*.bnn.json';
const EXCLUDE_GLOB = `{${IGNORED_FOLDERS.map((f) => `**/${f}/**`).join(',')}}`;

export function isModelUri(uri: vscode.Uri): boolean {
  return /\.bnn\.json$/i.test(uri.path) && uri.scheme !== 'bnn-summary';
}

export function isModelDocument(doc: vscode.TextDocument): boolean {
  return isModelUri(doc.uri);
}

/** The path shown to users and given to the loader (messages say "file:line:col"). */
export function displayPath(uri: vscode.Uri): string {
  return uri.scheme === 'file' ? vscode.workspace.asRelativePath(uri, vscode.workspace.workspaceFolders !== undefined && vscode.workspace.workspaceFolders.length > 1) : uri.toString(true);
}

export class ModelStore implements vscode.Disposable {
  private analyzer: Analyzer | undefined;
  private loading: Promise<Analyzer> | undefined;
  readonly cache = new AnalysisCache((text, file) => {
    if (!this.analyzer) throw new Error('BNN Studio: the model analyser is used before it was loaded');
    return this.analyzer(text, file);
  });
  readonly index: ModelIndex;
  private readonly changed = new vscode.EventEmitter<vscode.Uri | undefined>();
  /** Fires with the model that changed, or `undefined` when the set of models may have changed. */
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];

  constructor() {
    const source: ModelFileSource = {
      findModelFiles: async () => [
        ...(await vscode.workspace.findFiles(MODEL_GLOB, EXCLUDE_GLOB)).map((u) => u.toString()),
        ...(await findImportedModels()),
      ],
      stat: async (id) => {
        const st = await vscode.workspace.fs.stat(vscode.Uri.parse(id));
        return { mtime: st.mtime, size: st.size };
      },
      read: async (id) => new TextDecoder('utf-8').decode(await vscode.workspace.fs.readFile(vscode.Uri.parse(id))),
      openDocument: (id) => {
        const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === id);
        return doc ? { version: doc.version, text: doc.getText() } : undefined;
      },
      displayPath: (id) => displayPath(vscode.Uri.parse(id)),
    };
    this.index = new ModelIndex(source, this.cache);

    const watcher = vscode.workspace.createFileSystemWatcher(MODEL_GLOB);
    // Keras/TF.js files join or leave the tree by their content, so any such file appearing or going means a rescan.
    const imported = vscode.workspace.createFileSystemWatcher(IMPORTED_MODEL_GLOB);
    this.disposables.push(
      watcher,
      imported,
      imported.onDidCreate(() => this.refresh()),
      imported.onDidDelete(() => this.refresh()),
      imported.onDidChange((uri) => { this.index.changed(uri.toString()); this.changed.fire(uri); }),
      watcher.onDidCreate((uri) => { this.index.created(uri.toString()); this.changed.fire(undefined); }),
      watcher.onDidChange((uri) => { this.index.changed(uri.toString()); this.changed.fire(uri); }),
      watcher.onDidDelete((uri) => { this.index.deleted(uri.toString()); this.changed.fire(undefined); }),
      vscode.workspace.onDidChangeTextDocument((e) => { if (isModelDocument(e.document) && e.contentChanges.length) this.changed.fire(e.document.uri); }),
      // Closing an unsaved editor: the file on disk is the truth again.
      vscode.workspace.onDidCloseTextDocument((doc) => { if (isModelDocument(doc)) { this.index.changed(doc.uri.toString()); this.changed.fire(doc.uri); } }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.refresh()),
    );
  }

  /**
   * The loader, the JSON Schema validator (ajv) and the estimator are loaded on first use, not at activation: a
   * workspace that merely contains a model file should not pay for them until a model is shown.
   */
  ready(): Promise<Analyzer> {
    this.loading ??= import('./analyzeModel').then((m) => (this.analyzer = m.analyzeModelText));
    return this.loading;
  }

  /** Analysis of an open document, cached by its version. */
  async analyzeDocument(doc: vscode.TextDocument): Promise<ModelAnalysis> {
    await this.ready();
    return this.cache.analyze(doc.uri.toString(), `doc:${doc.version}`, doc.getText(), displayPath(doc.uri));
  }

  /** Analysis of any model: the open document if there is one, else the file on disk. */
  async analyze(uri: vscode.Uri): Promise<ModelAnalysis> {
    await this.ready();
    return this.index.analysisOf(uri.toString());
  }

  /** Analysis of a text that is not (yet) a file, e.g. a template. */
  async analyzeText(text: string, file: string): Promise<ModelAnalysis> {
    return (await this.ready())(text, file);
  }

  /** Every model file in the workspace with its analysis. */
  async list(): Promise<ModelEntry[]> {
    await this.ready();
    return this.index.list();
  }

  /** Re-discover the workspace's model files (re-parsing only the changed ones). */
  refresh(): void {
    this.index.rescan();
    this.changed.fire(undefined);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/** Larger JSON files are weights or data, not a model topology: not read during discovery. */
const MAX_IMPORTED_MODEL_BYTES = 4 * 1024 * 1024;

/**
 * The workspace's Larq/Keras model JSON (`*.keras.json`) and TF.js `model.json` files that the importer recognises;
 * other `model.json` files are not models of ours and stay out of the tree.
 */
async function findImportedModels(): Promise<string[]> {
  const uris = await vscode.workspace.findFiles(IMPORTED_MODEL_GLOB, EXCLUDE_GLOB, 2000);
  if (!uris.length) return [];
  const { looksLikeKerasModel } = await import('../core/interop/kerasImport');
  const out: string[] = [];
  for (const uri of uris) {
    try {
      if ((await vscode.workspace.fs.stat(uri)).size > MAX_IMPORTED_MODEL_BYTES) continue;
      if (looksLikeKerasModel(JSON.parse(new TextDecoder('utf-8').decode(await vscode.workspace.fs.readFile(uri))))) out.push(uri.toString());
    } catch {
      // unreadable or not JSON: not a model to list
    }
  }
  return out;
}
