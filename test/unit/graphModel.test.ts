/**
 * The graph view's model (src/core/view/graphModel.ts) of a hand-written residual model and of a chain: which nodes
 * run binary, which edges are shortcuts and carry signs, and the bytes and BOPs each node shows — the expectations
 * counted here from the model's definition, not read back from the estimator.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadModelText } from '../../src/core/model/load';
import { formatBytes, formatCount, summarize } from '../../src/core/estimate/summary';
import { buildGraphModel, shortcutEdges } from '../../src/core/view/graphModel';
import { INPUT_SOURCE } from '../../src/core/model/graph';
import type { GraphViewModel } from '../../src/core/messages';

const ROOT = path.resolve(__dirname, '../..');

function graphOf(rel: string): { g: GraphViewModel; text: string } {
  const file = path.join(ROOT, rel);
  const text = readFileSync(file, 'utf8');
  const loaded = loadModelText(text, rel);
  assert.ok(loaded.spec, loaded.diagnostics.map((d) => d.message).join('\n'));
  const g = buildGraphModel({ spec: loaded.spec, summary: summarize(loaded.spec), file: rel, uri: `file://${file}`, layerLines: loaded.layerRanges.map((r) => r.start.line) });
  return { g, text };
}

const byName = (g: GraphViewModel, name: string) => {
  const n = g.nodes.find((x) => x.name === name);
  assert.ok(n, `no node ${name}`);
  return n;
};
const edgeNames = (g: GraphViewModel, pick: (e: GraphViewModel['edges'][number]) => boolean): string[] => {
  const name = (id: string) => g.nodes.find((n) => n.id === id)!.name;
  return g.edges.filter(pick).map((e) => `${name(e.from)}>${name(e.to)}`).sort();
};

describe('graph view model', () => {
  describe('a residual model (test/fixtures/residual-graph.bnn.json)', () => {
    const { g, text } = graphOf('test/fixtures/residual-graph.bnn.json');

    it('has the input and one node per layer, each at its line in the file', () => {
      assert.equal(g.nodes.length, 17);
      assert.equal(g.nodes[0].type, 'Input');
      assert.equal(g.nodes[0].shape, '16×16×1');
      const lines = text.split('\n');
      for (const n of g.nodes.slice(1)) {
        const want = lines.findIndex((l) => l.includes(`"name": "${n.name}"`)) + 1;
        assert.equal(n.line, want, n.name);
      }
    });

    it('tells the binary convolutions from the real-valued rest, and marks the unused layer', () => {
      const binary = g.nodes.filter((n) => n.precision === 'binary').map((n) => n.name).sort();
      assert.deepEqual(binary, ['b1_conv', 'b2_conv']);
      assert.deepEqual(g.nodes.filter((n) => n.precision === 'none').map((n) => n.name), ['unused_relu']);
      assert.equal(byName(g, 'unused_relu').live, false);
      for (const n of g.nodes) if (n.name !== 'unused_relu') assert.equal(n.live, true, n.name);
      for (const name of ['stem', 'b2_short', 'head', 'b1_add', 'join', 'gap', 'b1_prelu']) assert.equal(byName(g, name).precision, 'real', name);
      assert.equal(byName(g, 'head').isOutput, true);
      // the residual stream between the shortcuts is float32
      assert.equal(byName(g, 'b1_add').outputRepr, 'float32');
      assert.equal(byName(g, 'b1_conv').outputRepr, 'fused into the next stage');
    });

    it('marks exactly the edges that skip layers as shortcuts', () => {
      // stem_bn feeds b1_add directly and through b1_conv; b2_pool feeds join directly and through b2_short → b2_add.
      assert.deepEqual(edgeNames(g, (e) => e.shortcut), ['b2_pool>join', 'stem_bn>b1_add']);
      // b1_prelu → b2_pool is a branch (no other path reaches b2_pool), not a shortcut
      assert.equal(g.edges.find((e) => e.from === byName(g, 'b1_prelu').id && e.to === byName(g, 'b2_pool').id)?.shortcut, false);
    });

    it('draws the edges into binarizing readers as 1-bit and the rest as real-valued', () => {
      assert.deepEqual(edgeNames(g, (e) => e.precision === 'binary'), ['b1_prelu>b2_conv', 'stem_bn>b1_conv']);
      assert.equal(g.edges.length, 19);
      assert.deepEqual(edgeNames(g, (e) => !e.live), ['b2_add>unused_relu']);
    });

    it('shows each layer\'s output shape, deployed bytes and BOPs', () => {
      // b1_conv: 16 filters, 3×3 window over 16 binarized channels = 9 positions × 1 word each; 16×16 outputs
      const b1 = byName(g, 'b1_conv');
      assert.equal(b1.shape, '16×16×16');
      assert.equal(b1.flashBytes, 16 * 9 * 1 * 4);
      assert.equal(b1.binaryMacs, 16 * 16 * 16 * 3 * 3 * 16);
      assert.equal(b1.cost, `${formatBytes(16 * 9 * 4)} · ${formatCount(16 * 16 * 16 * 9 * 16)} BOPs`);
      // b2_conv: stride 2 → 8×8 outputs
      assert.equal(byName(g, 'b2_conv').binaryMacs, 8 * 8 * 16 * 9 * 16);
      // the stem: a float32 3×3 kernel, 1 input channel → 16, no bias; real MACs over 16×16 outputs
      const stem = byName(g, 'stem');
      assert.equal(stem.flashBytes, 9 * 16 * 4);
      assert.equal(stem.floatMacs, 16 * 16 * 9 * 16);
      assert.equal(stem.binaryMacs, 0);
      // the head: 32 → 10 float32 weights, and a float32 scale and offset per output (the bias folds into the offset)
      assert.equal(byName(g, 'head').flashBytes, 32 * 10 * 4 + 10 * 2 * 4);
      assert.equal(byName(g, 'join').shape, '8×8×32');
      assert.equal(byName(g, 'gap').shape, '32');
      assert.equal(byName(g, 'b1_add').cost, '');
      assert.deepEqual(byName(g, 'b2_conv').attrs, [['filters', '16'], ['kernel', '3×3'], ['strides', '2'], ['padding', 'same'], ['input quantizer', 'ste_sign'], ['kernel quantizer', 'ste_sign']]);
      assert.deepEqual(byName(g, 'b2_pool').attrs, [['pool', '2×2'], ['padding', 'valid']]);
    });

    it('sums the binary operations in the header', () => {
      assert.equal(g.totals.bops, formatCount(16 * 16 * 16 * 9 * 16 + 8 * 8 * 16 * 9 * 16));
      assert.match(g.totals.residual ?? '', /float32/);
    });
  });

  it('a chain (examples/binary-mlp.bnn.json) has no shortcuts and one edge per layer', () => {
    const { g } = graphOf('examples/binary-mlp.bnn.json');
    assert.equal(g.edges.length, g.nodes.length - 1);
    assert.ok(g.edges.every((e) => !e.shortcut));
    g.edges.forEach((e, i) => { assert.equal(e.from, i === 0 ? 'input' : `L${i - 1}`); assert.equal(e.to, `L${i}`); });
    const dense = g.nodes.filter((n) => n.type === 'QuantDense');
    // the first dense layer has ±1 weights on the 8-bit pixels; the others are XNOR-popcount
    assert.deepEqual(dense.map((n) => n.precision), ['mixed', 'binary', 'binary']);
  });

  describe('shortcutEdges', () => {
    it('finds an edge that skips a layer, whatever the branch order', () => {
      // input → a → b and input → b
      assert.deepEqual([...shortcutEdges([[INPUT_SOURCE], [0, INPUT_SOURCE]], [[1], []], [0, 1])], ['-1>1']);
      assert.deepEqual([...shortcutEdges([[INPUT_SOURCE], [INPUT_SOURCE, 0]], [[1], []], [0, 1])], ['-1>1']);
    });

    it('does not call the two arms of a diamond shortcuts', () => {
      // a → b, a → c, b → d, c → d: both arms pass through a layer of their own
      const inputs = [[INPUT_SOURCE], [0], [0], [1, 2]];
      const consumers = [[1, 2], [3], [3], []];
      assert.deepEqual([...shortcutEdges(inputs, consumers, [0])], []);
    });
  });
});
