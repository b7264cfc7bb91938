import * as assert from 'node:assert/strict';
import { guardGraphViewMessage, guardWebviewMessage, pngDataUrlToBytes, MAX_PNG_DATA_URL } from '../../src/core/webviewMessageGuard';

const ids = new Set(['20261126-140000-mlp-bop', 'run-2']);
const ok = (m: unknown) => { const r = guardWebviewMessage(m, ids); assert.ok(r.ok, r.ok ? '' : r.error); return r; };
const bad = (m: unknown, re: RegExp) => { const r = guardWebviewMessage(m, ids); assert.ok(!r.ok, `accepted ${JSON.stringify(m)?.slice(0, 80)}`); assert.match(r.error, re); };
// 1×1 transparent PNG.
const PNG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

describe('webview → host message guard', () => {
  it('accepts every well-formed message', () => {
    ok({ v: 1, type: 'ready' });
    for (const type of ['stop', 'resume', 'compile', 'flash', 'runEmulated']) ok({ v: 1, type, experimentId: 'run-2' });
    ok({ v: 1, type: 'exportCsv', experimentIds: ['run-2', '20261126-140000-mlp-bop'] });
    ok({ v: 1, type: 'saveFile', kind: 'png', name: 'loss.png', data: PNG });
    ok({ v: 1, type: 'saveFile', kind: 'csv', name: 'metrics.csv', data: 'a,b\r\n' });
  });

  it('returns only the known fields (extra properties are dropped)', () => {
    const r = ok({ v: 1, type: 'stop', experimentId: 'run-2', evil: 'x' });
    assert.deepEqual(r.ok && r.message, { v: 1, type: 'stop', experimentId: 'run-2' });
  });

  it('rejects non-objects, other versions and unknown types', () => {
    bad(null, /must be an object/);
    bad('ready', /must be an object/);
    bad([], /must be an object, got an array/);
    bad({ type: 'ready' }, /protocol version undefined/);
    bad({ v: 2, type: 'ready' }, /protocol version/);
    bad({ v: 1, type: 'deleteEverything' }, /unknown message type "deleteEverything"/);
    bad({ v: 1 }, /unknown message type undefined/);
  });

  it('refuses experiment ids that are malformed or not shown in this panel', () => {
    bad({ v: 1, type: 'stop' }, /stop: experimentId must be an experiment id, got undefined/);
    bad({ v: 1, type: 'flash', experimentId: 42 }, /got number/);
    bad({ v: 1, type: 'resume', experimentId: '../../etc' }, /must be an experiment id/);
    bad({ v: 1, type: 'resume', experimentId: 'a/b' }, /must be an experiment id/);
    bad({ v: 1, type: 'compile', experimentId: 'other-run' }, /"other-run" is not shown in this panel/);
    bad({ v: 1, type: 'exportCsv', experimentIds: [] }, /non-empty array/);
    bad({ v: 1, type: 'exportCsv', experimentIds: ['run-2', 'x'] }, /"x" is not shown/);
  });

  it('checks saved file names and payloads', () => {
    bad({ v: 1, type: 'saveFile', kind: 'svg', name: 'a.svg', data: '' }, /kind must be "png" or "csv"/);
    bad({ v: 1, type: 'saveFile', kind: 'png', name: '../a.png', data: PNG }, /plain file name/);
    bad({ v: 1, type: 'saveFile', kind: 'png', name: '/tmp/a.png', data: PNG }, /plain file name/);
    bad({ v: 1, type: 'saveFile', kind: 'png', name: '.bashrc.png', data: PNG }, /plain file name/);
    bad({ v: 1, type: 'saveFile', kind: 'png', name: 'a.csv', data: PNG }, /must end in \.png/);
    bad({ v: 1, type: 'saveFile', kind: 'png', name: 'a.png', data: 'data:text/html;base64,AAAA' }, /data:image\/png;base64/);
    bad({ v: 1, type: 'saveFile', kind: 'png', name: 'a.png', data: 'data:image/png;base64,@@@@' }, /not valid base64/);
    bad({ v: 1, type: 'saveFile', kind: 'png', name: 'a.png', data: 'data:image/png;base64,' + 'A'.repeat(MAX_PNG_DATA_URL) }, /larger than/);
    bad({ v: 1, type: 'saveFile', kind: 'csv', name: 'a.csv', data: 7 }, /data must be a string/);
    bad({ v: 1, type: 'saveFile', kind: 'csv', name: 'x'.repeat(300) + '.csv', data: '' }, /1–200 characters/);
  });

  it('decodes a PNG data URL and refuses non-PNG bytes', () => {
    assert.equal(pngDataUrlToBytes(PNG)[1], 0x50);
    assert.throws(() => pngDataUrlToBytes('data:image/png;base64,AAAAAAAAAAAA'), /not a PNG/);
  });
});

describe('graph view → host message guard', () => {
  const gOk = (m: unknown, n = 5) => { const r = guardGraphViewMessage(m, n); assert.ok(r.ok, r.ok ? '' : r.error); return r.ok ? r.message : undefined; };
  const gBad = (m: unknown, re: RegExp, n = 5) => { const r = guardGraphViewMessage(m, n); assert.ok(!r.ok, `accepted ${JSON.stringify(m)}`); assert.match(r.error, re); };

  it('accepts ready and a reveal of one of the model\'s layers, keeping only the known fields', () => {
    assert.deepEqual(gOk({ v: 1, type: 'ready' }), { v: 1, type: 'ready' });
    assert.deepEqual(gOk({ v: 1, type: 'reveal', layer: 0, extra: 'x' }), { v: 1, type: 'reveal', layer: 0 });
    assert.deepEqual(gOk({ v: 1, type: 'reveal', layer: 4 }), { v: 1, type: 'reveal', layer: 4 });
  });

  it('refuses layers the model does not have, non-integers and other messages', () => {
    gBad({ v: 1, type: 'reveal', layer: 5 }, /layer 5 is past the model's 5 layers/);
    gBad({ v: 1, type: 'reveal', layer: 0 }, /past the model's 0 layers/, 0);
    gBad({ v: 1, type: 'reveal', layer: -1 }, /integer ≥ 0/);
    gBad({ v: 1, type: 'reveal', layer: 1.5 }, /integer ≥ 0/);
    gBad({ v: 1, type: 'reveal', layer: '1' }, /got "1"/);
    gBad({ v: 1, type: 'reveal' }, /got undefined/);
    gBad({ v: 1, type: 'stop', experimentId: 'run-2' }, /unknown message type "stop"/);
    gBad({ v: 2, type: 'ready' }, /protocol version/);
    gBad(null, /must be an object/);
  });
});
