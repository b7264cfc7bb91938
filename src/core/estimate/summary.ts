/**
 * The Larq-style model summary (after `lq.models.summary`), computed from the deployment plan so its flash bytes are
 * the compiled bytes. Larq's "Memory (kB)" counts bits (1-bit params × 1 + 32-bit params × 32) / (8 × 1024); BNN
 * Studio adds "Flash" — the bytes the compiled C really stores (packed words, folded thresholds) — and peak RAM.
 */
import type { ModelSpec } from '../model/spec';
import { planModel, type DeployPlan } from '../deploy/plan';

export interface LayerSummary {
  name: string;
  type: string;
  /** Larq's "Input prec. (bit)": 1 when the layer binarizes its input, undefined ("-") otherwise. */
  inputPrecision?: number;
  kernelPrecision?: number;
  outputShape: number[];
  binaryParams: number;
  int8Params: number;
  floatParams: number;
  /** Larq's memory in kB (8×1024 bits). */
  larqMemoryKB: number;
  flashBytes: number;
  binaryMacs: number;
  floatMacs: number;
}

export interface ModelSummary {
  name: string;
  layers: LayerSummary[];
  totals: {
    params: number;
    binaryParams: number;
    int8Params: number;
    floatParams: number;
    larqMemoryKB: number;
    flashBytes: number;
    ramBytes: number;
    float32Bytes: number;
    /** float32 bytes / flash bytes. */
    compressionRatio: number;
    binaryMacs: number;
    floatMacs: number;
    /** Share of all MACs that are XNOR-popcount. */
    binaryMacShare: number;
  };
  plan: DeployPlan;
}

/** The summary of a spec; `plan` is its deployment plan when the caller has it already (the loader's). */
export function summarize(spec: ModelSpec, plan: DeployPlan = planModel(spec)): ModelSummary {
  const layers: LayerSummary[] = plan.layers.map((l) => {
    const isMac = l.type === 'QuantConv2D' || l.type === 'QuantDense';
    return {
      name: l.name,
      type: l.type,
      inputPrecision: l.binaryInput ? 1 : undefined,
      kernelPrecision: isMac ? (l.binaryKernel ? 1 : 32) : undefined,
      outputShape: l.outputShape,
      binaryParams: l.binaryParams,
      int8Params: l.int8Params,
      floatParams: l.floatParams,
      larqMemoryKB: (l.binaryParams + 8 * l.int8Params + 32 * l.floatParams) / (8 * 1024),
      flashBytes: l.flashBytes,
      binaryMacs: l.binaryMacs,
      floatMacs: l.floatMacs,
    };
  });
  const sum = (f: (l: LayerSummary) => number): number => layers.reduce((a, l) => a + f(l), 0);
  const binaryMacs = plan.binaryMacs;
  const floatMacs = plan.floatMacs;
  return {
    name: spec.name,
    layers,
    totals: {
      params: sum((l) => l.binaryParams + l.int8Params + l.floatParams),
      binaryParams: sum((l) => l.binaryParams),
      int8Params: sum((l) => l.int8Params),
      floatParams: sum((l) => l.floatParams),
      larqMemoryKB: sum((l) => l.larqMemoryKB),
      flashBytes: plan.flashBytes,
      ramBytes: plan.ramBytes,
      float32Bytes: plan.float32Bytes,
      compressionRatio: plan.flashBytes ? plan.float32Bytes / plan.flashBytes : 0,
      binaryMacs,
      floatMacs,
      binaryMacShare: binaryMacs + floatMacs ? binaryMacs / (binaryMacs + floatMacs) : 0,
    },
    plan,
  };
}

/** 4.6 KB, 1.2 MB: binary prefixes (1 KB = 1024 bytes), as embedded toolchains report sizes. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10 * 1024 ? 1 : 0)} KB`;
  return `${(n / (1024 * 1024)).toFixed(2)} MB`;
}

/** 1.2 M, 35 k: for MAC and parameter counts. */
export function formatCount(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1e6) return `${(n / 1e3).toFixed(n < 1e4 ? 1 : 0)} k`;
  if (n < 1e9) return `${(n / 1e6).toFixed(n < 1e7 ? 1 : 0)} M`;
  return `${(n / 1e9).toFixed(2)} G`;
}

/** 28×28×64 */
export function formatShape(shape: readonly number[]): string {
  return shape.join('×');
}

/** "4.6 KB · 1.2 M BOPs" — bytes and operations, leaving out zeros (a Flatten costs nothing). */
export function layerCost(row: Pick<LayerSummary, 'flashBytes' | 'binaryMacs' | 'floatMacs'>): string {
  const parts: string[] = [];
  if (row.flashBytes > 0) parts.push(formatBytes(row.flashBytes));
  if (row.binaryMacs > 0) parts.push(`${formatCount(row.binaryMacs)} BOPs`);
  if (row.floatMacs > 0) parts.push(`${formatCount(row.floatMacs)} MACs`);
  return parts.join(' · ');
}

function shapeText(s: number[]): string {
  return `(-1, ${s.join(', ')})`;
}

/** The summary as a text table in Larq's layout, with BNN Studio's deployed-bytes column. */
export function formatSummaryTable(s: ModelSummary): string {
  const header = ['Layer', 'Input prec. (bit)', 'Outputs', '# 1-bit', '# 32-bit', 'Memory (kB)', 'Flash (bytes)', '1-bit MACs', '32-bit MACs'];
  const rows = s.layers.map((l) => [
    `${l.name} (${l.type})`,
    l.inputPrecision === undefined ? '-' : String(l.inputPrecision),
    shapeText(l.outputShape),
    String(l.binaryParams),
    String(l.floatParams),
    l.larqMemoryKB.toFixed(2),
    String(l.flashBytes),
    String(l.binaryMacs),
    String(l.floatMacs),
  ]);
  const t = s.totals;
  const total = ['Total', '', '', String(t.binaryParams), String(t.floatParams), t.larqMemoryKB.toFixed(2), String(t.flashBytes), String(t.binaryMacs), String(t.floatMacs)];
  const all = [header, ...rows, total];
  const widths = header.map((_, c) => Math.max(...all.map((r) => r[c].length)));
  const line = (r: string[]): string => `| ${r.map((v, c) => (c === 0 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join(' | ')} |`;
  const rule = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+`;
  const out = [`${s.name} summary`, rule, line(header), rule, ...rows.map(line), rule, line(total), rule];
  const stats: [string, string][] = [
    ['Total params', formatCount(t.params)],
    ['Model size (Larq, bits/8)', `${t.larqMemoryKB.toFixed(2)} KiB`],
    ['Flash (deployed bytes)', `${t.flashBytes} B (${formatBytes(t.flashBytes)})`],
    ['Peak RAM (activation arena + first-layer and padding scratch)', `${t.ramBytes} B (${formatBytes(t.ramBytes)})`],
    ...(s.plan.residual ? [['Residual stream', `${s.plan.residual.repr === 'f32' ? 'float32' : s.plan.residual.repr}, ${s.plan.residual.tensors} tensors, largest ${s.plan.residual.largestBytes} B (${formatBytes(s.plan.residual.largestBytes)})`] as [string, string]] : []),
    ['Float-32 equivalent', `${t.float32Bytes} B (${formatBytes(t.float32Bytes)})`],
    ['Compression ratio (float32 / flash)', `${t.compressionRatio.toFixed(2)}×`],
    ['Binary MACs (XNOR-popcount)', `${formatCount(t.binaryMacs)} (${(100 * t.binaryMacShare).toFixed(1)}% of ${formatCount(t.binaryMacs + t.floatMacs)})`],
  ];
  const kw = Math.max(...stats.map(([k]) => k.length));
  out.push(...stats.map(([k, v]) => `${k.padEnd(kw)}  ${v}`));
  return out.join('\n');
}

/** The `bnn summary --json` shape. */
export function summaryJson(s: ModelSummary): object {
  return {
    name: s.name,
    layers: s.layers.map((l) => ({
      name: l.name, type: l.type, outputShape: l.outputShape, binaryParams: l.binaryParams, int8Params: l.int8Params,
      floatParams: l.floatParams, flashBytes: l.flashBytes, binaryMacs: l.binaryMacs, floatMacs: l.floatMacs,
      inputPrecision: l.inputPrecision ?? null, larqMemoryKB: l.larqMemoryKB,
    })),
    totals: {
      flashBytes: s.totals.flashBytes, ramBytes: s.totals.ramBytes, float32Bytes: s.totals.float32Bytes,
      binaryMacs: s.totals.binaryMacs, floatMacs: s.totals.floatMacs, params: s.totals.params,
      compressionRatio: s.totals.compressionRatio, binaryMacShare: s.totals.binaryMacShare,
      arenaBytes: s.plan.arena.bytes, residual: s.plan.residual ?? null,
    },
  };
}
