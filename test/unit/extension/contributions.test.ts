import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BOARDS, DEFAULT_BOARD_ID } from '../../../src/core/boards';

const root = join(__dirname, '..', '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const extensionSources = readdirSync(join(root, 'src', 'extension'), { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.ts'))
  .map((f) => readFileSync(join(root, 'src', 'extension', f), 'utf8'))
  .join('\n');

describe('package.json contributions (extension manifest)', () => {
  it('never activates on startup or on everything', () => {
    const events: string[] = pkg.activationEvents;
    assert.ok(!events.includes('*') && !events.includes('onStartupFinished'), events.join(', '));
    assert.ok(events.includes('workspaceContains:**/*.bnn.json'));
  });

  it('gives every command the BNN category and registers it in src/extension', () => {
    for (const c of pkg.contributes.commands as { command: string; category: string; title: string }[]) {
      assert.equal(c.category, 'BNN', c.command);
      assert.ok(c.title.length > 0);
      assert.ok(new RegExp(`registerCommand\\(\\s*['"]${c.command.replace('.', '\\.')}['"]`).test(extensionSources), `${c.command} is contributed but never registered`);
    }
    for (const id of ['bnn.newModel', 'bnn.showSummary', 'bnn.selectBoard', 'bnn.refreshModels', 'bnn.revealLayer']) {
      assert.ok(pkg.contributes.commands.some((c: { command: string }) => c.command === id), id);
    }
  });

  it('only puts contributed commands in menus', () => {
    const ids = new Set(pkg.contributes.commands.map((c: { command: string }) => c.command));
    for (const [menu, items] of Object.entries(pkg.contributes.menus as Record<string, { command: string }[]>)) {
      for (const it of items) assert.ok(ids.has(it.command), `${menu}: ${it.command}`);
    }
  });

  it('declares the Models view in the BNN Studio container, with existing icons', () => {
    assert.ok(pkg.contributes.viewsContainers.activitybar.some((c: { id: string }) => c.id === 'bnnStudio'));
    assert.ok(pkg.contributes.views.bnnStudio.some((v: { id: string }) => v.id === 'bnnModels'));
    for (const c of pkg.contributes.viewsContainers.activitybar) assert.ok(existsSync(join(root, c.icon)), c.icon);
    const svg = readFileSync(join(root, 'media', 'bnn-icon.svg'), 'utf8');
    assert.match(svg, /^<svg [^>]*viewBox="0 0 24 24"/);
    assert.doesNotMatch(svg, /#[0-9a-f]{3,6}\b/i, 'monochrome: colours come from the theme');
  });

  it('offers exactly the boards of the one boards table in bnnStudio.board', () => {
    const setting = pkg.contributes.configuration.properties['bnnStudio.board'];
    assert.deepEqual(setting.enum, BOARDS.map((b) => b.id));
    assert.equal(setting.enumDescriptions.length, BOARDS.length);
    assert.equal(setting.default, DEFAULT_BOARD_ID);
    BOARDS.forEach((b, i) => {
      assert.ok(setting.enumDescriptions[i].includes(`${b.flashBytes / 1024 >= 1024 ? `${b.flashBytes / 1024 / 1024} MB` : `${b.flashBytes / 1024} KB`} flash, ${b.ramBytes / 1024} KB RAM`), `${b.id}: ${setting.enumDescriptions[i]}`);
    });
  });

  it('keeps the pure extension modules free of vscode, so they are unit-tested', () => {
    for (const f of ['analyzeModel', 'budget', 'debounce', 'estimateLabels', 'modelAnalysis', 'modelIndex', 'newModel', 'trustPolicy']) {
      const src = readFileSync(join(root, 'src', 'extension', `${f}.ts`), 'utf8');
      assert.doesNotMatch(src, /from\s+['"]vscode['"]/, f);
    }
  });
});
