/**
 * Issue 18 item 1: user text (model, layer and dataset names) must not be able to change the structure of the code
 * BNN Studio generates, even when the loader's name rules are bypassed. Random hostile names go straight into the C
 * compiler and the Larq project generator; the output must tokenize exactly like the output for plain names, apart
 * from the text inside comments and string literals, and the names must come back unchanged where they are data.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { compileModel } from '../../src/core/compile/compile';
import { cComment, cIdentifier, cString, htmlText, markdownText, pyDocText, pyString } from '../../src/core/escape';
import { generateLarqProject } from '../../src/core/interop/larqScript';
import { hasBinaryKernel, type ModelSpec } from '../../src/core/model/spec';
import type { TrainedModel } from '../../src/core/model/trained';
import { findPython, tokenizeC, tokenizePython, type Token } from '../support/codeTokens';
import { ARCHITECTURES } from '../support/compileArchitectures';
import { tinyCnn, tinyMlp } from '../support/models';
import { syntheticModel } from '../support/syntheticModel';
import { findOnPath } from '../support/tools';

/** Pieces that break naive generators: comment and string delimiters, line breaks, trigraphs, preprocessor text. */
const NASTY = ['*/', '/*', '//', '\n', '\r', '\r\n', '"', "'", '\\', '\\\n', '#', '#error pwned', '\n#include <stdio.h>\n', '??=', '??/', '???',
  '"""', "'''", '\u2028', '\u2029', '\u0000', '\t', '\u00e9', '\u{1F600}', '\uD800', '\uDFFF', '$(', '<script>', '`', '%s', '{}', '\u00a0', '\u0085'];

const piece = fc.oneof(fc.constantFrom(...NASTY), fc.string({ unit: 'binary', maxLength: 6 }), fc.string({ unit: 'grapheme-ascii', maxLength: 6 }));
const hostileName = fc.oneof(
  { weight: 9, arbitrary: fc.array(piece, { minLength: 1, maxLength: 10 }).map((p) => p.join('')) },
  { weight: 1, arbitrary: fc.tuple(piece, fc.integer({ min: 200, max: 3000 })).map(([p, n]) => (p || '*/').repeat(n).slice(0, 6000)) },
);

function withNames(base: TrainedModel, modelName: string, layerNames: string[]): TrainedModel {
  // a graph model's "inputs" and "outputs" follow the renamed layers
  const renamed = new Map(base.spec.layers.map((l, i) => [l.name, layerNames[i]]));
  const rename = (n: string): string => renamed.get(n) ?? n;
  const spec: ModelSpec = {
    ...base.spec, name: modelName,
    layers: base.spec.layers.map((l, i) => ({ ...l, name: layerNames[i], ...(l.inputs ? { inputs: l.inputs.map(rename) } : {}) })),
    ...(base.spec.outputs ? { outputs: base.spec.outputs.map(rename) } : {}),
  };
  const weights: TrainedModel['weights'] = {};
  base.spec.layers.forEach((l, i) => { if (base.weights[l.name]) weights[layerNames[i]] = base.weights[l.name]; });
  return { spec, weights };
}

/** Layer names for a model: distinct (the suffix), otherwise as hostile as the arbitrary makes them. */
function layerNamesFor(model: TrainedModel, random: string[]): string[] {
  return model.spec.layers.map((_, i) => `${random[i % random.length]}@${i}`);
}

/** The structure of a token stream: every token's kind, and the text of all but comments and literals. */
function structure(tokens: Token[], free: Set<string>): string[] {
  return tokens.map((t) => (free.has(t.kind) ? t.kind : `${t.kind} ${t.text}`));
}

const C_FREE = new Set(['comment', 'string']);
const PY_FREE = new Set(['STRING', 'COMMENT']);

const bn = (name: string): ModelSpec['layers'][number] => ({ type: 'BatchNormalization', name, scale: true, center: true, momentum: 0.9, epsilon: 1e-3 });

const BASES: TrainedModel[] = [
  syntheticModel(tinyCnn(), 1),
  syntheticModel(tinyMlp(), 2),
  // a float (unquantized) first conv, so the float-band emitter is covered too
  syntheticModel({ ...tinyCnn(), name: 'float-first', layers: tinyCnn().layers.map((l, i) => (i === 0 && l.type === 'QuantConv2D' ? { ...l, kernelQuantizer: null } : l)) }, 3),
  // stages of their own: a max-pool and a BatchNorm on the input, and a binarization before a dense layer
  syntheticModel({
    name: 'own-stages', input: { shape: [8, 8, 2] }, classes: 4, layers: [
      { type: 'MaxPool2D', name: 'pool0', poolSize: [2, 2], strides: [2, 2], padding: 'valid' }, bn('bn0'),
      { type: 'QuantConv2D', name: 'conv1', filters: 8, kernelSize: [3, 3], strides: [1, 1], padding: 'same', inputQuantizer: 'ste_sign', kernelQuantizer: 'ste_sign', useBias: false }, bn('bn1'),
      { type: 'Flatten', name: 'flatten' },
      { type: 'QuantDense', name: 'dense', units: 4, inputQuantizer: 'ste_sign', kernelQuantizer: 'ste_sign', useBias: false },
    ],
  }, 4),
  syntheticModel({
    name: 'binarize-first', input: { shape: [4, 4, 1] }, classes: 4, layers: [
      { type: 'Flatten', name: 'flatten' },
      { type: 'QuantDense', name: 'dense', units: 4, inputQuantizer: 'ste_sign', kernelQuantizer: 'ste_sign', useBias: false },
    ],
  }, 5),
  // graph models: names in "inputs", an Add folded into a conv and one of its own, Concatenate, pools, ReLU, PReLU
  ...['residual', 'graph-shared-binarize'].map((n, i) => syntheticModel(ARCHITECTURES.find((a) => a.name === n)!, 6 + i)),
];

describe('generated code: user text cannot change its structure', function () {
  this.timeout(120_000);

  describe('escaping helpers', () => {
    it('cComment gives one line of printable ASCII with no comment delimiter, trigraph or backslash escape', () => {
      fc.assert(fc.property(hostileName, (s) => {
        const c = cComment(s);
        assert.match(c, /^[\x20-\x7e]*$/);
        assert.ok(!c.includes('*/') && !c.includes('/*') && !c.includes('??'), c);
        assert.ok(!/\\(?![uU][0-9A-F]{4})/.test(c), `a backslash that is not a \\u spelling in ${c}`);
        // a plain identifier-like name reads as itself
        if (/^[A-Za-z0-9_.-]*$/.test(s)) assert.equal(c, s);
      }), { numRuns: 500 });
    });

    it('cIdentifier is a C identifier and one-to-one (decodable back to the text)', () => {
      const decode = (id: string): string => id.slice('bnn_'.length).replace(/__|_([0-9a-f]+)_/g, (m, h: string | undefined) => (h ? String.fromCodePoint(parseInt(h, 16)) : '_'));
      fc.assert(fc.property(hostileName, fc.string({ unit: 'binary' }), (a, b) => {
        const ia = cIdentifier('bnn_', a);
        assert.match(ia, /^[A-Za-z_][A-Za-z0-9_]*$/);
        assert.equal(decode(ia), a);
        if (a !== b) assert.notEqual(ia, cIdentifier('bnn_', b));
      }), { numRuns: 500 });
      assert.equal(cIdentifier('bnn_', 'conv1'), 'bnn_conv1');
      assert.equal(cIdentifier('bnn_', 'a_b'), 'bnn_a__b');
      assert.equal(cIdentifier('bnn_', 'a-b'), 'bnn_a_2d_b');
    });

    it('htmlText and markdownText leave no markup', () => {
      const unescapeHtml = (h: string): string => h.replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e]!);
      fc.assert(fc.property(hostileName, (s) => {
        const h = htmlText(s);
        assert.ok(!/[<>"']/.test(h));
        assert.equal(unescapeHtml(h), s);
        const m = markdownText(s);
        assert.ok(!/[\r\n\u2028\u2029]/.test(m));
        // once every backslash pair is removed, no character that is markup anywhere remains (a `_` inside a word
        // is none: it can neither open nor close emphasis)
        assert.ok(!/[`*[\]<>!|~$&]|(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/u.test(m.replace(/\\[\s\S]/g, '')), m);
      }), { numRuns: 500 });
      assert.equal(markdownText('quant_conv2d'), 'quant_conv2d');
      assert.equal(markdownText('_x_ and __init__'), '\\_x\\_ and \\_\\_init\\_\\_');
      assert.equal(markdownText('# x'), '\\# x');
    });

    it('cString literals hold the exact UTF-8 bytes, as a C compiler reads them (cc -std=c99 -trigraphs)', function () {
      const cc = findOnPath('cc');
      if (!cc) {
        if (process.env.CI === 'true') throw new Error('cc not found — with CI=true a missing tool is a failure');
        this.skip();
      }
      const samples = fc.sample(hostileName, { numRuns: 300, seed: 18 });
      const lines = samples.map((s, i) => `  /* ${cComment(s)} */ dump(${i}, ${cString(s)}, sizeof(${cString(s)}) - 1);`);
      const program = `#include <stdio.h>\nstatic void dump(int i, const char *s, unsigned long n) {\n  printf("%d ", i);\n  for (unsigned long k = 0; k < n; k++) printf("%02x", (unsigned char)s[k]);\n  printf("\\n");\n}\nint main(void) {\n${lines.join('\n')}\n  return 0;\n}\n`;
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-cstring-'));
      try {
        fs.writeFileSync(path.join(dir, 'p.c'), program);
        const build = spawnSync(cc!, ['-std=c99', '-trigraphs', '-Wall', '-Wextra', '-Werror', '-o', path.join(dir, 'p'), path.join(dir, 'p.c')], { encoding: 'utf8' });
        assert.equal(build.status, 0, build.stderr);
        const run = spawnSync(path.join(dir, 'p'), [], { encoding: 'utf8', maxBuffer: 1 << 26 });
        const got = run.stdout.trim().split('\n').map((l) => l.split(' ')[1] ?? '');
        assert.equal(got.length, samples.length);
        samples.forEach((s, i) => assert.equal(got[i], Buffer.from(new TextEncoder().encode(s)).toString('hex'), `sample ${i}: ${JSON.stringify(s)}`));
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('the C compiler', () => {
    for (const base of BASES) {
      it(`${base.spec.name}: bnn_model.c and .h tokenize as with plain names, and the manifest keeps the names`, () => {
        const plain = compileModel(base, { board: 'qemu-stm32' });
        const plainC = structure(tokenizeC(plain.files['bnn_model.c']), C_FREE);
        const plainH = structure(tokenizeC(plain.files['bnn_model.h']), C_FREE);
        fc.assert(fc.property(hostileName, fc.array(hostileName, { minLength: 1, maxLength: 4 }), hostileName, (modelName, random, board) => {
          const names = layerNamesFor(base, random);
          const compiled = compileModel(withNames(base, modelName, names), { board });
          assert.deepEqual(structure(tokenizeC(compiled.files['bnn_model.c']), C_FREE), plainC);
          assert.deepEqual(structure(tokenizeC(compiled.files['bnn_model.h']), C_FREE), plainH);
          assert.equal(compiled.hash, plain.hash, 'names are not part of the model hash');
          const manifest = JSON.parse(compiled.files['bnn_model.json']) as { model: string; board: string };
          assert.equal(manifest.model, modelName);
          assert.equal(manifest.board, board);
        }), { numRuns: 60 });
      });
    }

    it('the models above reach every emitter that writes a layer name', () => {
      const c = BASES.map((b) => compileModel(b).files['bnn_model.c']).join('\n');
      for (const what of ['dense', 'conv', 'batchnorm', 'maxpool', 'binarize', 'add', 'concatenate', 'average pool', 'global average pool', 'relu', 'prelu']) {
        assert.match(c, new RegExp(`/\\* Stage \\d+: ${what} `), what);
      }
      assert.match(c, /\+ the float32 shortcut res \(a residual Add\)/);
      assert.match(c, /float32 kernel over a float band/);
      assert.match(c, /groups of 8 inputs as lookup tables/);
    });

    it('the tokenizer sees an unescaped injection (the check can fail)', () => {
      const plain = compileModel(BASES[1]);
      const same = (a: string, b: string): boolean => {
        try { assert.deepEqual(structure(tokenizeC(a), C_FREE), structure(tokenizeC(b), C_FREE)); return true; } catch { return false; }
      };
      const c = plain.files['bnn_model.c'];
      const h = plain.files['bnn_model.h'];
      assert.ok(same(c.replace(/dense '([^']*)'/, "dense 'harmless name'"), c));
      assert.ok(!same(c.replace(/dense '([^']*)'/, "dense 'x*/ #error pwned /*'"), c));
      assert.ok(!same(h.replace(/^\/\* ([^:]*):/, '/* x */\n#define y 1\n/*'), h));
      // -std=c99 reads ??/ as a backslash: a raw one in a string literal escapes its closing quote
      assert.ok(!same(h.replace(/(BNN_MODEL_HASH +"[0-9a-f]+)"/, '$1??/"'), h));
    });
  });

  describe('the Larq training project', () => {
    let python: string | undefined;
    let tmp: string;
    before(function () {
      python = findPython();
      if (!python) {
        const msg = 'skipped: no python3 with the tokenize and ast modules (install python3)';
        if (process.env.CI === 'true') throw new Error(`${msg} — with CI=true a missing tool is a failure`);
        console.log(`      ${msg}`);
        this.skip();
      }
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-pytok-'));
    });
    after(() => { if (tmp) fs.rmSync(tmp, { recursive: true, force: true }); });

    const project = (spec: ModelSpec, dataset: string, preset: string | undefined): string => generateLarqProject({
      spec, optimizer: { kind: 'bop', lr: { kind: 'constant', value: 0.01 }, ...(preset !== undefined ? { preset } : {}) }, dataset, epochs: 2, batchSize: 32, seed: 1, valSplit: 0.1, generator: 'test',
    })['train.py'];

    for (const base of [BASES[0], BASES.find((b) => b.spec.name === 'residual')!]) it(`${base.spec.name}: train.py tokenizes as with plain names, and MODEL, HYPER and BINARY_LAYERS hold the names exactly`, () => {
      const cases = fc.sample(fc.tuple(hostileName, fc.array(hostileName, { minLength: 1, maxLength: 4 }), hostileName, hostileName), { numRuns: 30, seed: 18 });
      const plainFile = path.join(tmp, `${base.spec.name}-plain.py`);
      const plainText = project(base.spec, 'fashion-mnist', 'p');
      fs.writeFileSync(plainFile, plainText, 'utf8');
      const nonAscii = (t: string): string => t.replace(/[\x00-\x7f]/g, '');
      const inputs = cases.map(([modelName, random, dataset, preset], i) => {
        const spec = withNames(base, modelName, layerNamesFor(base, random)).spec;
        const text = project(spec, dataset, preset);
        // user text arrives as ASCII escapes: the file's only non-ASCII characters are the template's own
        assert.equal(nonAscii(text), nonAscii(plainText));
        const file = path.join(tmp, `${base.spec.name}-case${i}.py`);
        fs.writeFileSync(file, text, 'utf8');
        return { file, spec, dataset, preset };
      });
      const [plain, ...results] = tokenizePython(python!, [plainFile, ...inputs.map((c) => c.file)]);
      const want = structure(plain.tokens, PY_FREE);
      results.forEach((r, i) => {
        const c = inputs[i];
        assert.deepEqual(structure(r.tokens, PY_FREE), want, `case ${i}: model ${JSON.stringify(c.spec.name)}`);
        const model = r.constants.MODEL as { name: string; layers: { name: string }[] };
        assert.equal(model.name, c.spec.name);
        assert.deepEqual(model.layers.map((l) => l.name), c.spec.layers.map((l) => l.name));
        assert.equal((r.constants.HYPER as { dataset: string }).dataset, c.dataset);
        assert.equal((r.constants.OPTIMIZER as { preset: string }).preset, c.preset);
        // the layers Bop trains: those with a ±1 kernel (the residual model's stem and shortcut convs are real-valued)
        assert.deepEqual(r.constants.BINARY_LAYERS, c.spec.layers.filter(hasBinaryKernel).map((l) => l.name));
      });
    });

    it('pyString and pyDocText read back as the same text in CPython', () => {
      const samples = fc.sample(hostileName, { numRuns: 300, seed: 7 });
      const file = path.join(tmp, 'strings.py');
      fs.writeFileSync(file, `STRINGS = [\n${samples.map((s) => `    ${pyString(s)},`).join('\n')}\n]\nDOCS = [\n${samples.map((s) => `    """${pyDocText(s)}""",`).join('\n')}\n]\n`, 'utf8');
      const [r] = tokenizePython(python!, [file]);
      assert.deepEqual(r.constants.STRINGS, samples);
      assert.deepEqual(r.constants.DOCS, samples);
    });
  });
});
