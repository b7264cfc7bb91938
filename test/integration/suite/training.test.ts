import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DATASET_NAMES } from '../../../src/core/data/named';
import { EXPERIMENTS_DIR, METRICS_FILE, STATUS_FILE, type ExperimentConfig, type ExperimentStatus } from '../../../src/core/experiments/types';
import { inWorkspace, waitFor } from './helpers';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function experimentsRoot(): string {
  return inWorkspace(...EXPERIMENTS_DIR.split('/')).fsPath;
}

function runs(): string[] {
  const root = experimentsRoot();
  return existsSync(root) ? readdirSync(root).filter((d) => !d.startsWith('.')).sort() : [];
}

function status(dir: string): ExperimentStatus | undefined {
  try {
    return JSON.parse(readFileSync(path.join(dir, STATUS_FILE), 'utf8')) as ExperimentStatus;
  } catch {
    return undefined; // not written yet
  }
}

function stepEvents(dir: string): number {
  const f = path.join(dir, METRICS_FILE);
  if (!existsSync(f)) return 0;
  return readFileSync(f, 'utf8').split('\n').filter((l) => l.includes('"kind":"step"')).length;
}

/** Moves the highlighted quick-pick item down `n` times and accepts it, as a user with the arrow keys. */
async function pickIndex(n: number): Promise<void> {
  await sleep(1200);
  for (let i = 0; i < n; i++) await vscode.commands.executeCommand('quickInput.next');
  await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
}

describe('Train BNN in the editor', function () {
  this.timeout(300_000);
  let runDir = '';
  let trainDone: Thenable<unknown> | undefined;

  after(async () => {
    if (runDir && status(runDir)?.state === 'running') await vscode.commands.executeCommand('bnn.stopTraining', path.basename(runDir));
    await vscode.commands.executeCommand('notifications.clearAll');
  });

  it('trains the open model on the bundled data from its questions (the default recipe, its settings as proposed), writing config, status and metrics', async () => {
    const model = inWorkspace('models', 'binary-mlp.bnn.json');
    const before = new Set(runs());
    trainDone = vscode.commands.executeCommand('bnn.train', model);
    await pickIndex(DATASET_NAMES.indexOf('bundled')); // 2/4 dataset
    await pickIndex(0); // 3/4 optimizer: the first preset
    await sleep(1200);
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem'); // 4/5 epochs: the proposed 10
    await pickIndex(0); // 5/5 settings: Start training
    const id = await waitFor('a new experiment folder', () => runs().find((r) => !before.has(r)), 60_000);
    runDir = path.join(experimentsRoot(), id);
    const config = JSON.parse(readFileSync(path.join(runDir, 'config.json'), 'utf8')) as ExperimentConfig;
    assert.equal(config.dataset.name, 'bundled');
    assert.equal(config.epochs, 10);
    assert.equal(config.optimizer.preset, 'bop-10-epochs', 'the default recipe');
    assert.equal(config.batchSize, 50);
    assert.equal(config.engine, 'bnn-studio');
    assert.equal(config.model.name, 'binary_mlp');
    await waitFor(() => `training steps in ${METRICS_FILE} (status: ${JSON.stringify(status(runDir))})`, () => stepEvents(runDir) >= 3, 180_000);
    assert.equal(status(runDir)?.state, 'running');
  });

  it('Stop Training stops the run and records it as cancelled', async () => {
    assert.ok(runDir, 'needs the run of the previous test');
    await vscode.commands.executeCommand('bnn.stopTraining', path.basename(runDir));
    const st = await waitFor(() => `state cancelled (status: ${JSON.stringify(status(runDir))})`, () => {
      const s = status(runDir);
      return s && s.state !== 'running' ? s : undefined;
    }, 60_000);
    assert.equal(st.state, 'cancelled');
    await vscode.commands.executeCommand('notifications.clearAll');
    await Promise.race([trainDone, sleep(15_000).then(() => { throw new Error('bnn.train did not end after the run stopped'); })]);
    const steps = stepEvents(runDir);
    await sleep(3000);
    assert.equal(stepEvents(runDir), steps, 'no more steps after the stop');
  });
});
