/**
 * The words and numbers the editor shows for a model: CodeLens titles, tree labels, the hover's Larq-style row and
 * the model total. Pure (no `vscode`) so every label is unit-tested.
 */
import { layerLabel } from '../core/model/layerLabel';
import type { LayerSpec } from '../core/model/spec';
import { formatBytes, formatCount, formatShape, layerCost, type ModelSummary } from '../core/estimate/summary';
import { markdownText } from '../core/escape';

type LayerRow = ModelSummary['layers'][number];
type Totals = ModelSummary['totals'];

// The layer's shape and cost texts live in core (summary.ts): the graph view shows the same words.
export { formatShape, layerCost } from '../core/estimate/summary';

/** What the layer is, with its defining hyper-parameters: "QuantConv2D 64×3×3 /2", "QuantDense 256", "MaxPool2D 2×2". */
export function layerHeadline(layer: LayerSpec): string {
  switch (layer.type) {
    case 'QuantConv2D': {
      const [kh, kw] = layer.kernelSize;
      const stride = layer.strides[0] !== 1 || layer.strides[1] !== 1 ? ` /${layer.strides[0] === layer.strides[1] ? layer.strides[0] : layer.strides.join('×')}` : '';
      return `QuantConv2D ${layer.filters}×${kh}×${kw}${stride}${precisionTag(layer)}`;
    }
    case 'QuantDense':
      return `QuantDense ${layer.units}${precisionTag(layer)}`;
    case 'MaxPool2D':
    case 'AveragePooling2D': {
      const [ph, pw] = layer.poolSize;
      const stride = layer.strides[0] !== ph || layer.strides[1] !== pw ? ` /${layer.strides[0] === layer.strides[1] ? layer.strides[0] : layer.strides.join('×')}` : '';
      return `${layer.type} ${ph}×${pw}${stride}`;
    }
    case 'Activation':
      return `Activation ${layer.activation}`;
    case 'Add':
    case 'Concatenate':
      return `${layer.type}(${(layer.inputs ?? []).join(', ')})`;
    case 'BatchNormalization':
    case 'Flatten':
    case 'GlobalAveragePooling2D':
    case 'PReLU':
      return layer.type;
  }
}

/** Only the unusual cases are tagged: a full-precision layer in a BNN is worth noticing. */
function precisionTag(layer: Extract<LayerSpec, { type: 'QuantConv2D' | 'QuantDense' }>): string {
  return layer.kernelQuantizer === null ? ' (float32)' : '';
}

/** "→ 14×14×64 · 4.6 KB · 1.2 M BOPs" */
export function layerOutcome(row: Pick<LayerRow, 'outputShape' | 'flashBytes' | 'binaryMacs' | 'floatMacs'>): string {
  const cost = layerCost(row);
  return `→ ${formatShape(row.outputShape)}${cost ? ` · ${cost}` : ''}`;
}

/** The CodeLens title above a layer: "QuantConv2D 64×3×3 → 14×14×64 · 4.6 KB · 1.2 M BOPs". */
export function layerLensTitle(layer: LayerSpec, row: LayerRow): string {
  return `${layerHeadline(layer)} ${layerOutcome(row)}`;
}

/** "29.5× smaller than float32 · 2.6 M BOPs + 195 k MACs (93% binary)" */
export function modelEfficiency(totals: Totals): string {
  const parts: string[] = [];
  if (Number.isFinite(totals.compressionRatio) && totals.compressionRatio > 0) parts.push(`${formatRatio(totals.compressionRatio)} smaller than float32`);
  const ops = totals.binaryMacs + totals.floatMacs;
  if (ops > 0) parts.push(`${formatCount(totals.binaryMacs)} BOPs + ${formatCount(totals.floatMacs)} MACs (${formatShare(totals.binaryMacShare)} binary)`);
  return parts.join(' · ');
}

/** The model total: "Total: flash 31.2 KB · RAM 1.6 KB · 25.6× smaller than float32 · 2.6 M BOPs + … (93% binary)". */
export function modelTotalTitle(totals: Totals): string {
  const efficiency = modelEfficiency(totals);
  return `Total: flash ${formatBytes(totals.flashBytes)} · RAM ${formatBytes(totals.ramBytes)}${efficiency ? ` · ${efficiency}` : ''}`;
}

/** The tree node's description: "31.2 KB flash · 1.6 KB RAM". */
export function modelDescription(totals: Pick<Totals, 'flashBytes' | 'ramBytes'>): string {
  return `${formatBytes(totals.flashBytes)} flash · ${formatBytes(totals.ramBytes)} RAM`;
}

export function formatRatio(r: number): string {
  return `${r >= 100 ? Math.round(r) : r.toFixed(1)}×`;
}

export function formatShare(f: number): string {
  if (!Number.isFinite(f)) return '–';
  const pct = f * 100;
  if (pct > 99.9 && pct < 100) return '>99.9%';
  if (pct > 0 && pct < 0.1) return '<0.1%';
  return `${pct >= 10 ? pct.toFixed(1).replace(/\.0$/, '') : pct.toFixed(1)}%`;
}

/** Larq prints outputs as a Keras shape with the batch axis: (-1, 14, 14, 64). */
export function larqShape(shape: readonly number[]): string {
  return `(-1, ${shape.join(', ')})`;
}

function precisionCell(v: unknown): string {
  if (v === undefined || v === null || v === '') return '-';
  return String(v);
}

/** The hover: the layer's row of the Larq-style summary, in full, as a Markdown table. */
export function layerHoverMarkdown(layer: LayerSpec, row: LayerRow, index: number): string {
  const cells = [
    row.name,
    precisionCell((row as { inputPrecision?: unknown }).inputPrecision),
    larqShape(row.outputShape),
    row.binaryParams.toLocaleString('en-US'),
    row.int8Params.toLocaleString('en-US'),
    row.floatParams.toLocaleString('en-US'),
    formatBytes(row.flashBytes),
    row.binaryMacs.toLocaleString('en-US'),
    row.floatMacs.toLocaleString('en-US'),
  ];
  return [
    `**${markdownText(layerHeadline(layer))}** — ${markdownText(layerLabel(index, undefined, layer.name))}`,
    '',
    '| Layer | Input prec. (bit) | Outputs | # 1-bit | # 8-bit | # 32-bit | Memory | 1-bit MACs | 32-bit MACs |',
    '|:--|--:|:--|--:|--:|--:|--:|--:|--:|',
    `| ${cells.map((c) => markdownText(c)).join(' | ')} |`,
    '',
    'Memory is the deployed flash as BNN Studio compiles it (packed ±1 kernel rows, int32 thresholds, float32 parameters), not Larq\'s bits ÷ 8.',
  ].join('\n');
}

/** "examples/mnist/mlp.bnn.json" → "mlp"; a model file's name as a label. */
export function modelFileLabel(path: string): string {
  const base = path.split(/[\\/]/).pop() ?? path;
  return base.replace(/\.bnn\.json$/i, '');
}

/** Short one-line form of a problem for a tree description. */
export function oneLine(message: string, max = 120): string {
  const s = message.replace(/\s+/g, ' ').trim();
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
