/** The tensors a deployment plan materialises: how each is held in RAM and how many bytes it takes. */
import { alignedBytes, packedTensorWords, WORD_BYTES } from './packing';

/** How a tensor is held in RAM: raw 8-bit input, packed signs, int32 accumulators or float32. */
export type Repr = 'u8' | 'bits' | 'i32' | 'f32';

export interface TensorInfo {
  /** Index into DeployPlan.tensors (0 is the model input). */
  id: number;
  shape: number[];
  repr: Repr;
  bytes: number;
}

export function tensorBytes(shape: readonly number[], repr: Repr): number {
  if (repr === 'bits') return packedTensorWords(shape) * WORD_BYTES;
  const n = shape.reduce((a, b) => a * b, 1);
  return alignedBytes(repr === 'u8' ? n : n * 4);
}
