import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { importKerasModel } from '../../src/core/interop/keras';
import { loadImportedModelText } from '../../src/core/interop/importedModel';

const N = 100_000;
const kerasDeep = `{"class_name":"Sequential","config":{"layers":[{"class_name":"Dense","config":${'{"a":'.repeat(N)}1${'}'.repeat(N)}}]}}`;

describe('files nested 100,000 levels deep', () => {
  it('are refused by the Keras/TF.js importer with a message, not a stack overflow', () => {
    const r = importKerasModel(kerasDeep, 'deep.keras.json');
    assert.equal(r.spec, undefined);
    assert.equal(r.problems.length, 1);
    assert.match(r.problems[0].message, /deep\.keras\.json: nested more than 64 levels deep/);
  });

  it('do not take down the Models view (imported-model diagnostics)', () => {
    const m = loadImportedModelText(kerasDeep, 'deep.keras.json');
    assert.equal(m.spec, undefined);
    assert.match(m.diagnostics[0].message, /nested more than 64 levels/);
  });

  it('give `bnn validate` and `bnn summary` a positioned error and exit 1, without "internal error"', () => {
    const bin = path.join(__dirname, '..', '..', 'bin', 'bnn.js');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-deep-')), 'deep.bnn.json');
    fs.writeFileSync(file, '['.repeat(N) + ']'.repeat(N));
    for (const cmd of ['validate', 'summary']) {
      const r = spawnSync(process.execPath, [bin, cmd, file], { encoding: 'utf8' });
      assert.equal(r.status, 1, `${cmd}: ${r.stderr}`);
      assert.match(r.stdout + r.stderr, new RegExp(`deep\\.bnn\\.json:1:65: error: nested more than 64 levels deep`));
      assert.doesNotMatch(r.stdout + r.stderr, /internal error|RangeError/);
    }
  });
});
