/**
 * What the training panel is sent, and when: a run's summary and full history from its folder, then only what is new
 * — from the trainer's IPC events when this window runs the training, otherwise by following metrics.jsonl (runs
 * started from the CLI or the exported Larq script). Live events that arrive while the history is being read are
 * held back and sent after it, minus those the history already held, so the panel catches up without gaps or
 * duplicates. No `vscode` import: the unit tests drive it against real experiment folders.
 */
import * as path from 'node:path';
import type { HostToWebview, RunSummary } from '../core/messages';
import { METRICS_FILE, type MetricsEvent } from '../core/experiments/types';
import { listDeviceResults } from '../core/experiments/store';
import { followMetrics, readMetrics, type Follower } from '../core/experiments/metrics';
import { readRunSummary } from '../core/experiments/runSummary';

/** History goes to the webview in chunks: one 100,000-event message would block both sides for a long moment. */
export const HISTORY_CHUNK = 5_000;

interface RunFeed {
  dir: string;
  /** Newest step of each event kind already sent: anything at or before it is not sent again. */
  lastStep: { step: number; epoch: number };
  follower?: Follower;
  deviceCount: number;
  /** The display name last sent (a rename re-sends the config). */
  name?: string;
}

export interface PanelFeedHost {
  post(msg: HostToWebview): void;
  /** True when this window's trainer delivers the run's events over IPC (then the file is not followed). */
  isLive(id: string): boolean;
  warn(message: string): void;
  /** The runs' summaries as read, to title the panel (labels.ts runTitle). */
  loaded?(summaries: RunSummary[]): void;
  /** Poll interval of the metrics.jsonl follower. */
  pollMs?: number;
}

export class PanelFeed {
  readonly runs = new Map<string, RunFeed>();
  private loading?: Promise<void>;
  private buffered: { id: string; ev: MetricsEvent }[] = [];

  constructor(dirs: string[], private readonly host: PanelFeedHost) {
    for (const d of dirs) this.runs.set(path.basename(d), { dir: d, lastStep: { step: -Infinity, epoch: -Infinity }, deviceCount: 0 });
  }

  dirOf(id: string): string | undefined {
    return this.runs.get(id)?.dir;
  }

  /** (Re)sends everything: the webview asks on every load, including after a window reload. */
  load(): Promise<void> {
    const p = this.doLoad().finally(() => { if (this.loading === p) this.loading = undefined; });
    this.loading = p;
    return p;
  }

  private async doLoad(): Promise<void> {
    this.stopFollowing();
    const summaries: RunSummary[] = [];
    const missing: string[] = [];
    for (const [id, feed] of this.runs) {
      const s = await readRunSummary(feed.dir).catch(() => undefined);
      if (s) {
        summaries.push(s);
        feed.deviceCount = s.devices.length;
        feed.name = s.config.name;
      } else {
        missing.push(id);
      }
    }
    this.host.post({ v: 1, type: 'init', runs: summaries, history: {} });
    this.host.loaded?.(summaries);
    if (missing.length) this.host.post({ v: 1, type: 'notice', level: 'error', text: `Cannot show ${missing.join(', ')}: its config.json or status.json is missing or unreadable.` });
    for (const s of summaries) {
      const feed = this.runs.get(s.id)!;
      const m = await readMetrics(feed.dir);
      feed.lastStep = { step: -Infinity, epoch: -Infinity };
      for (let i = 0; i < m.events.length; i += HISTORY_CHUNK) this.host.post({ v: 1, type: 'metrics', experimentId: s.id, events: m.events.slice(i, i + HISTORY_CHUNK) });
      this.noteSent(feed, m.events);
      if (m.issues.length) this.host.warn(`${s.id}/${METRICS_FILE}: skipped ${m.issues.length} malformed line(s), first at line ${m.issues[0].line}: ${m.issues[0].message}`);
      if (s.status.state === 'running' && !this.host.isLive(s.id)) {
        feed.follower = followMetrics(path.join(feed.dir, METRICS_FILE), (events, info) => {
          if (info.reset) feed.lastStep = { step: -Infinity, epoch: -Infinity };
          this.sendLive(s.id, events);
        }, { fromOffset: m.offset, pollMs: this.host.pollMs ?? 100 });
      }
    }
    const buffered = this.buffered;
    this.buffered = [];
    this.loading = undefined;
    for (const { id, ev } of buffered) this.sendLive(id, [ev]);
  }

  private noteSent(feed: RunFeed, events: readonly MetricsEvent[]): void {
    for (const ev of events) if (ev.step > feed.lastStep[ev.kind]) feed.lastStep[ev.kind] = ev.step;
  }

  /** Live events (IPC or file), minus those already sent. */
  sendLive(id: string, events: MetricsEvent[]): void {
    const feed = this.runs.get(id);
    if (!feed || events.length === 0) return;
    if (this.loading) {
      for (const ev of events) this.buffered.push({ id, ev });
      return;
    }
    const fresh = events.filter((ev) => ev.step > feed.lastStep[ev.kind]);
    if (fresh.length === 0) return;
    this.noteSent(feed, fresh);
    this.host.post({ v: 1, type: 'metrics', experimentId: id, events: fresh });
  }

  /** status.json or device results changed on disk: send the new status and any new device results. */
  async refreshFromDisk(id: string): Promise<void> {
    const feed = this.runs.get(id);
    if (!feed || this.loading) return;
    const s = await readRunSummary(feed.dir).catch(() => undefined);
    if (!s) return;
    this.host.post({ v: 1, type: 'status', experimentId: id, status: s.status });
    if (s.config.name !== feed.name) {
      feed.name = s.config.name;
      this.host.post({ v: 1, type: 'config', experimentId: id, config: s.config });
      if (this.runs.size === 1) this.host.loaded?.([s]);
    }
    if (s.status.state !== 'running' && feed.follower) {
      // The trainer's last lines may still be on their way: read once more, then stop.
      const f = feed.follower;
      feed.follower = undefined;
      await f.flush();
      f.dispose();
    }
    const devices = (await listDeviceResults(feed.dir)).flatMap((d) => (d.result ? [d.result] : [])).sort((a, b) => a.time.localeCompare(b.time));
    for (const d of devices.slice(feed.deviceCount)) this.host.post({ v: 1, type: 'device', experimentId: id, result: d });
    feed.deviceCount = devices.length;
  }

  stopFollowing(): void {
    for (const f of this.runs.values()) {
      f.follower?.dispose();
      f.follower = undefined;
    }
  }

  dispose(): void {
    this.stopFollowing();
  }
}
