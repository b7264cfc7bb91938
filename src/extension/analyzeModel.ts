/**
 * Computes a model's analysis: load + validate (JSON Schema via ajv, semantics) + estimate. Kept apart from
 * modelAnalysis.ts so the extension loads it (and ajv) on first use, keeping activation cheap.
 */
import { loadModelText, type LoadedModel, type ModelDiagnostic } from '../core/model/load';
import { summarize, type ModelSummary } from '../core/estimate/summary';
import type { ModelAnalysis } from './modelAnalysis';
import { loadImportedModelText } from '../core/interop/importedModel';
import { isBnnModelFile } from '../core/interop/modelFiles';

const TOP: ModelDiagnostic['range'] = { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } };

/** Never throws: any failure becomes a problem on the model, so a broken file cannot break a view. */
export function analyzeModelText(text: string, file: string): ModelAnalysis {
  let load: LoadedModel;
  try {
    // Larq/Keras and TF.js model files in the tree are read through the importer, with the same estimates.
    load = isBnnModelFile(file) ? loadModelText(text, file) : loadImportedModelText(text, file);
  } catch (err) {
    const message = `internal error while reading the model: ${err instanceof Error ? err.message : String(err)}`;
    load = { file, diagnostics: [{ message, severity: 'error', range: TOP, path: [], stage: 'semantic' }], layerRanges: [] };
  }
  const problems = [...load.diagnostics];
  let summary: ModelSummary | undefined;
  if (load.spec && !problems.some((d) => d.severity === 'error')) {
    try {
      summary = summarize(load.spec, load.plan);
    } catch (err) {
      problems.push({ message: `cannot estimate this model: ${err instanceof Error ? err.message : String(err)}`, severity: 'error', range: TOP, path: [], stage: 'semantic' });
    }
  }
  problems.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
  return { file, text, load, summary, problems };
}

