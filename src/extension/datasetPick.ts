/**
 * Train BNN's dataset question: the named datasets (found where, or not), the datasets the Datasets view found in the
 * workspace, or a folder or file to browse for.
 */
import * as vscode from 'vscode';
import { DATASET_NAMES, NAMED_DATASETS, locateDataset, type DatasetName } from '../core/data';
import { summaryDescription } from '../core/data/summaryText';
import { workspaceDatasets } from './datasetsView';

export async function pickDataset(dataDir: string | undefined): Promise<string | undefined> {
  type Item = vscode.QuickPickItem & { value?: string; browse?: 'folder' | 'file' };
  const items: Item[] = DATASET_NAMES.map((name: DatasetName) => {
    let description: string;
    try {
      const loc = locateDataset(name, { dataDir });
      description = `found: ${loc.dir}`;
    } catch {
      description = 'not found (select to see where to put the files)';
    }
    const n = NAMED_DATASETS[name];
    return { label: name, description, detail: `${n.title}: ${n.shape.join('×')}, ${n.classes} classes`, value: name };
  });
  for (const d of workspaceDatasets()) {
    items.push({ label: `$(${d.format === 'image-folder' ? 'file-media' : 'table'}) ${d.name}`, description: vscode.workspace.asRelativePath(d.location), detail: summaryDescription(d), value: d.data });
  }
  items.push({ label: '$(folder) Folder…', description: 'class folders of PNG/JPEG/BMP/GIF images (Keras layout), IDX (MNIST layout), CIFAR-10 binary batches, or NumPy .npy files', browse: 'folder' });
  items.push({ label: '$(file-binary) NumPy or CSV file…', description: '.npz with x_train, y_train[, x_test, y_test] or x, y; .csv with a label column', browse: 'file' });
  const pick = await vscode.window.showQuickPick(items, { title: 'Train BNN (2/5): dataset', placeHolder: 'Train on which data?', matchOnDetail: true });
  if (!pick) return undefined;
  if (pick.browse === 'file') {
    const file = await vscode.window.showOpenDialog({ canSelectFolders: false, canSelectFiles: true, filters: { 'NumPy or CSV': ['npz', 'npy', 'csv'] }, openLabel: 'Use this dataset file' });
    return file?.[0]?.fsPath;
  }
  if (pick.browse) {
    const folder = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Use this dataset folder' });
    return folder?.[0]?.fsPath;
  }
  return pick.value;
}
