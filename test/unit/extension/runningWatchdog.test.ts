import { strict as assert } from 'node:assert';
import { sampleInit } from '../../support/experimentInit';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createExperiment, listExperiments, updateStatus } from '../../../src/core/experiments/store';
import { RunningExperimentsWatchdog } from '../../../src/extension/runningWatchdog';

const init = sampleInit;

describe('RunningExperimentsWatchdog (safety net for missed watcher events)', () => {
  let root: string;
  beforeEach(() => { root = mkdtempSync(path.join(tmpdir(), 'bnn-watchdog-')); });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('reports a running experiment whose status.json changed, once per change, and forgets it when it is no longer running', async () => {
    const { dir, id } = createExperiment(root, init());
    const changed: string[] = [];
    const dog = new RunningExperimentsWatchdog({ experiments: () => listExperiments(root) }, (i) => changed.push(i), 60_000);
    try {
      await dog.track();
      dog.check();
      assert.deepEqual(changed, [], 'nothing changed yet');
      await new Promise((r) => setTimeout(r, 20));
      updateStatus(dir, { state: 'completed' });
      dog.check();
      dog.check();
      assert.deepEqual(changed, [id]);
      await dog.track();
      updateStatus(dir, { state: 'failed', error: { message: 'x' } });
      dog.check();
      assert.deepEqual(changed, [id], 'a finished run is no longer polled');
    } finally {
      dog.dispose();
    }
  });

  it('polls nothing when no experiment is running', async () => {
    const { dir } = createExperiment(root, init());
    updateStatus(dir, { state: 'completed' });
    const changed: string[] = [];
    const dog = new RunningExperimentsWatchdog({ experiments: () => listExperiments(root) }, (i) => changed.push(i), 5);
    await dog.track();
    await new Promise((r) => setTimeout(r, 30));
    dog.dispose();
    assert.deepEqual(changed, []);
  });
});
