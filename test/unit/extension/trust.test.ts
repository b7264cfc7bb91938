import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkTrust, MANAGE_TRUST, trustedValue, type TrustApi } from '../../../src/extension/trustPolicy';

const root = join(__dirname, '..', '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

function fakeApi(isTrusted: boolean, answer?: string): TrustApi & { shown: string[]; ran: string[] } {
  const shown: string[] = [];
  const ran: string[] = [];
  return {
    isTrusted, shown, ran,
    showWarningMessage: async (message) => { shown.push(message); return answer; },
    executeCommand: async (command) => { ran.push(command); },
  };
}

describe('workspace trust', () => {
  it('restricts exactly the settings that name programs: every bnnStudio.tools.* and bnnStudio.python', () => {
    const props: Record<string, { scope?: string }> = pkg.contributes.configuration.properties;
    const programSettings = Object.keys(props).filter((k) => k.startsWith('bnnStudio.tools.') || k === 'bnnStudio.python').sort();
    assert.ok(programSettings.length >= 7, programSettings.join(', '));
    const trust = pkg.capabilities?.untrustedWorkspaces;
    assert.equal(trust?.supported, 'limited');
    // VS Code shows this in the Extensions view and the trust editor: it must say what still works and what does not.
    for (const what of [/shows models/, /estimates/, /charts of existing runs/, /will not train/, /compile to C/, /emulated board/, /flash a board/, /ignores the workspace's bnnStudio\.tools\.\* and bnnStudio\.python/]) assert.match(trust.description, what);
    assert.deepEqual([...trust.restrictedConfigurations].sort(), programSettings);
    for (const k of programSettings) assert.ok(['machine', 'machine-overridable'].includes(props[k].scope ?? ''), `${k} scope: ${props[k].scope}`);
  });

  it('refuses when untrusted, offering to manage trust, and runs nothing unless asked', async () => {
    const api = fakeApi(false);
    let ran = false;
    const command = async () => { if (!(await checkTrust(api, 'training'))) return; ran = true; };
    await command();
    assert.equal(ran, false);
    assert.equal(api.shown.length, 1);
    assert.match(api.shown[0], /^BNN Studio: training runs programs.*trust this workspace/);
    assert.deepEqual(api.ran, []);
  });

  it('opens the trust editor when the button is chosen, still refusing this time', async () => {
    const api = fakeApi(false, MANAGE_TRUST);
    assert.equal(await checkTrust(api, 'flashing a board'), false);
    assert.deepEqual(api.ran, ['workbench.trust.manage']);
  });

  it('allows silently when trusted', async () => {
    const api = fakeApi(true);
    assert.equal(await checkTrust(api, 'training'), true);
    assert.deepEqual(api.shown, []);
  });

  it('ignores workspace and folder values of a setting unless trusted', () => {
    const inspected = { defaultValue: '', globalValue: '/usr/bin/openocd', workspaceValue: './evil.sh', workspaceFolderValue: './evil2.sh' };
    assert.equal(trustedValue(inspected, false), '/usr/bin/openocd');
    assert.equal(trustedValue({ defaultValue: '', workspaceValue: './evil.sh' }, false), '');
    assert.equal(trustedValue(inspected, true), './evil2.sh');
    assert.equal(trustedValue({ defaultValue: '', globalValue: '/g', workspaceValue: '/w' }, true), '/w');
    assert.equal(trustedValue(undefined, true), undefined);
  });

  it('checks trust in every extension command that runs programs, and reads program settings only through trustedSetting', () => {
    const src = (f: string) => readFileSync(join(root, 'src', 'extension', f), 'utf8');
    assert.match(src('training.ts'), /'bnn\.train',[^]*?requireTrust\(/);
    assert.match(src('training.ts'), /'bnn\.resumeExperiment',[^]*?requireTrust\(/);
    assert.match(src('device.ts'), /function runOnEmulator[^]*?requireTrust\(/);
    assert.match(src('flash.ts'), /function flashToBoard[^]*?requireTrust\(/);
    assert.match(src('interop.ts'), /function trainWithLarq[^]*?requireTrust\(/);
    assert.match(src('compile.ts'), /'bnn\.compile',[^]*?requireTrust\(/);
    for (const f of ['device.ts', 'flash.ts', 'interop.ts']) {
      assert.doesNotMatch(src(f), /getConfiguration\('bnnStudio\.tools'\)|get<string>\('python'\)/, f);
    }
  });
});
