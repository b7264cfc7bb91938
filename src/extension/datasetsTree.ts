/**
 * The Datasets view's tree: the model datasets are checked against, the built-in datasets, then the workspace's;
 * under each its fit with that model, shape, split and classes (summaryText.ts has the words). The data itself is read
 * by the data worker (datasetsView.ts): the tree only shows what it answered.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DatasetSummary } from '../core/data/summary';
import type { FitNote } from '../core/data/fit';
import { summaryDescription, summaryRows, type SummaryRow } from '../core/data/summaryText';

export interface CheckedModel {
  uri: vscode.Uri;
  name: string;
  input: number[];
  classes: number;
}

export type DatasetNode =
  | { kind: 'model'; model?: CheckedModel }
  | { kind: 'group'; label: string; builtIn: boolean }
  | { kind: 'dataset'; summary: DatasetSummary; fit: FitNote[] }
  | { kind: 'row'; row: SummaryRow }
  | { kind: 'status'; label: string; icon: string };

const ROW_ICONS: Record<SummaryRow['kind'], string> = {
  'fit-error': 'error', 'fit-warning': 'warning', shape: 'symbol-ruler', split: 'split-horizontal', class: 'tag', warning: 'warning', error: 'error',
};

const FORMAT_ICONS: Record<DatasetSummary['format'], string> = {
  'image-folder': 'file-media', numpy: 'symbol-array', csv: 'table', idx: 'database', cifar10: 'database',
};

export class DatasetsTree implements vscode.TreeDataProvider<DatasetNode> {
  private readonly changed = new vscode.EventEmitter<DatasetNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  datasets: { summary: DatasetSummary; fit: FitNote[] }[] = [];
  model: CheckedModel | undefined;
  /** Shown instead of the datasets while a scan runs or when it failed. */
  status: { label: string; icon: string } | undefined = { label: 'Looking for datasets…', icon: 'loading~spin' };
  truncated = false;

  refresh(): void {
    this.changed.fire(undefined);
  }

  dispose(): void {
    this.changed.dispose();
  }

  getChildren(node?: DatasetNode): DatasetNode[] {
    if (!node) {
      const top: DatasetNode[] = [{ kind: 'model', model: this.model }];
      if (this.status) return [...top, { kind: 'status', ...this.status }];
      top.push({ kind: 'group', label: 'Built-in', builtIn: true });
      if (this.datasets.some((d) => !d.summary.builtIn)) top.push({ kind: 'group', label: 'Workspace', builtIn: false });
      else top.push({ kind: 'status', label: 'No datasets in this workspace (class folders of images, .npz, .npy, .csv)', icon: 'info' });
      if (this.truncated) top.push({ kind: 'status', label: 'The workspace is large: not every folder was searched', icon: 'warning' });
      return top;
    }
    if (node.kind === 'group') return this.datasets.filter((d) => d.summary.builtIn === node.builtIn).map((d) => ({ kind: 'dataset', ...d }));
    if (node.kind === 'dataset') return summaryRows(node.summary, node.fit).map((row) => ({ kind: 'row', row }));
    return [];
  }

  getTreeItem(node: DatasetNode): vscode.TreeItem {
    const None = vscode.TreeItemCollapsibleState.None;
    switch (node.kind) {
      case 'model': {
        const m = node.model;
        const item = new vscode.TreeItem(m ? `Checked against ${m.name}` : 'No model selected', None);
        item.description = m ? `input ${m.input.join('×')} · ${m.classes} classes` : 'open or select a *.bnn.json';
        item.tooltip = m ? `Datasets are checked against ${vscode.workspace.asRelativePath(m.uri)}: the model in the active editor, else the one last selected in the Models view.` : 'Open a *.bnn.json or select one in the Models view to see whether each dataset fits it.';
        item.iconPath = new vscode.ThemeIcon('symbol-class');
        item.contextValue = 'datasetModel';
        if (m) item.command = { command: 'vscode.open', title: 'Open Model', arguments: [m.uri] };
        return item;
      }
      case 'group': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Expanded);
        item.contextValue = 'datasetGroup';
        return item;
      }
      case 'status': {
        const item = new vscode.TreeItem(node.label, None);
        item.iconPath = new vscode.ThemeIcon(node.icon);
        return item;
      }
      case 'dataset': {
        const s = node.summary;
        const item = new vscode.TreeItem(s.name, vscode.TreeItemCollapsibleState.Collapsed);
        item.description = summaryDescription(s);
        const worst = node.fit.some((f) => f.severity === 'error') ? 'error' : node.fit.length ? 'warning' : undefined;
        item.iconPath = new vscode.ThemeIcon(s.error ? (s.builtIn ? 'circle-slash' : 'error') : worst ?? FORMAT_ICONS[s.format],
          worst === 'error' || (s.error && !s.builtIn) ? new vscode.ThemeColor('errorForeground') : worst ? new vscode.ThemeColor('editorWarning.foreground') : undefined);
        const md = new vscode.MarkdownString();
        md.appendText(`${s.name} — ${item.description}\n${s.location || '(not installed)'}\n`);
        for (const f of node.fit) md.appendText(`\n${f.severity === 'error' ? '✖' : '⚠'} ${f.message}: ${f.action}\n`);
        if (s.error) md.appendText(`\n${s.error}\n`);
        item.tooltip = md;
        item.contextValue = s.error ? 'dataset.unreadable' : 'dataset';
        if (s.location && !s.builtIn) item.resourceUri = vscode.Uri.file(s.location);
        item.id = `dataset:${s.builtIn ? s.name : path.resolve(s.location)}`;
        if (!s.error) item.command = { command: 'bnn.previewDataset', title: 'Preview Dataset', arguments: [node] };
        return item;
      }
      case 'row': {
        const r = node.row;
        const item = new vscode.TreeItem(r.label, None);
        item.description = r.description;
        item.tooltip = r.tooltip ?? (r.description ? `${r.label}\n${r.description}` : r.label);
        const color = r.kind === 'fit-error' || r.kind === 'error' ? new vscode.ThemeColor('errorForeground') : r.kind.endsWith('warning') ? new vscode.ThemeColor('editorWarning.foreground') : undefined;
        item.iconPath = new vscode.ThemeIcon(ROW_ICONS[r.kind], color);
        item.contextValue = `datasetRow.${r.kind}`;
        return item;
      }
    }
  }
}
