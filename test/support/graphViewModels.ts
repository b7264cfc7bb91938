/**
 * Graph-view models for the browser test and the benchmark: the view model of a model text, built as the host builds
 * it (load → estimate → buildGraphModel), and a residual stack of any depth to lay out.
 */
import { loadModelText } from '../../src/core/model/load';
import { summarize } from '../../src/core/estimate/summary';
import { buildGraphModel } from '../../src/core/view/graphModel';
import type { GraphViewModel } from '../../src/core/messages';

export function graphViewModelOf(text: string, file: string): GraphViewModel {
  const loaded = loadModelText(text, file);
  if (!loaded.spec) throw new Error(`${file} does not load: ${loaded.diagnostics.map((d) => d.message).join('; ')}`);
  return buildGraphModel({ spec: loaded.spec, summary: summarize(loaded.spec), file, uri: `file:///work/${file}`, layerLines: loaded.layerRanges.map((r) => r.start.line) });
}

/** A real stem, `blocks` binary 3×3 convs each wrapped by an identity shortcut (4 layers a block), and a dense head. */
export function residualStackText(blocks: number): string {
  const layers: unknown[] = [{ type: 'QuantConv2D', name: 'stem', filters: 8, kernelSize: 3, padding: 'same', inputQuantizer: null, kernelQuantizer: null, useBias: false }, { type: 'BatchNormalization', name: 'bn0' }];
  let last = 'bn0';
  for (let b = 1; b <= blocks; b++) {
    layers.push(
      { type: 'QuantConv2D', name: `c${b}`, filters: 8, kernelSize: 3, padding: 'same', inputQuantizer: 'ste_sign', kernelQuantizer: 'ste_sign', useBias: false, inputs: [last] },
      { type: 'BatchNormalization', name: `bn${b}` },
      { type: 'Add', name: `add${b}`, inputs: [`bn${b}`, last] },
      { type: 'PReLU', name: `act${b}` },
    );
    last = `act${b}`;
  }
  layers.push({ type: 'GlobalAveragePooling2D', name: 'gap' }, { type: 'QuantDense', name: 'head', units: 10, inputQuantizer: null, kernelQuantizer: null, useBias: true });
  return JSON.stringify({ name: `residual_stack_${blocks}`, input: { shape: [8, 8, 1] }, classes: 10, layers });
}
