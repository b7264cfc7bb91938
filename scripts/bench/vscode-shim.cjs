/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose: it stands in for (and hooks) require('vscode'). */
/**
 * BENCHMARK ONLY: a minimal, recording stand-in for the `vscode` module, so the bundled extension can be activated
 * and its Models tree refreshed in plain Node. It implements just what BNN Studio's activation and tree use, with a
 * real file system underneath; every API member touched is recorded, and members it does not implement are
 * recorded as missing (and behave as no-ops returning a disposable) so the benchmark can say what it did not model.
 * It measures our code, not VS Code's: the real extension host adds its own IPC and rendering costs.
 */
'use strict';
const fs = require('node:fs');
const fsp = require('node:fs/promises');
const path = require('node:path');

const used = new Set();
const missing = new Set();
const registry = { commands: new Map(), treeProviders: new Map(), watchers: [], codeLens: [], hovers: [], statusItems: [], diagnostics: [], contentProviders: new Map() };
const state = { workspaceRoot: undefined, config: new Map(), textDocuments: [], activeTextEditor: undefined };

class Disposable {
  constructor(fn = () => {}) { this._fn = fn; }
  static from(...ds) { return new Disposable(() => ds.forEach((d) => d && d.dispose && d.dispose())); }
  dispose() { const f = this._fn; this._fn = () => {}; f(); }
}
const noopDisposable = () => new Disposable();

class EventEmitter {
  constructor() {
    this._listeners = new Set();
    this.event = (listener, thisArg) => {
      const l = thisArg ? listener.bind(thisArg) : listener;
      this._listeners.add(l);
      return new Disposable(() => this._listeners.delete(l));
    };
  }
  fire(e) { for (const l of [...this._listeners]) l(e); }
  dispose() { this._listeners.clear(); }
}

class Uri {
  constructor(scheme, authority, p, query, fragment) { this.scheme = scheme; this.authority = authority || ''; this.path = p || '/'; this.query = query || ''; this.fragment = fragment || ''; }
  static file(p) { return new Uri('file', '', path.resolve(p).split(path.sep).join('/')); }
  static parse(s) {
    const m = /^([a-zA-Z][\w+.-]*):(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/.exec(s);
    if (!m) throw new Error(`shim: cannot parse URI ${s}`);
    return new Uri(m[1], m[2], decodeURIComponent(m[3]), m[4] ? decodeURIComponent(m[4]) : '', m[5] || '');
  }
  static from(c) { return new Uri(c.scheme, c.authority, c.path, c.query, c.fragment); }
  static joinPath(base, ...parts) { return base.with({ path: path.posix.normalize(path.posix.join(base.path, ...parts)) }); }
  get fsPath() { return this.path; }
  with(c) { return new Uri(c.scheme ?? this.scheme, c.authority ?? this.authority, c.path ?? this.path, c.query ?? this.query, c.fragment ?? this.fragment); }
  toString() { return `${this.scheme}://${this.authority}${encodeURI(this.path)}${this.query ? `?${encodeURIComponent(this.query)}` : ''}`; }
  toJSON() { return this.toString(); }
}

class Position {
  constructor(line, character) { this.line = line; this.character = character; }
  isBefore(o) { return this.line < o.line || (this.line === o.line && this.character < o.character); }
  isAfter(o) { return o.isBefore(this); }
}
class Range {
  constructor(a, b, c, d) {
    if (typeof a === 'number') { this.start = new Position(a, b); this.end = new Position(c, d); } else { this.start = a; this.end = b; }
  }
  contains(p) { return !p.isBefore(this.start) && !p.isAfter(this.end); }
  with(c) { return new Range(c.start ?? this.start, c.end ?? this.end); }
}
class Selection extends Range { constructor(a, b) { super(a, b); this.anchor = a; this.active = b; } }
class TreeItem { constructor(label, collapsibleState = 0) { this.label = label; this.collapsibleState = collapsibleState; } }
class ThemeIcon { constructor(id, color) { this.id = id; this.color = color; } }
class ThemeColor { constructor(id) { this.id = id; } }
class MarkdownString {
  constructor(value = '', supportThemeIcons = false) { this.value = value; this.supportThemeIcons = supportThemeIcons; }
  appendMarkdown(s) { this.value += s; return this; }
  appendText(s) { this.value += s; return this; }
}
class CodeLens { constructor(range, command) { this.range = range; this.command = command; } }
class Hover { constructor(contents, range) { this.contents = contents; this.range = range; } }
class Diagnostic { constructor(range, message, severity) { this.range = range; this.message = message; this.severity = severity; } }

function walk(dir, out) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === '.git' || e.name === '.bnn') continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out); else if (e.name.toLowerCase().endsWith('.bnn.json')) out.push(Uri.file(p));
  }
  return out;
}

function configuration(section) {
  return {
    get: (key, def) => (state.config.has(`${section}.${key}`) ? state.config.get(`${section}.${key}`) : def),
    update: async (key, value) => { state.config.set(`${section}.${key}`, value); configChanged.fire({ affectsConfiguration: (s) => `${section}.${key}`.startsWith(s) }); },
    inspect: () => undefined,
    has: (key) => state.config.has(`${section}.${key}`),
  };
}

const configChanged = new EventEmitter();
const docEvents = { open: new EventEmitter(), change: new EventEmitter(), close: new EventEmitter(), folders: new EventEmitter(), active: new EventEmitter() };

const api = {
  Disposable, EventEmitter, Uri, Position, Range, Selection, TreeItem, ThemeIcon, ThemeColor, MarkdownString, CodeLens, Hover, Diagnostic,
  DiagnosticSeverity: { Error: 0, Warning: 1, Information: 2, Hint: 3 },
  StatusBarAlignment: { Left: 1, Right: 2 },
  TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
  TextEditorRevealType: { Default: 0, InCenter: 1, InCenterIfOutsideViewport: 2, AtTop: 3 },
  ViewColumn: { Active: -1, Beside: -2, One: 1, Two: 2 },
  ConfigurationTarget: { Global: 1, Workspace: 2, WorkspaceFolder: 3 },
  window: {
    createOutputChannel: (name) => ({ name, append() {}, appendLine() {}, info() {}, warn() {}, error() {}, debug() {}, trace() {}, show() {}, clear() {}, dispose() {} }),
    createTreeView: (id, opts) => { registry.treeProviders.set(id, opts.treeDataProvider); return { visible: true, dispose() {}, onDidChangeVisibility: noopDisposable, reveal: async () => {} }; },
    createStatusBarItem: (id, alignment, priority) => { const item = { id, alignment, priority, text: '', shown: false, show() { this.shown = true; }, hide() { this.shown = false; }, dispose() {} }; registry.statusItems.push(item); return item; },
    get activeTextEditor() { return state.activeTextEditor; },
    visibleTextEditors: [],
    onDidChangeActiveTextEditor: docEvents.active.event,
    showErrorMessage: async () => undefined,
    showWarningMessage: async () => undefined,
    showInformationMessage: async () => undefined,
    showQuickPick: async () => undefined,
    showInputBox: async () => undefined,
  },
  workspace: {
    get workspaceFolders() {
      if (!state.workspaceRoot) return undefined;
      if (state.folders?.root !== state.workspaceRoot) state.folders = { root: state.workspaceRoot, list: [{ uri: Uri.file(state.workspaceRoot), name: path.basename(state.workspaceRoot), index: 0 }] };
      return state.folders.list;
    },
    get textDocuments() { return state.textDocuments; },
    getConfiguration: configuration,
    onDidChangeConfiguration: configChanged.event,
    onDidOpenTextDocument: docEvents.open.event,
    onDidChangeTextDocument: docEvents.change.event,
    onDidCloseTextDocument: docEvents.close.event,
    onDidChangeWorkspaceFolders: docEvents.folders.event,
    asRelativePath: (u) => { const p = typeof u === 'string' ? u : u.path; return state.workspaceRoot ? path.posix.relative(state.workspaceRoot.split(path.sep).join('/'), p) : p; },
    findFiles: async () => (state.workspaceRoot ? walk(state.workspaceRoot, []) : []),
    createFileSystemWatcher: () => {
      const w = { create: new EventEmitter(), change: new EventEmitter(), delete: new EventEmitter() };
      registry.watchers.push(w);
      return { onDidCreate: w.create.event, onDidChange: w.change.event, onDidDelete: w.delete.event, dispose() {} };
    },
    registerTextDocumentContentProvider: (scheme, p) => { registry.contentProviders.set(scheme, p); return new Disposable(); },
    fs: {
      stat: async (u) => { const s = await fsp.stat(u.fsPath); return { type: s.isDirectory() ? 2 : 1, ctime: s.ctimeMs, mtime: s.mtimeMs, size: s.size }; },
      readFile: async (u) => new Uint8Array(await fsp.readFile(u.fsPath)),
      writeFile: async (u, data) => fsp.writeFile(u.fsPath, data),
      readDirectory: async (u) => (await fsp.readdir(u.fsPath, { withFileTypes: true })).map((e) => [e.name, e.isDirectory() ? 2 : 1]),
    },
  },
  languages: {
    registerCodeLensProvider: (sel, p) => { registry.codeLens.push(p); return new Disposable(); },
    registerHoverProvider: (sel, p) => { registry.hovers.push(p); return new Disposable(); },
    createDiagnosticCollection: (name) => { const m = new Map(); const c = { name, set: (u, d) => m.set(String(u), d), delete: (u) => m.delete(String(u)), clear: () => m.clear(), get: (u) => m.get(String(u)), dispose() {} }; registry.diagnostics.push(c); return c; },
  },
  commands: {
    registerCommand: (id, fn) => { registry.commands.set(id, fn); return new Disposable(() => registry.commands.delete(id)); },
    executeCommand: async (id, ...args) => { const f = registry.commands.get(id); return f ? f(...args) : undefined; },
  },
};

/** Wraps the API so every member read is recorded; unknown members become recorded no-ops. */
function recording(obj, prefix) {
  return new Proxy(obj, {
    get(target, prop) {
      if (typeof prop === 'symbol' || String(prop).startsWith('__') || prop === '__esModule' || prop === 'default' || prop === 'then') return target[prop];
      const name = `${prefix}${String(prop)}`;
      if (!(prop in target)) {
        missing.add(name);
        return recording(function missingMember() { return new Disposable(); }, `${name}.`);
      }
      used.add(name);
      const v = target[prop];
      if (v && typeof v === 'object' && !Array.isArray(v) && /^(window|workspace|languages|commands|fs)$/.test(String(prop))) return recording(v, `${name}.`);
      return v;
    },
  });
}

module.exports = recording(api, '');
module.exports.__shim = { used, missing, registry, state, docEvents };
