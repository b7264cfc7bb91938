import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

function files(dir: string): string[] {
  if (!existsSync(dir)) return []; // webview/ arrives with the charts branch
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const root = join(__dirname, '..', '..');

describe('architecture rules', () => {
  it('src/core never imports vscode (it is shared by the CLI and the workers)', () => {
    const offenders = files(join(root, 'src', 'core')).filter((f) => /from\s+['"]vscode['"]|require\(\s*['"]vscode['"]\s*\)/.test(readFileSync(f, 'utf8')));
    assert.deepEqual(offenders, []);
  });

  it('the webview bundle imports neither Node nor vscode', () => {
    const offenders = files(join(root, 'webview')).filter((f) => /from\s+['"](vscode|node:[^'"]+|fs|path|child_process|os)['"]/.test(readFileSync(f, 'utf8')));
    assert.deepEqual(offenders, []);
  });
});
