/** Figures in the training panel's header (webview/header.ts, webview/format.ts) that read wrong before. */
import { strict as assert } from 'node:assert';
import { runDuration } from '../../webview/header';
import { fmtDuration } from '../../webview/format';
import type { RunSummary } from '../../src/core/messages';

const summary = (status: Partial<RunSummary['status']>): RunSummary => ({ id: 'r', config: {} as RunSummary['config'], status: { state: 'completed', startedAt: '', updatedAt: '', epoch: 1, step: 1, ...status }, devices: [] });

describe('training panel header figures', () => {
  it('a short run reads to a tenth of a second; longer ones in minutes and seconds', () => {
    assert.equal(fmtDuration(10_700), '10.7s');
    assert.equal(fmtDuration(4_049), '4.0s');
    assert.equal(fmtDuration(59_960), '1m 00s');
    assert.equal(fmtDuration(125_000), '2m 05s');
  });

  it('“took” is the training time over all sessions of a resumed run, not only the last session’s start to end', () => {
    // resumed: the last session ran 4 s, the run's clock (carried over from the first session) ended at 10.7 s
    const resumed = { summary: summary({ startedAt: '2026-01-01T00:00:00.000Z', endedAt: '2026-01-01T00:00:04.000Z' }), lastEpoch: { kind: 'epoch', step: 9, epoch: 2, time: 10_700, loss: 1, accuracy: 1 } as const };
    assert.equal(runDuration(resumed), 10_700);
    // one session: its wall time (setup included) is the longer figure
    const single = { summary: summary({ startedAt: '2026-01-01T00:00:00.000Z', endedAt: '2026-01-01T00:00:12.000Z' }), lastEpoch: { kind: 'epoch', step: 9, epoch: 2, time: 10_700, loss: 1, accuracy: 1 } as const };
    assert.equal(runDuration(single), 12_000);
    assert.equal(runDuration({ summary: summary({ state: 'running', startedAt: '2026-01-01T00:00:00.000Z' }) }), undefined);
  });
});
