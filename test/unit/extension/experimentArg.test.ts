import { strict as assert } from 'node:assert';
import { experimentArg } from '../../../src/extension/experimentArg';

/** What vscode.Uri.file('/w/.bnn/experiments/run') exposes (its `path` differs from fsPath on Windows). */
const uri = (fsPath: string) => ({ scheme: 'file', authority: '', path: `/uri${fsPath}`, query: '', fragment: '', fsPath });

describe('experiment command arguments (one rule for every command)', () => {
  it('reads every shape a command is invoked with', () => {
    assert.equal(experimentArg('20261126-140509-mlp-bop'), '20261126-140509-mlp-bop');
    assert.equal(experimentArg({ kind: 'experiment', experimentDir: '/w/run', info: { dir: '/other' } }), '/w/run', 'a tree node');
    assert.equal(experimentArg(uri('/w/run')), '/w/run', 'a Uri: its fsPath, not its path');
    assert.equal(experimentArg({ resourceUri: uri('/w/r2') }), '/w/r2');
    assert.equal(experimentArg({ id: 'abc' }), 'abc');
    assert.equal(experimentArg({ experimentId: 'abc' }), 'abc');
    assert.equal(experimentArg({ info: { dir: '/w/r3', id: 'r3' } }), '/w/r3');
    assert.equal(experimentArg({ experiment: { id: 'r4' } }), 'r4');
  });

  it('names nothing for what is not an experiment argument', () => {
    for (const v of [undefined, null, '', '   ', 42, [], ['/w/run'], {}, { dir: 7 }, { label: 'x' }]) assert.equal(experimentArg(v), undefined, JSON.stringify(v));
    const deep: Record<string, unknown> = {};
    deep.info = deep;
    assert.equal(experimentArg(deep), undefined, 'a cyclic object ends');
  });
});
