import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModelText } from '../../src/core/model/load';
import { loadImportedModelText } from '../../src/core/interop/importedModel';

const root = join(__dirname, '..', '..');
const bnn = (cwd: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } => {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'bnn.js'), ...args], { cwd, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

/** conv → BatchNormalization(axis) on its [6, 6, 4] map → flatten → dense → BatchNormalization(flatAxis) */
const modelText = (axis: string, flatAxis?: string): string => `{
  "name": "m",
  "input": { "shape": [8, 8, 1] },
  "classes": 10,
  "layers": [
    { "type": "QuantConv2D", "filters": 4, "kernelSize": 3 },
    { "type": "BatchNormalization", "name": "bn", "axis": ${axis} },
    { "type": "Flatten" },
    { "type": "QuantDense", "units": 10 },
    { "type": "BatchNormalization", "name": "bn_flat"${flatAxis ? `, "axis": ${flatAxis}` : ''} }
  ]
}`;

/** 1-based line:col of `text`'s character at `at`. */
function lineCol(text: string, at: number): string {
  const before = text.slice(0, at).split('\n');
  return `${before.length}:${before[before.length - 1].length + 1}`;
}

describe('BatchNormalization "axis": only the channel axis', () => {
  it('the loader accepts the channel axis of a map (-1, 3, [3]) and of a flat input (1)', () => {
    for (const axis of ['-1', '3', '[3]', '[-1]']) assert.deepEqual(loadModelText(modelText(axis, '1'), 'm.bnn.json').diagnostics, [], axis);
  });

  it('the loader refuses any other axis where it stands, naming the axis it is', () => {
    const cases: [string, string | undefined, RegExp][] = [
      ['[1]', undefined, /^layer 2 \(BatchNormalization 'bn'\) "axis": \[1\] is the height axis of its \[batch, H, W, C\] input; BatchNormalization here normalizes each channel: use -1 \(or 3\)/],
      ['2', undefined, /"axis": 2 is the width axis of its \[batch, H, W, C\] input/],
      ['0', undefined, /"axis": 0 is the batch axis/],
      ['7', undefined, /"axis": 7 is not an axis of its \[batch, H, W, C\] input/],
      ['[1, 2]', undefined, /"axis": \[1,2\] normalizes over 2 axes of its \[batch, H, W, C\] input/],
      ['-1', '3', /^layer 5 \(BatchNormalization 'bn_flat'\) "axis": 3 is not an axis of its \[batch, features\] input; BatchNormalization here normalizes each channel: use -1 \(or 1\)/],
    ];
    for (const [axis, flat, message] of cases) {
      const text = modelText(axis, flat);
      const r = loadModelText(text, 'm.bnn.json');
      assert.equal(r.spec, undefined, axis);
      assert.equal(r.diagnostics.length, 1, axis);
      assert.match(r.diagnostics[0].message, message);
      const { start } = r.diagnostics[0].range;
      // the range starts at the offending value
      const key = flat ? `"axis": ${flat}` : `"axis": ${axis}`;
      assert.equal(`${start.line + 1}:${start.character + 1}`, lineCol(text, text.indexOf(key) + '"axis": '.length), axis);
    }
    // and bnn validate prints it as file:line:col
    const dir = mkdtempSync(join(tmpdir(), 'bnn-axis-'));
    const text = modelText('[1]');
    writeFileSync(join(dir, 'm.bnn.json'), text);
    const v = bnn(dir, 'validate', 'm.bnn.json');
    assert.equal(v.status, 1);
    const [line, col] = lineCol(text, text.indexOf('[1]')).split(':');
    assert.match(v.stdout + v.stderr, new RegExp(`^m\\.bnn\\.json:${line}:${col}: error: layer 2 \\(BatchNormalization 'bn'\\) "axis": \\[1\\] is the height axis`, 'm'));
  });

  it('import refuses a Keras BatchNormalization(axis=[1]) on a 4-D map with the same message, on the Keras layer', () => {
    const keras = (axis: unknown): string => JSON.stringify({ class_name: 'Sequential', config: { name: 'k', layers: [
      { class_name: 'Conv2D', config: { name: 'conv', filters: 4, kernel_size: [3, 3], batch_input_shape: [null, 8, 8, 1] } },
      { class_name: 'BatchNormalization', config: { name: 'bn', axis } },
      { class_name: 'Flatten', config: { name: 'flatten' } },
      { class_name: 'Dense', config: { name: 'dense', units: 10 } },
    ] } }, null, 1);
    const dir = mkdtempSync(join(tmpdir(), 'bnn-axis-'));
    writeFileSync(join(dir, 'bad.json'), keras([1]));
    const r = bnn(dir, 'import', 'bad.json', '--out', 'bad.bnn.json');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^bad\.json: error: layer 2 \(BatchNormalization 'bn'\) "axis": \[1\] is the height axis of its \[batch, H, W, C\] input/m);
    assert.equal(existsSync(join(dir, 'bad.bnn.json')), false);
    // in the Models view the problem sits on the Keras layer object (index 1 of config.layers)
    const text = keras([1]);
    const m = loadImportedModelText(text, 'bad.keras.json');
    const d = m.diagnostics.find((x) => /"axis"/.test(x.message));
    assert.ok(d);
    const layerStart = text.lastIndexOf('{', text.indexOf('"BatchNormalization"'));
    assert.equal(d.range.start.line, text.slice(0, layerStart).split('\n').length - 1);
    // Keras's own spelling of the channel axis imports, and the written file says which axis it normalizes
    writeFileSync(join(dir, 'ok.json'), keras([3]));
    const ok = bnn(dir, 'import', 'ok.json', '--out', 'ok.bnn.json');
    assert.equal(ok.status, 0, ok.stderr);
    assert.deepEqual((JSON.parse(readFileSync(join(dir, 'ok.bnn.json'), 'utf8')) as { layers: Record<string, unknown>[] }).layers[1].axis, [3]);
    assert.equal(bnn(dir, 'validate', 'ok.bnn.json').status, 0);
  });
});
