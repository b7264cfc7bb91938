import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const bnn = (cwd: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } => {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'bnn.js'), ...args], { cwd, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

type Layer = { class_name: string; config: Record<string, unknown> };
/** A Keras 2 `model.to_json()` document, as Keras writes it: the input shape on an InputLayer. */
const kerasModel = (layers: Layer[], shape = [8, 8, 1]): string => JSON.stringify({
  class_name: 'Sequential',
  config: { name: 'net', layers: [{ class_name: 'InputLayer', config: { name: 'input_1', batch_input_shape: [null, ...shape] } }, ...layers] },
  keras_version: '2.15.0', backend: 'tensorflow',
}, null, 1);
const conv = (name: string, extra: Record<string, unknown> = {}): Layer => ({ class_name: 'Conv2D', config: { name, filters: 4, kernel_size: [3, 3], strides: [1, 1], padding: 'valid', activation: 'linear', use_bias: true, ...extra } });
const dense = (name: string, units = 10, extra: Record<string, unknown> = {}): Layer => ({ class_name: 'Dense', config: { name, units, activation: 'linear', use_bias: true, ...extra } });
const layer = (class_name: string, config: Record<string, unknown>): Layer => ({ class_name, config });

function workdir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'bnn-import-'));
  for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
  return dir;
}

describe('bnn import writes only what bnn validate accepts', () => {
  it('makes names that collide after sanitizing unique, reports each rename, and the file validates', () => {
    const long = 'x'.repeat(150);
    const dir = workdir({
      'm.json': kerasModel([
        conv('conv 1'), conv('conv_1', { padding: 'same' }), conv('conv-1', { padding: 'same' }),
        layer('Flatten', { name: '*/ #error' }), layer('BatchNormalization', { name: long }), layer('BatchNormalization', { name: long }),
        dense('2nd'), layer('Activation', { name: 'act', activation: 'softmax' }),
      ]),
    });
    const r = bnn(dir, 'import', 'm.json', '--out', 'out.bnn.json');
    assert.equal(r.status, 0, r.stderr);
    const doc = JSON.parse(readFileSync(join(dir, 'out.bnn.json'), 'utf8')) as { layers: { name: string }[] };
    const x100 = 'x'.repeat(100);
    assert.deepEqual(doc.layers.map((l) => l.name), ['conv_1', 'conv_1_1', 'conv_1_2', '____error', x100, `${'x'.repeat(98)}_1`, 'l_2nd', 'act']);
    // every rename is said, with the layer as BNN Studio numbers it (the InputLayer takes no place)
    const warnings = r.stderr.trim().split('\n');
    assert.deepEqual(warnings, [
      "m.json: warning: layer 1 (Conv2D 'conv 1'): renamed 'conv_1' (BNN Studio layer names are C identifiers: letters, digits and _, not starting with a digit, at most 100 characters)",
      "m.json: warning: layer 2 (Conv2D 'conv_1'): renamed 'conv_1_1' ('conv_1' is already the name of layer 1)",
      "m.json: warning: layer 3 (Conv2D 'conv-1'): renamed 'conv_1_2' ('conv_1' is already the name of layer 1)",
      "m.json: warning: layer 4 (Flatten '*/ #error'): renamed '____error' (BNN Studio layer names are C identifiers: letters, digits and _, not starting with a digit, at most 100 characters)",
      `m.json: warning: layer 5 (BatchNormalization '${long}'): renamed '${x100}' (BNN Studio layer names are C identifiers: letters, digits and _, not starting with a digit, at most 100 characters)`,
      `m.json: warning: layer 6 (BatchNormalization '${long}'): renamed '${'x'.repeat(98)}_1' ('${x100}' is already the name of layer 5)`,
      "m.json: warning: layer 7 (Dense '2nd'): renamed 'l_2nd' (BNN Studio layer names are C identifiers: letters, digits and _, not starting with a digit, at most 100 characters)",
    ]);
    // a model.to_json() file has no weights: the output says so rather than leaving it to be guessed
    assert.match(r.stdout, /^ {2}not imported: weights — a Keras model JSON \(model\.to_json\(\)\) holds none; .*train it with `bnn train out\.bnn\.json`$/m);
    const v = bnn(dir, 'validate', 'out.bnn.json');
    assert.equal(v.status, 0, v.stdout + v.stderr);
  });

  it('renames a model whose name breaks the model-name rule, and says so', () => {
    const text = kerasModel([layer('Flatten', { name: 'f' }), dense('d')]).replace('"name": "net"', '"name": ".hidden model."');
    const dir = workdir({ 'm.json': text });
    const r = bnn(dir, 'import', 'm.json');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /^m\.json: warning: model name '\.hidden model\.' becomes '_hidden_model_' \(model names are letters, digits, _, \. and -/m);
    assert.equal(bnn(dir, 'validate', '_hidden_model_.bnn.json').status, 0);
  });

  it('refuses a layer with no "filters" (it was written as null), naming the Keras layer, and writes nothing', () => {
    const dir = workdir({ 'm.json': kerasModel([conv('c1'), conv('c2', { filters: undefined }), layer('Flatten', { name: 'f' }), dense('d')]) });
    const r = bnn(dir, 'import', 'm.json', '--out', 'out.bnn.json');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^m\.json: error: layer 2 \(Conv2D 'c2'\): "filters" must be a positive integer, got nothing \(the key is missing\)$/m);
    assert.match(r.stderr, /not imported; nothing was written/);
    assert.equal(existsSync(join(dir, 'out.bnn.json')), false);
    // a kernel size that is neither an integer nor a pair is not replaced by Keras's default 1 without a word
    const dir2 = workdir({ 'm.json': kerasModel([conv('c1', { kernel_size: '3x3' }), conv('c2', { kernel_size: [3, 'x'] }), layer('Flatten', { name: 'f' }), dense('d')]) });
    const r2 = bnn(dir2, 'import', 'm.json', '--out', 'out.bnn.json');
    assert.equal(r2.status, 1);
    assert.match(r2.stderr, /^m\.json: error: layer 1 \(Conv2D 'c1'\): "kernel_size" must be an integer or a pair of them, got "3x3"$/m);
    assert.equal(existsSync(join(dir2, 'out.bnn.json')), false);
  });

  it('refuses a model of more than 1,000 layers with the loader\'s reason, and writes nothing', () => {
    const bns = Array.from({ length: 1000 }, (_, i) => layer('BatchNormalization', { name: `bn_${i}` }));
    const dir = workdir({ 'm.json': kerasModel([layer('Flatten', { name: 'f' }), ...bns, dense('d')]) });
    const r = bnn(dir, 'import', 'm.json', '--out', 'out.bnn.json');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^m\.json: error: the converted model fails BNN Studio's checks: "layers": must not have more than 1000 items \(the Keras model converts to 1002 layers\)$/m);
    assert.equal(existsSync(join(dir, 'out.bnn.json')), false);
  });

  it('traces what only the model loader checks to the Keras layer, by BNN Studio\'s index and the Keras name', () => {
    // momentum 1.5 passes the conversion untouched; the loader's schema refuses it
    const dir = workdir({ 'm.json': kerasModel([layer('Flatten', { name: 'f' }), layer('Dropout', { name: 'drop', rate: 0.5 }), layer('BatchNormalization', { name: 'bn', momentum: 1.5 }), dense('d')]) });
    const r = bnn(dir, 'import', 'm.json', '--out', 'out.bnn.json');
    assert.equal(r.status, 1);
    const lines = r.stderr.trim().split('\n');
    assert.deepEqual(lines, [
      "m.json: warning: Dropout 'drop' (after layer 1): is dropped: Dropout only acts while training, and BNN Studio does not train with it",
      "m.json: error: layer 2 (BatchNormalization 'bn') \"momentum\": must be < 1, got 1.5",
      'm.json: not imported; nothing was written',
    ]);
    // a shape error names the layer as `bnn validate` would: its index in the converted model and its name
    const dir2 = workdir({ 'm.json': kerasModel([layer('Flatten', { name: 'f' }), conv('late'), layer('Flatten', { name: 'f2' }), dense('d')]) });
    const r2 = bnn(dir2, 'import', 'm.json');
    assert.equal(r2.status, 1);
    assert.match(r2.stderr, /^m\.json: error: layer 2 \(QuantConv2D 'late'\): expects an \[H, W, C\] input, got \[64\]/m);
  });
  it('imports a functional Bi-Real-Net-style Larq model, saying where MagnitudeAwareSign\'s scale went', () => {
    const dir = workdir({ 'birealnet.json': readFileSync(join(root, 'test', 'fixtures', 'keras', 'birealnet-functional-keras2.json'), 'utf8') });
    const r = bnn(dir, 'import', 'birealnet.json', '--out', 'b.bnn.json');
    assert.equal(r.status, 0, r.stderr);
    const notes = r.stdout.split('\n').filter((l) => l.startsWith('  note: '));
    assert.equal(notes.length, 4, r.stdout);
    assert.match(notes[0], /layer 4 \(QuantConv2D 'quant_conv2d'\): Larq's MagnitudeAwareSign kernel quantizer becomes ste_sign; .*folds into layer 5 \(BatchNormalization 'batch_normalization_1'\)/);
    const v = bnn(dir, 'validate', 'b.bnn.json');
    assert.equal(v.status, 0, v.stdout + v.stderr);
    const doc = JSON.parse(readFileSync(join(dir, 'b.bnn.json'), 'utf8')) as { layers: Array<{ type: string; inputs?: string[] }> };
    assert.equal(doc.layers.filter((l) => l.type === 'Add').length, 4);
  });
});
