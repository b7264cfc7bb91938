/**
 * Larq/Keras model JSON (`model.to_json()`, Keras 2 and 3) and TensorFlow.js layers models (`model.json` with
 * `modelTopology`) ↔ BNN Studio model specs. Import converts (kerasImport.ts) and then passes the converted model
 * through the one *.bnn.json loader, so what it writes is what `bnn validate` accepts. Export is kerasExport.ts.
 */
import type { ModelSpec } from '../model/spec';
import { loadModelText, type ModelDiagnostic } from '../model/load';
import { convertKerasModel, type ImportProblem, type LayerOrigin, type PreprocessingStep } from './kerasImport';
import { specToDocument } from './kerasExport';
import { magnitudeAwareFolds } from './magnitudeAware';

export type { ImportProblem, LayerOrigin, PreprocessingStep } from './kerasImport';

export interface ImportResult {
  format: 'keras' | 'tfjs-layers';
  /** Set only when the converted model passed the model loader. */
  spec?: ModelSpec;
  /** The `*.bnn.json` text the loader accepted: what an import writes. */
  text?: string;
  problems: ImportProblem[];
  /** What the import changed on purpose and why (a quantizer's scale folded into a BatchNormalization), for the report. */
  notes: string[];
  /** The Keras layer each layer of `spec` came from. */
  origins: LayerOrigin[];
  /** The parsed source document (a TF.js model's weightsManifest is read from it). */
  source?: Record<string, unknown>;
  /** Leading Rescaling/Normalization layers: the model's own input encoding (weightsImport.ts folds it). */
  preprocessing: PreprocessingStep[];
  /** Spec layers whose kernel quantizer was MagnitudeAwareSign. */
  magnitudeAware: Set<number>;
}

/** A loader diagnostic on the converted model, said of the Keras layer it came from. */
function traceToKeras(d: ModelDiagnostic, origins: readonly LayerOrigin[]): ImportProblem {
  const [top, i] = d.path;
  const o = top === 'layers' && typeof i === 'number' ? origins[i] : undefined;
  if (!o) {
    const extra = d.path.length === 1 && top === 'layers' ? ` (the Keras model converts to ${origins.length} layers)` : '';
    return { severity: d.severity, message: `the converted model fails BNN Studio's checks: ${d.message}${extra}` };
  }
  const named = d.message.includes(`'${o.kerasName}'`) ? d.message : `${d.message} (Keras layer ${o.kerasClass} '${o.kerasName}')`;
  return { severity: d.severity, layerIndex: o.kerasIndex, layerName: o.kerasName, message: named };
}

/** Converts a Keras/TF.js model and checks the result with the *.bnn.json loader; `spec` and `text` only if it passes. */
export function importKerasModel(text: string, fileName: string): ImportResult {
  const conv = convertKerasModel(text, fileName);
  const result: ImportResult = { format: conv.format, problems: [...conv.problems], notes: [], origins: conv.origins, source: conv.doc, preprocessing: conv.preprocessing, magnitudeAware: conv.magnitudeAware };
  if (!conv.spec) return result;
  const folds = magnitudeAwareFolds(conv.doc, conv.spec, conv.origins);
  result.notes.push(...folds.notes);
  result.problems.push(...folds.problems);
  const doc = specToDocument(conv.spec) as { layers: Record<string, unknown>[] };
  for (const [i, extra] of conv.documentExtras) Object.assign(doc.layers[i], extra);
  const out = `${JSON.stringify(doc, null, 2)}\n`;
  const loaded = loadModelText(out, `${conv.spec.name}.bnn.json`);
  result.problems.push(...loaded.diagnostics.map((d) => traceToKeras(d, conv.origins)));
  if (loaded.spec && !result.problems.some((p) => p.severity === 'error')) {
    result.spec = loaded.spec;
    result.text = out;
  }
  return result;
}
