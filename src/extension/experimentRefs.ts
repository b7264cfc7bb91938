/**
 * Where experiments live in the open workspace, and how a command argument (a tree item, an experiment id or a folder
 * path, as the shared command convention says) becomes an experiment folder.
 */
import * as vscode from 'vscode';
import * as path from 'node:path';
import { EXPERIMENTS_DIR } from '../core/experiments/types';
import { findExperimentDir } from '../core/experiments/store';

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
  if (isExperimentRef(arg)) return arg.experimentDir;
  if (arg instanceof vscode.Uri) arg = arg.fsPath;
  if (typeof arg !== 'string' || arg.trim() === '') throw new Error('no experiment given (expected an experiment id or folder)');
  const roots = experimentRoots();
  const errors: string[] = [];
  for (const root of roots.length ? roots : [path.resolve(EXPERIMENTS_DIR)]) {
    try {
      return findExperimentDir(root, arg, path.dirname(root));
    } catch (err) {
      errors.push((err as Error).message);
    }
  }
  throw new Error(errors[0] ?? `no experiment '${arg}'`);
}

/** Resolves the (clicked, selected) pair VS Code passes to a tree context-menu command into distinct folders. */
export function resolveExperimentDirs(clicked: unknown, selected: unknown): string[] {
  const list = Array.isArray(selected) && selected.length > 0 ? selected : clicked === undefined ? [] : [clicked];
  return [...new Set(list.filter((x) => !(typeof x === 'object' && x !== null && !isExperimentRef(x) && !(x instanceof vscode.Uri))).map(resolveExperimentDir))];
}
