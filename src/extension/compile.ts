/**
 * "BNN: Compile to C" (`bnn.compile`): compiles an experiment (tree item, id or folder), a checkpoint folder or a
 * `*.trained.json` for the selected board into a folder, and opens bnn_model.h.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DEFAULT_BOARD_ID, findBoard } from '../core/boards';
import type { CompiledModel } from '../core/compile/compile';
import { assessBudget, budgetProblem } from './budget';
import { listExperiments } from '../core/experiments/store';
import { CHECKPOINTS_DIR } from '../core/experiments/types';
import { experimentRoots, isExperimentRef, resolveExperimentDir } from './experimentRefs';
import { requireTrust } from './trust';

/**
 * Accepts what a command can be invoked with: an Experiments-tree node, a Uri (a *.trained.json in the Explorer), a
 * path, or an experiment id.
 */
function pathFromArg(arg: unknown): string | undefined {
  if (arg === undefined || arg === null) return undefined;
  if (isExperimentRef(arg)) return arg.experimentDir;
  if (arg instanceof vscode.Uri) return arg.fsPath;
  if (typeof arg === 'string' && (path.isAbsolute(arg) || fs.existsSync(arg))) return arg;
  return resolveExperimentDir(arg);
}

async function pickSource(): Promise<string | undefined> {
  const items: (vscode.QuickPickItem & { target?: string })[] = [];
  // the store's listing (its symlink rule, newest first), runs that have checkpointed
  const infos = (await Promise.all(experimentRoots().map((r) => listExperiments(r)))).flat();
  for (const e of infos) {
    if (fs.existsSync(path.join(e.dir, CHECKPOINTS_DIR))) items.push({ label: e.id, description: `experiment · ${e.model} · ${e.state}`, target: e.dir });
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
    // The C it writes is built and run by the user's toolchain: a checkpoint from an untrusted clone waits for trust.
    if (!(await requireTrust('compiling to C'))) return undefined;
    let source: string | undefined;
    try {
      source = pathFromArg(arg) ?? (await pickSource());
    } catch (err) {
      void vscode.window.showErrorMessage(`BNN: cannot compile: ${(err as Error).message}`);
      return undefined;
    }
    if (!source) return undefined;
    const boardId = vscode.workspace.getConfiguration('bnnStudio').get<string>('board') || DEFAULT_BOARD_ID;
    const board = findBoard(boardId);
    if (!board) {
      void vscode.window.showErrorMessage(`BNN: unknown board '${boardId}' in setting bnnStudio.board.`, 'Select Board').then((a) => { if (a) void vscode.commands.executeCommand('bnn.selectBoard'); });
      return undefined;
    }
    try {
      const { compiled, outDir, checkpoint } = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `BNN: compiling for ${board.name}…` }, async () => {
        // Loaded on first use: reading checkpoints pulls in the trainer (TensorFlow.js), which activation must not load.
        const { compileModel } = await import('../core/compile/compile');
        const { defaultOutDir, loadCompileSource, writeCompiledFiles } = await import('../core/compile/source');
        const src = loadCompileSource(source);
        const firstLayer = vscode.workspace.getConfiguration('bnnStudio').get<'fast' | 'lean'>('compiler.firstLayer') === 'lean' ? 'lean' : 'fast';
        const c = compileModel(src.trained, { board: board.id, firstLayer });
        const out = defaultOutDir(src, board.id);
        writeCompiledFiles(out, c.files);
        return { compiled: c, outDir: out, checkpoint: src.checkpoint };
      });
      const p = compiled.plan;
      output.info(`compiled '${compiled.manifest.model}' (${source}${checkpoint ? `, checkpoint ${checkpoint}` : ''}) for ${board.id} → ${outDir}: flash ${p.flashBytes} B, RAM ${p.ramBytes} B, hash ${compiled.hash}`);
      const doc = await vscode.workspace.openTextDocument(path.join(outDir, 'bnn_model.h'));
      await vscode.window.showTextDocument(doc, { preview: false });
      // compileModel refuses a model that does not fit (with the firmware's share); one that nearly fills the board gets a warning.
      const near = budgetProblem(assessBudget(p, board), board);
      const msg = `BNN: compiled '${compiled.manifest.model}' for ${board.name}: ${p.flashBytes} B flash, ${p.ramBytes} B RAM for the model${near ? ` — it ${near}` : ''}.`;
      void (near ? vscode.window.showWarningMessage(msg, 'Open bnn_model.c') : vscode.window.showInformationMessage(msg, 'Open bnn_model.c')).then(async (a) => {
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
