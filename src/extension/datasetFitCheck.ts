/**
 * Train BNN's look at the dataset before the trainer starts: a shape or class-count mismatch with the model is shown
 * then, with what training will do about it (resize, convert channels) or what to change — not found out from a
 * failed run. A named dataset is checked from what is known of it; anything else is summarised on the data worker.
 */
import * as vscode from 'vscode';
import { datasetFit } from '../core/data/fit';
import { isDatasetName, NAMED_DATASETS } from '../core/data/named';
import type { DatasetSummary } from '../core/data/summary';
import { runInDataWorker } from '../core/data/workerHost';
import type { ModelSpec } from '../core/model/spec';

async function specOf(uri: vscode.Uri): Promise<ModelSpec | undefined> {
  try {
    const { loadModelText } = await import('../core/model/load');
    return loadModelText(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)), uri.fsPath).spec;
  } catch {
    return undefined;
  }
}

async function summaryOf(data: string, dataDir: string | undefined, distDir: string): Promise<DatasetSummary | undefined> {
  if (isDatasetName(data)) {
    const n = NAMED_DATASETS[data];
    return { data, name: n.name, format: n.format, location: '', builtIn: true, shape: n.shape, classes: n.classes, warnings: [] };
  }
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Train BNN: checking the dataset', cancellable: true }, async (progress, token) => {
    const ac = new AbortController();
    token.onCancellationRequested(() => ac.abort());
    try {
      return await runInDataWorker({ kind: 'summary', data, lookup: { dataDir, cwd: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath } }, {
        signal: ac.signal, distDir, progress: (_d, _t, message) => progress.report({ message }),
      });
    } catch (err) {
      if ((err as Error).name === 'AbortError') return undefined;
      throw err;
    }
  });
}

/** True when training should go ahead: the data fits, or the user accepted what will be done to it. */
export async function confirmDatasetFit(model: vscode.Uri, data: string, dataDir: string | undefined, distDir: string): Promise<boolean> {
  const spec = await specOf(model);
  // an invalid model is the trainer's to report, with every error positioned
  if (!spec) return true;
  const s = await summaryOf(data, dataDir, distDir);
  if (!s) return false;
  // an unreadable dataset is the trainer's to report: its message names the file and the record
  if (s.error) return true;
  const notes = datasetFit(s, spec);
  if (!notes.length) return true;
  const detail = notes.map((n) => `${n.severity === 'error' ? '✖' : '⚠'} ${n.message}.\n   → ${n.action}.`).join('\n\n');
  if (notes.some((n) => n.severity === 'error')) {
    const choice = await vscode.window.showErrorMessage(`'${s.name}' does not fit model '${spec.name}'; training would stop.`, { modal: true, detail }, 'Preview Dataset');
    if (choice === 'Preview Dataset') void vscode.commands.executeCommand('bnn.previewDataset', s.data);
    return false;
  }
  const choice = await vscode.window.showWarningMessage(`'${s.name}' will be converted to fit model '${spec.name}'.`, { modal: true, detail }, 'Train');
  return choice === 'Train';
}
