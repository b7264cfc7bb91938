/** Experiment folder → the RunSummary the training panel receives (messages.ts), with the displayed state applied. */
import type { RunSummary } from '../messages';
import { listDeviceResults, readExperiment, type ReadOptions } from './store';

/** Undefined when config.json or status.json is unreadable (the panel cannot draw such a run; the tree shows why). */
export async function readRunSummary(experimentDir: string, opts: ReadOptions = {}): Promise<RunSummary | undefined> {
  const info = await readExperiment(experimentDir, { ...opts, scanMetrics: false });
  if (!info.config || !info.status || info.state === 'unreadable') return undefined;
  const devices = (await listDeviceResults(experimentDir)).flatMap((d) => (d.result ? [d.result] : []));
  return { id: info.id, config: info.config, status: { ...info.status, state: info.state }, devices };
}
