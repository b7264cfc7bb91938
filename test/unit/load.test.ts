import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadModelText } from '../../src/core/model/load';
import { TEMPLATES, templateText } from '../../src/core/model/templates';

const dir = join(__dirname, '..', 'fixtures', 'malformed');
const expected: Record<string, string> = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8'));

function textAt(text: string, r: { start: { line: number; character: number }; end: { line: number; character: number } }): string {
  const lines = text.split('\n');
  if (r.start.line === r.end.line) return lines[r.start.line]?.slice(r.start.character, r.end.character) ?? '';
  return [lines[r.start.line].slice(r.start.character), ...lines.slice(r.start.line + 1, r.end.line), lines[r.end.line].slice(0, r.end.character)].join('\n');
}

describe('model loading', () => {
  it('accepts every template and example', () => {
    for (const t of TEMPLATES) {
      const m = loadModelText(templateText(t), `${t.id}.bnn.json`);
      assert.deepEqual(m.diagnostics, [], t.id);
      assert.ok(m.spec);
      assert.equal(m.layerRanges.length, m.spec.layers.length);
    }
    for (const f of readdirSync(join(__dirname, '..', '..', 'examples')).filter((f) => f.endsWith('.bnn.json'))) {
      const m = loadModelText(readFileSync(join(__dirname, '..', '..', 'examples', f), 'utf8'), f);
      assert.deepEqual(m.diagnostics, [], f);
    }
  });

  it('fills Larq/Keras defaults and names', () => {
    const m = loadModelText(JSON.stringify({ name: 'n', input: { shape: [8, 8, 1] }, classes: 2, layers: [
      { type: 'QuantConv2D', filters: 4, kernelSize: 3 }, { type: 'QuantConv2D', filters: 4, kernelSize: [1, 2] }, { type: 'MaxPool2D' },
      { type: 'Flatten' }, { type: 'QuantDense', units: 2 },
    ] }), 'n.bnn.json');
    assert.ok(m.spec, JSON.stringify(m.diagnostics));
    const [c0, c1, p] = m.spec.layers;
    assert.deepEqual(c0, { type: 'QuantConv2D', name: 'quant_conv2d', filters: 4, kernelSize: [3, 3], strides: [1, 1], padding: 'valid', inputQuantizer: null, kernelQuantizer: null, useBias: true });
    assert.equal(c1.name, 'quant_conv2d_1');
    assert.deepEqual(c1.type === 'QuantConv2D' && c1.kernelSize, [1, 2]);
    assert.deepEqual(p.type === 'MaxPool2D' && [p.poolSize, p.strides, p.padding], [[2, 2], [2, 2], 'valid']);
  });

  const files = readdirSync(dir).filter((f) => f.endsWith('.bnn.json')).sort();
  it('has a corpus of at least 30 malformed models', () => assert.ok(files.length >= 30, String(files.length)));

  for (const f of files) {
    it(`rejects ${f} with a clear, positioned error`, () => {
      const text = readFileSync(join(dir, f), 'utf8');
      const m = loadModelText(text, f);
      assert.equal(m.spec, undefined);
      assert.ok(m.diagnostics.length > 0);
      const hit = m.diagnostics.find((d) => d.message.includes(expected[f]));
      assert.ok(hit, `expected a message containing ${JSON.stringify(expected[f])}, got ${JSON.stringify(m.diagnostics.map((d) => d.message))}`);
      const lines = text.split('\n');
      assert.ok(hit.range.start.line < Math.max(lines.length, 1));
      if (text.length > 0) assert.ok(textAt(text, hit.range).trim().length > 0 || /JSON/.test(hit.message), `empty range for ${hit.message}`);
    });
  }

  it('points at the exact value (line and column)', () => {
    const text = '{\n  "name": "m",\n  "input": { "shape": [28, 28, 1] },\n  "classes": 10,\n  "layers": [\n    { "type": "QuantConv2D", "filters": 0, "kernelSize": 3 }\n  ]\n}\n';
    const m = loadModelText(text, 'm.bnn.json');
    const d = m.diagnostics.find((x) => x.message.includes('filters'));
    assert.ok(d);
    assert.deepEqual(d.range.start, { line: 5, character: 40 });
    assert.equal(textAt(text, d.range), '0');
    const unknown = loadModelText(text.replace('"filters": 0', '"filtres": 8'), 'm.bnn.json').diagnostics.find((x) => x.message.includes('unknown property'));
    assert.ok(unknown);
    assert.equal(textAt(text.replace('"filters": 0', '"filtres": 8'), unknown.range), '"filtres"');
    assert.match(unknown.message, /did you mean "filters"/);
  });

  it('says which check found each problem, so the editor can leave JSON syntax to VS Code', () => {
    const stageOf = (f: string): string[] => loadModelText(readFileSync(join(dir, f), 'utf8'), f).diagnostics.map((d) => d.stage);
    assert.deepEqual([...new Set(stageOf('syntax-missing-comma.bnn.json'))], ['syntax']);
    assert.deepEqual([...new Set(stageOf('filters-zero.bnn.json'))], ['schema']);
    assert.deepEqual([...new Set(stageOf('dense-unflattened.bnn.json'))], ['semantic']);
    assert.deepEqual([...new Set(stageOf('duplicate-names.bnn.json'))], ['semantic']);
  });

  it('never throws and ends quickly on random garbage', () => {
    let seed = 1;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const base = templateText(TEMPLATES[1]);
    for (let i = 0; i < 300; i++) {
      const chars = base.split('');
      for (let k = 0; k < 3; k++) chars[Math.floor(rnd() * chars.length)] = '{}[],:"0-9ax '[Math.floor(rnd() * 14)];
      const m = loadModelText(chars.join(''), 'fuzz.bnn.json');
      assert.ok(m.spec || m.diagnostics.length > 0);
    }
  });

  it('refuses a file nested 100,000 levels deep with a positioned error instead of overflowing the stack', () => {
    const n = 100_000;
    const layers = `[{"type":"Flatten","x":${'{"a":'.repeat(n)}1${'}'.repeat(n)}}]`;
    const text = `{"name":"m","input":{"shape":[4,4,1]},"classes":2,\n"layers":${layers}}`;
    const m = loadModelText(text, 'deep.bnn.json');
    assert.equal(m.spec, undefined);
    assert.equal(m.diagnostics.length, 1);
    const d = m.diagnostics[0];
    assert.match(d.message, /nested more than 64 levels deep/);
    assert.notEqual(d.stage, 'syntax', 'VS Code\'s JSON support does not report depth, so the editor must show this one');
    // Levels: root {, layers [, layer {, then the 62nd '{"a":' is the 65th level; the range points at its brace.
    const col = '"layers":[{"type":"Flatten","x":'.length + 61 * '{"a":'.length;
    assert.deepEqual(d.range.start, { line: 1, character: col });
    assert.equal(text.split('\n')[1][col], '{');
    const bare = loadModelText('['.repeat(n) + ']'.repeat(n), 'b.bnn.json');
    assert.equal(bare.diagnostics[0].range.start.character, 64);
  });

  it('still accepts nesting up to the limit (the guard counts brackets, not brackets inside strings)', () => {
    const base = JSON.parse(templateText(TEMPLATES[1]));
    base.description = '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[{{{{{{{{{{{{';
    const m = loadModelText(JSON.stringify(base, null, 2), 'ok.bnn.json');
    assert.deepEqual(m.diagnostics, []);
  });
});
