/**
 * A Larq/Keras model JSON or TF.js model.json read as a model the views can show (Models tree estimates, problems):
 * importKerasModel's spec, and its problems placed on the Keras layer they name in the source text.
 */
import { parseTree, findNodeAtLocation, type Node } from 'jsonc-parser';
import type { LoadedModel, ModelDiagnostic } from '../model/load';
import { LineIndex } from '../model/positions';
import { findExcessiveNesting } from '../model/jsonDepth';
import { importKerasModel } from './keras';

/** The JSON paths of the Keras layer list in the three layouts (Keras to_json, TF.js model.json, Keras 3 build). */
const LAYER_LISTS: (string | number)[][] = [['config', 'layers'], ['modelTopology', 'config', 'layers'], ['modelTopology', 'model_config', 'config', 'layers']];

export function loadImportedModelText(text: string, file: string): LoadedModel {
  const r = importKerasModel(text, file);
  const lines = new LineIndex(text);
  let root: Node | undefined;
  // importKerasModel has already refused a file this deep; parseTree would recurse once per level.
  if (!findExcessiveNesting(text)) root = parseTree(text);
  const list = root ? LAYER_LISTS.map((p) => findNodeAtLocation(root!, p)).find((n) => n?.type === 'array') : undefined;
  const top = { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } };
  const diagnostics: ModelDiagnostic[] = r.problems.map((p) => {
    const node = p.layerIndex !== undefined ? list?.children?.[p.layerIndex] : undefined;
    return {
      message: p.message,
      severity: p.severity,
      range: node ? lines.range(node.offset, node.length) : top,
      path: p.layerIndex !== undefined ? ['config', 'layers', p.layerIndex] : [],
      stage: 'semantic' as const,
    };
  });
  return { file, spec: r.spec, diagnostics, layerRanges: [], rootRange: root ? lines.range(root.offset, root.length) : undefined };
}
