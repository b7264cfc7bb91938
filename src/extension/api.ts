/**
 * What BNN Studio's activate() returns (`vscode.extensions.getExtension('bnn-studio.bnn-studio').exports`): the rows
 * of its views, read through the same tree providers VS Code renders them from. The in-editor tests check a
 * command's effect on a view with it (VS Code offers no way to read another view's rows); other extensions may too.
 */
import type * as vscode from 'vscode';

export type ViewId = 'bnnModels' | 'bnnExperiments' | 'bnnDatasets';

export interface TreeRow {
  label: string;
  description?: string;
  contextValue?: string;
  /** The rows under this one, down to the depth asked for (collapsed or not). */
  children?: TreeRow[];
}

export interface BnnStudioApi {
  treeRows(view: ViewId, depth?: number): Promise<TreeRow[]>;
}

/** The part of a TreeDataProvider read here. */
interface RowSource<T> {
  getChildren(node?: T): vscode.ProviderResult<T[]>;
  getTreeItem(node: T): vscode.TreeItem | Thenable<vscode.TreeItem>;
}

async function rows<T>(provider: RowSource<T>, node: T | undefined, depth: number): Promise<TreeRow[]> {
  const nodes = (await provider.getChildren(node)) ?? [];
  return Promise.all(nodes.map(async (n) => {
    const item = await provider.getTreeItem(n);
    const label = typeof item.label === 'string' ? item.label : item.label?.label ?? '';
    const row: TreeRow = { label };
    if (typeof item.description === 'string') row.description = item.description;
    if (item.contextValue !== undefined) row.contextValue = item.contextValue;
    // 0 is TreeItemCollapsibleState.None (a type-only import keeps this module free of the vscode runtime)
    if (depth > 1 && item.collapsibleState) row.children = await rows(provider, n, depth - 1);
    return row;
  }));
}

export function bnnStudioApi<M, E, D>(views: { bnnModels: RowSource<M>; bnnExperiments: RowSource<E>; bnnDatasets: RowSource<D> }): BnnStudioApi {
  return {
    treeRows: (view, depth = 1) => (view === 'bnnModels' ? rows(views.bnnModels, undefined, depth)
      : view === 'bnnDatasets' ? rows(views.bnnDatasets, undefined, depth) : rows(views.bnnExperiments, undefined, depth)),
  };
}
