/**
 * Which files are models, by name. Kept apart from importedModel.ts, which reads them: the views need these at
 * activation, and the reader brings the model loader (and ajv) with it.
 */

/** Model files that are not `*.bnn.json` but may be Keras/TF.js models (the Models tree also lists these). */
export const IMPORTED_MODEL_GLOB = '**/{*.keras.json,model.json}';

export function isBnnModelFile(file: string): boolean {
  return /\.bnn\.json$/i.test(file);
}
