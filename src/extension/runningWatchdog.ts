/**
 * A safety net under the file watcher for runs shown as running. VS Code's watcher can miss events below a folder
 * tree created in one go (the first run in a workspace without `.bnn/`), and a missed status.json change would leave
 * a finished run spinning in the tree and the panel forever. While any listed experiment is running, its status.json
 * is stat'ed once a second; a change the watcher did not report is reported here. Nothing runs when no run is.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { STATUS_FILE } from '../core/experiments/types';
import type { ExperimentInfo } from '../core/experiments/store';

export interface RunningExperimentsSource {
  experiments(): Promise<ExperimentInfo[]>;
}

export class RunningExperimentsWatchdog {
  /** status.json's "mtime:size" per running experiment id, as last seen. */
  private readonly seen = new Map<string, { dir: string; stamp: string }>();
  private timer?: ReturnType<typeof setInterval>;

  constructor(private readonly source: RunningExperimentsSource, private readonly onChange: (id: string) => void, private readonly periodMs = 1000) {}

  /** Re-reads which experiments are running; called after every tree refresh. */
  async track(): Promise<void> {
    const running = (await this.source.experiments()).filter((i) => i.state === 'running');
    const ids = new Set(running.map((i) => i.id));
    for (const id of [...this.seen.keys()]) if (!ids.has(id)) this.seen.delete(id);
    for (const info of running) if (!this.seen.has(info.id)) this.seen.set(info.id, { dir: info.dir, stamp: stampOf(info.dir) });
    if (this.seen.size > 0 && !this.timer) this.timer = setInterval(() => this.check(), this.periodMs);
    if (this.seen.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  /** One poll: reports every running experiment whose status.json changed since it was last seen. */
  check(): void {
    for (const [id, entry] of this.seen) {
      const stamp = stampOf(entry.dir);
      if (stamp === entry.stamp) continue;
      entry.stamp = stamp;
      this.onChange(id);
    }
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.seen.clear();
  }
}

function stampOf(dir: string): string {
  try {
    const st = fs.statSync(path.join(dir, STATUS_FILE));
    return `${st.mtimeMs}:${st.size}`;
  } catch {
    return 'missing';
  }
}
