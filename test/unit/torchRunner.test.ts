/**
 * Which Python "Train with PyTorch" runs: the bnnStudio.python setting when set, else the first of Debian's
 * /usr/bin/python3 and python3 on PATH that imports torch — probed for real, against interpreters that do and do not.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findTorchPython, probeTorchPython } from '../../src/core/interop/torchRunner';
import { requirePythonModule } from '../support/tools';

const DEBIAN = '/usr/bin/python3';

describe('Train with PyTorch: which Python', () => {
  let noTorch: string;
  before(function () {
    this.timeout(60_000);
    requirePythonModule(this, DEBIAN, 'torch', 'apt-get install python3-torch');
    // an interpreter without torch: Debian's Python with the import of torch made to fail
    const dir = mkdtempSync(join(tmpdir(), 'bnn-notorch-'));
    writeFileSync(join(dir, 'torch.py'), 'raise ImportError("no torch in this environment")\n');
    noTorch = join(dir, 'python-without-torch');
    writeFileSync(noTorch, `#!/bin/sh\nPYTHONPATH=${JSON.stringify(dir)} exec ${DEBIAN} "$@"\n`);
    chmodSync(noTorch, 0o755);
  });

  it('takes the first default interpreter that imports torch, skipping one that does not', async function () {
    this.timeout(60_000);
    const p = await findTorchPython(undefined, [noTorch, DEBIAN]);
    assert.equal(p.ok, true, p.message);
    assert.equal(p.python, DEBIAN);
    assert.equal(p.torch, execFileSync(DEBIAN, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' }).trim());
  });

  it('uses the setting\'s interpreter or says why not, and never falls back to another', async function () {
    this.timeout(60_000);
    const p = await findTorchPython(noTorch);
    assert.equal(p.ok, false);
    assert.equal(p.python, noTorch);
    assert.match(p.message!, /has no torch \(ImportError: no torch in this environment\)/);
    assert.match(p.message!, /apt-get install python3-torch/);
    const missing = await probeTorchPython('/nonexistent/python3');
    assert.equal(missing.ok, false);
    assert.match(missing.message!, /no Python interpreter at '\/nonexistent\/python3'/);
  });
});
