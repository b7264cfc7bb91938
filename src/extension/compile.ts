/**
 * "BNN: Compile to C" (`bnn.compile`): compiles an experiment (tree item, id or folder), a checkpoint folder or a
 * `*.trained.json` for the selected board into a folder, and opens bnn_model.h.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DEFAULT_BOARD_ID, findBoard } from '../core/boards';
import { compileModel, type CompiledModel } from '../core/compile/compile';
import { defaultOutDir, loadCompileSource, writeCompiledFiles } from '../core/compile/source';
import { EXPERIMENTS_DIR } from '../core/experiments/types';

/** Accepts what a command can be invoked with: a path, a Uri, an experiment tree item (or anything with a folder). */
function pathFromArg(arg: unknown): string | undefined {
  if (typeof arg === 'string') return resolveExperiment(arg);
  if (arg instanceof vscode.Uri) return arg.fsPath;
  if (arg && typeof arg === 'object') {
    const o = arg as Record<string, unknown>;
    for (const key of ['dir', 'folder', 'path', 'fsPath']) if (typeof o[key] === 'string') return o[key] as string;
    if (o.resourceUri instanceof vscode.Uri) return o.resourceUri.fsPath;
    if (typeof o.id === 'string') return resolveExperiment(o.id);
    if (o.experiment) return pathFromArg(o.experiment);
  }
  return undefined;
}

function workspaceExperimentsDirs(): string[] {
  return (vscode.workspace.workspaceFolders ?? []).map((f) => path.join(f.uri.fsPath, EXPERIMENTS_DIR));
}

/** An experiment id becomes its folder in the first workspace that has it; a path stays a path. */
function resolveExperiment(idOrPath: string): string {
  if (path.isAbsolute(idOrPath) || fs.existsSync(idOrPath)) return idOrPath;
  for (const dir of workspaceExperimentsDirs()) {
    const p = path.join(dir, idOrPath);
    if (fs.existsSync(p)) return p;
  }
  return idOrPath;
}

async function pickSource(): Promise<string | undefined> {
  const items: (vscode.QuickPickItem & { target?: string })[] = [];
  for (const dir of workspaceExperimentsDirs()) {
    let names: string[] = [];
    try { names = fs.readdirSync(dir).filter((n) => fs.existsSync(path.join(dir, n, 'checkpoints'))); } catch { continue; }
    for (const n of names.sort().reverse()) items.push({ label: n, description: 'experiment', target: path.join(dir, n) });
  }
  items.push({ label: '$(folder-opened) Browse…', description: 'a checkpoint folder or a *.trained.json' });
  const choice = await vscode.window.showQuickPick(items, { placeHolder: 'Experiment to compile to C' });
  if (!choice) return undefined;
  if (choice.target) return choice.target;
  const uris = await vscode.window.showOpenDialog({ canSelectFiles: true, canSelectFolders: true, canSelectMany: false, filters: { 'Trained model': ['json'] }, openLabel: 'Compile' });
  return uris?.[0]?.fsPath;
}

export function registerCompile(context: vscode.ExtensionContext, output: vscode.LogOutputChannel): void {
  context.subscriptions.push(vscode.commands.registerCommand('bnn.compile', async (arg?: unknown): Promise<CompiledModel | undefined> => {
    const source = pathFromArg(arg) ?? (await pickSource());
    if (!source) return undefined;
    const boardId = vscode.workspace.getConfiguration('bnnStudio').get<string>('board') || DEFAULT_BOARD_ID;
    const board = findBoard(boardId);
    if (!board) {
      void vscode.window.showErrorMessage(`BNN: unknown board '${boardId}' in setting bnnStudio.board.`, 'Select Board').then((a) => { if (a) void vscode.commands.executeCommand('bnn.selectBoard'); });
      return undefined;
    }
    try {
      const { compiled, outDir } = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `BNN: compiling for ${board.name}…` }, async () => {
        const src = loadCompileSource(source);
        const c = compileModel(src.trained, { board: board.id });
        const out = defaultOutDir(src, board.id);
        writeCompiledFiles(out, c.files);
        return { compiled: c, outDir: out };
      });
      const p = compiled.plan;
      output.info(`compiled '${compiled.manifest.model}' (${source}) for ${board.id} → ${outDir}: flash ${p.flashBytes} B, RAM ${p.ramBytes} B, hash ${compiled.hash}`);
      const doc = await vscode.workspace.openTextDocument(path.join(outDir, 'bnn_model.h'));
      await vscode.window.showTextDocument(doc, { preview: false });
      const fits = p.flashBytes <= board.flashBytes && p.ramBytes <= board.ramBytes;
      const msg = `BNN: compiled '${compiled.manifest.model}' for ${board.name}: ${p.flashBytes} B flash, ${p.ramBytes} B RAM${fits ? '' : ' — more than the board has'}.`;
      void (fits ? vscode.window.showInformationMessage(msg, 'Open bnn_model.c') : vscode.window.showWarningMessage(msg, 'Open bnn_model.c')).then(async (a) => {
        if (a) await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(path.join(outDir, 'bnn_model.c')), { preview: false });
      });
      return compiled;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      output.error(`compile ${source}: ${message}`);
      void vscode.window.showErrorMessage(`BNN: cannot compile: ${message}`);
      return undefined;
    }
  }));
}
