import type { TrainedModel } from '../model/trained';
import type { ImportProblem } from './keras';
export function importOnnxModel(_bytes: Uint8Array, file: string): { trained?: TrainedModel; problems: ImportProblem[]; notes: string[] } {
  return { problems: [{ severity: 'error', message: `${file}: ONNX import is not supported by this build of BNN Studio yet` }], notes: [] };
}
