/**
 * Where experiments live in the open workspace, and the one way a command argument becomes an experiment folder:
 * an Experiments-tree node, a Uri, an experiment id or a folder path (and the shapes other extensions and tests pass:
 * objects with dir/experimentDir/path/id/experimentId, resourceUri, or a nested info/experiment). Every command that
 * acts on an experiment — training, resume, compile, device, export, charts, delete — resolves it here, with the
 * store's lookup (findExperimentDir: the same symlink rule and messages as the CLI).
 */
import * as vscode from 'vscode';
import * as path from 'node:path';
import { EXPERIMENTS_DIR } from '../core/experiments/types';
import { findExperimentDir, listExperiments, type ExperimentInfo } from '../core/experiments/store';
import { experimentArg } from './experimentArg';

export { experimentArg };

export function experimentRoots(): string[] {
  return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => path.join(f.uri.fsPath, EXPERIMENTS_DIR));
}

/** An Experiments-tree node that stands for one experiment. */
export interface ExperimentRef {
  experimentDir: string;
}

export function isExperimentRef(v: unknown): v is ExperimentRef {
  return typeof v === 'object' && v !== null && typeof (v as ExperimentRef).experimentDir === 'string';
}

/** Resolves one command argument to an experiment folder; throws a message naming what was not found. */
export function resolveExperimentDir(arg: unknown): string {
  const given = experimentArg(arg);
  if (given === undefined) throw new Error('no experiment given (expected an experiment id or folder)');
  const roots = experimentRoots();
  const errors: string[] = [];
  for (const root of roots.length ? roots : [path.resolve(EXPERIMENTS_DIR)]) {
    try {
      return findExperimentDir(root, given, path.dirname(path.dirname(root)));
    } catch (err) {
      errors.push((err as Error).message);
    }
  }
  throw new Error(errors[0] ?? `no experiment '${given}'`);
}

/** Resolves the (clicked, selected) pair VS Code passes to a tree context-menu command into distinct folders. */
export function resolveExperimentDirs(clicked: unknown, selected: unknown): string[] {
  const list = Array.isArray(selected) && selected.length > 0 ? selected : clicked === undefined ? [] : [clicked];
  return [...new Set(list.filter((x) => !(typeof x === 'object' && x !== null && !isExperimentRef(x) && !(x instanceof vscode.Uri))).map(resolveExperimentDir))];
}

export interface PickOptions {
  title: string;
  placeHolder?: string;
  /** Which experiments to offer (default: all). */
  filter?: (e: ExperimentInfo) => boolean;
  /** Said when there is nothing to offer. */
  none?: string;
}

/** A quick pick over the workspace's experiments (every root), newest first; undefined when cancelled or empty. */
export async function pickExperimentDir(opts: PickOptions): Promise<string | undefined> {
  const roots = experimentRoots();
  if (!roots.length) {
    void vscode.window.showErrorMessage('Open a workspace folder with BNN experiments first.');
    return undefined;
  }
  const infos = (await Promise.all(roots.map((r) => listExperiments(r)))).flat().filter(opts.filter ?? (() => true));
  if (!infos.length) {
    void vscode.window.showInformationMessage(opts.none ?? 'No experiments in this workspace yet: train a model first (BNN: Train BNN).');
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(infos.map((e) => ({
    label: e.id,
    description: `${e.model} · ${e.optimizer} · ${e.state}`,
    detail: e.valAccuracy !== undefined ? `validation accuracy ${(100 * e.valAccuracy).toFixed(2)}%` : undefined,
    dir: e.dir,
  })), { title: opts.title, placeHolder: opts.placeHolder });
  return pick?.dir;
}

/**
 * The experiment a command acts on: the one its argument names, else one picked from the workspace. Undefined
 * (after saying why) when the argument names no experiment or nothing was picked.
 */
export async function experimentForCommand(arg: unknown, pick: PickOptions): Promise<string | undefined> {
  if (experimentArg(arg) === undefined) return pickExperimentDir(pick);
  try {
    return resolveExperimentDir(arg);
  } catch (err) {
    void vscode.window.showErrorMessage(`${pick.title}: ${(err as Error).message}`);
    return undefined;
  }
}
