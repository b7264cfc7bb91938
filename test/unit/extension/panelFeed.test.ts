import { strict as assert } from 'node:assert';
import { sampleInit } from '../../support/experimentInit';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createExperiment, renameExperiment, updateStatus, writeDeviceResult } from '../../../src/core/experiments/store';
import { MetricsWriter } from '../../../src/core/experiments/metrics';
import type { HostToWebview } from '../../../src/core/messages';
import type { MetricsEvent } from '../../../src/core/experiments/types';
import { HISTORY_CHUNK, PanelFeed } from '../../../src/extension/panelFeed';

const init = sampleInit;
const step = (n: number): MetricsEvent => ({ kind: 'step', step: n, epoch: 0, time: n, loss: 1 / n, accuracy: 0.5, flipRatio: { d1: 0.001 }, lr: 0.01, samplesPerSec: 100 });
const epochEv = (n: number): MetricsEvent => ({ kind: 'epoch', step: n, epoch: 0, time: n, loss: 0.5, accuracy: 0.6, valLoss: 0.55, valAccuracy: 0.58 });
const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

function recorder(live = false) {
  const posted: HostToWebview[] = [];
  const warnings: string[] = [];
  return { posted, warnings, host: { post: (m: HostToWebview) => posted.push(m), isLive: () => live, warn: (w: string) => warnings.push(w), pollMs: 10 } };
}
const stepsSent = (posted: HostToWebview[]) => posted.flatMap((m) => (m.type === 'metrics' ? m.events.filter((e) => e.kind === 'step').map((e) => e.step) : []));
async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('training panel feed (history, then live without gaps or duplicates)', () => {
  let root: string;
  beforeEach(() => { root = mkdtempSync(path.join(tmpdir(), 'bnn-feed-')); });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('opens a killed run: full history in chunks, the truncated last line ignored, shown as interrupted', async () => {
    const exp = createExperiment(root, init(), { pid: 2 ** 22 + 4321 });
    const w = new MetricsWriter(exp.dir);
    w.append(range(1, 12_000).map(step));
    w.close();
    appendFileSync(path.join(exp.dir, 'metrics.jsonl'), '{"kind":"step","step":12001,"ep');
    const r = recorder();
    const feed = new PanelFeed([exp.dir], r.host);
    await feed.load();
    const [init0, ...rest] = r.posted;
    assert.equal(init0.type, 'init');
    assert.equal(init0.type === 'init' && init0.runs[0].status.state, 'interrupted');
    assert.deepEqual(rest.map((m) => (m.type === 'metrics' ? m.events.length : -1)), [HISTORY_CHUNK, HISTORY_CHUNK, 2_000]);
    assert.deepEqual(stepsSent(r.posted), range(1, 12_000));
    feed.dispose();
  });

  it('follows a run written by another process: sends exactly the lines appended after it opened', async () => {
    const exp = createExperiment(root, init());
    const w = new MetricsWriter(exp.dir);
    w.append(range(1, 50).map(step));
    const r = recorder();
    const feed = new PanelFeed([exp.dir], r.host);
    try {
      await feed.load();
      w.append(range(51, 60).map(step));
      w.append(epochEv(60));
      await until(() => stepsSent(r.posted).length === 60);
      assert.deepEqual(stepsSent(r.posted), range(1, 60));
      assert.ok(r.posted.some((m) => m.type === 'metrics' && m.events.some((e) => e.kind === 'epoch' && e.step === 60)));
      // The run ends and a device result is saved: status and result reach the panel once.
      updateStatus(exp.dir, { state: 'completed', endedAt: new Date().toISOString(), final: { valAccuracy: 0.58 } });
      writeDeviceResult(exp.dir, { board: 'qemu-stm32', time: new Date().toISOString(), samples: 100, deviceAccuracy: 0.58, hostAccuracy: 0.58, agreement: 1, latency: { median: 1, p90: 1, unit: 'instructions (emulated)' }, flash: { modelArrays: 1, modelEstimate: 1, firmwareTotal: 9 }, ram: { modelArrays: 1, modelEstimate: 1, firmwareTotal: 9 }, modelHash: '0123456789abcdef' });
      await feed.refreshFromDisk(exp.id);
      await feed.refreshFromDisk(exp.id);
      assert.equal(r.posted.filter((m) => m.type === 'device').length, 1);
      const last = r.posted.filter((m) => m.type === 'status').at(-1);
      assert.equal(last?.type === 'status' && last.status.state, 'completed');
    } finally {
      w.close();
      feed.dispose();
    }
  });

  it('with live IPC events: holds them back while the history loads, then drops those the history had', async () => {
    const exp = createExperiment(root, init());
    const w = new MetricsWriter(exp.dir);
    w.append(range(1, 30).map(step));
    w.close();
    const r = recorder(true);
    const feed = new PanelFeed([exp.dir], r.host);
    const loading = feed.load();
    // The trainer keeps sending while the file is read: 25..35 overlap the history (1..30).
    feed.sendLive(exp.id, range(25, 35).map(step));
    await loading;
    feed.sendLive(exp.id, [step(36)]);
    feed.sendLive(exp.id, [step(36)]);
    assert.deepEqual(stepsSent(r.posted), range(1, 36));
    feed.dispose();
  });

  it('a renamed run: the panel gets the new config once, and the tab its new title', async () => {
    const exp = createExperiment(root, init(), { pid: 2 ** 22 + 4321 });
    const r = recorder();
    const titles: string[] = [];
    const feed = new PanelFeed([exp.dir], { ...r.host, loaded: (s) => titles.push(s[0]?.config.name ?? s[0]?.id) });
    await feed.load();
    renameExperiment(exp.dir, 'my run');
    await feed.refreshFromDisk(exp.id);
    await feed.refreshFromDisk(exp.id);
    const configs = r.posted.filter((m) => m.type === 'config');
    assert.equal(configs.length, 1, 'sent once, not on every status change');
    assert.equal(configs[0].type === 'config' && configs[0].config.name, 'my run');
    assert.deepEqual(titles, [exp.id, 'my run']);
    feed.dispose();
  });

  it('says which experiment it cannot show', async () => {
    const exp = createExperiment(root, init());
    writeFileSync(path.join(exp.dir, 'config.json'), '{ broken');
    const r = recorder();
    const feed = new PanelFeed([exp.dir], r.host);
    await feed.load();
    const notice = r.posted.find((m) => m.type === 'notice');
    assert.match(notice?.type === 'notice' ? notice.text : '', new RegExp(`Cannot show ${exp.id}: its config.json or status.json is missing or unreadable`));
    feed.dispose();
  });
});
