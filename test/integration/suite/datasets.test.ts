// The Datasets view in a real extension host: the built-in and workspace datasets with their counts per class, a
// dataset added to the workspace appearing by itself, the check against the model in the active editor, and the
// preview panel opening.
import * as assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { PNG } from 'pngjs';
import type { BnnStudioApi, TreeRow } from '../../../src/extension/api';
import { extension, inWorkspace, waitFor } from './helpers';

function png(w: number, h: number, rgb: [number, number, number]): Buffer {
  const img = new PNG({ width: w, height: h });
  for (let i = 0; i < w * h; i++) img.data.set([...rgb, 255], 4 * i);
  return PNG.sync.write(img);
}

const find = (rows: TreeRow[] | undefined, label: string): TreeRow | undefined => rows?.find((r) => r.label === label);

describe('Datasets view', () => {
  const pets = inWorkspace('pets');
  after(() => rmSync(pets.fsPath, { recursive: true, force: true }));

  it('lists the built-in datasets with shape, split and samples per class', async () => {
    await vscode.commands.executeCommand('bnnDatasets.focus');
    const api = extension().exports as BnnStudioApi;
    const bundled = await waitFor('the bundled dataset in the Datasets view', async () => find(find(await api.treeRows('bnnDatasets', 3), 'Built-in')?.children, 'bundled'), 60_000);
    assert.equal(bundled.description, 'IDX (MNIST layout) · 7,000 samples · 28×28×1');
    const labels = bundled.children?.map((r) => `${r.label}${r.description ? ` | ${r.description}` : ''}`) ?? [];
    assert.ok(labels.includes('shape 28×28×1 | 10 classes'), labels.join('\n'));
    assert.ok(labels.includes('train 6,000 · test 1,000 (its own test part)'), labels.join('\n'));
    assert.ok(labels.some((l) => /^T-shirt\/top \| \d+ train · \d+ test$/.test(l)), labels.join('\n'));
  });

  it('finds an image folder added to the workspace and checks it against the model in the editor', async function () {
    this.timeout(90_000);
    for (let i = 0; i < 5; i++) {
      mkdirSync(inWorkspace('pets', 'cat').fsPath, { recursive: true });
      mkdirSync(inWorkspace('pets', 'dog').fsPath, { recursive: true });
      writeFileSync(inWorkspace('pets', 'cat', `${i}.png`).fsPath, png(8, 6, [200, 10, 10]));
      writeFileSync(inWorkspace('pets', 'dog', `${i}.png`).fsPath, png(8, 6, [10, 10, 200]));
    }
    // The view rescans on file events; on a loaded CI machine they arrive late or coalesced, so ask as a user would
    // with the view's Refresh (the automatic rescan is not what this test checks).
    await vscode.commands.executeCommand('bnn.refreshDatasets');
    const [model] = await vscode.workspace.findFiles('**/binary-mlp.bnn.json', '**/node_modules/**', 1);
    assert.ok(model, 'the workspace has the binary MLP example');
    await vscode.window.showTextDocument(model);
    const api = extension().exports as BnnStudioApi;
    let top: TreeRow[] = [];
    const row = await waitFor(() => `the pets folder, checked against binary_mlp; the view shows ${JSON.stringify(top.map((r) => [r.label, r.description, r.children?.map((c) => c.label)]))}`, async () => {
      top = await api.treeRows('bnnDatasets', 3);
      const p = find(find(top, 'Workspace')?.children, 'pets');
      return top[0]?.label === 'Checked against binary_mlp' && p?.children?.some((c) => c.contextValue === 'datasetRow.fit-error') && p;
    }, 45_000);
    assert.equal(row.description, 'image folder · 10 samples · 6×8×3');
    const kinds = row.children?.map((c) => [c.contextValue, c.label]);
    assert.deepEqual(kinds?.slice(0, 3), [
      ['datasetRow.fit-warning', "images are 8×6 (the first one; sizes may vary) but model 'binary_mlp' takes 28×28"],
      ['datasetRow.fit-warning', "images have 3 channels (RGB) but model 'binary_mlp' takes 1"],
      ['datasetRow.fit-error', "the dataset has 2 classes but model 'binary_mlp' has 10 outputs"],
    ]);
    assert.ok(row.children?.some((c) => c.label === 'cat' && c.description === '4 train · 1 test'), JSON.stringify(row.children));
  });

  it('Preview Dataset opens the preview panel', async () => {
    await vscode.commands.executeCommand('bnn.previewDataset', 'bundled');
    const tab = await waitFor('the preview tab', () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.label === 'Dataset: bundled'));
    assert.ok(tab.input instanceof vscode.TabInputWebview, 'a webview tab');
    assert.match((tab.input as vscode.TabInputWebview).viewType, /bnnStudio\.datasetPreview$/);
  });
});
