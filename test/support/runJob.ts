/** Runs a training job in-process as the worker would, collecting every message (training, parallel and recalibration tests). */
import type { WorkerToHost } from '../../src/core/messages';
import type { DataParallel } from '../../src/core/train/parallel';
import { runTraining, type TrainJob } from '../../src/core/train/trainer';

export interface RunJobOptions {
  /** Cancel once this many step events have been emitted. */
  cancelAt?: number;
  onThreads?: (dp: DataParallel, steps: () => number) => void;
}

export async function runJob(j: TrainJob, opts: RunJobOptions = {}) {
  const msgs: WorkerToHost[] = [];
  let steps = 0;
  const status = await runTraining(j, {
    emit: (m) => { msgs.push(m); if (m.type === 'metrics' && m.event.kind === 'step') steps++; },
    cancelled: () => opts.cancelAt !== undefined && steps >= opts.cancelAt,
    threadsStarted: (dp) => opts.onThreads?.(dp, () => steps),
  });
  const started = msgs.find((m) => m.type === 'started') as Extract<WorkerToHost, { type: 'started' }>;
  return { status, msgs, dir: started.experimentDir, started };
}
