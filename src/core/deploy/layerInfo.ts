/**
 * Per-layer accounting in Larq's columns (parameters by precision, MACs) plus the deployed flash bytes each layer
 * holds, read off the plan's stages so a layer's bytes are exactly those compiled.
 */
import type { LayerSpec, ModelSpec } from '../model/spec';
import { hasBinaryInput, hasBinaryKernel } from '../model/spec';
import type { Stage } from './plan';

export interface LayerInfo {
  index: number;
  name: string;
  type: LayerSpec['type'];
  inputShape: number[];
  outputShape: number[];
  /** Deployed flash bytes attributed to this layer (kernel to the MAC layer, epilogue to its BatchNorm if any). */
  flashBytes: number;
  binaryParams: number;
  int8Params: number;
  floatParams: number;
  binaryMacs: number;
  floatMacs: number;
  /** True when this layer's input is binarized (Larq's "input precision" 1 bit). */
  binaryInput: boolean;
  binaryKernel: boolean;
}


export function layerInfo(spec: ModelSpec, idx: number, inShape: number[], outShape: number[], stages: Stage[]): LayerInfo {
  const layer = spec.layers[idx];
  const binaryKernel = hasBinaryKernel(layer);
  const binaryInput = hasBinaryInput(layer);
  let binaryParams = 0;
  let floatParams = 0;
  let binaryMacs = 0;
  let floatMacs = 0;
  let flashBytes = 0;
  const stage = stages.find((s) => s.layers.includes(idx));
  if (layer.type === 'QuantConv2D' || layer.type === 'QuantDense') {
    const fanIn = layer.type === 'QuantConv2D' ? layer.kernelSize[0] * layer.kernelSize[1] * inShape[2] : inShape[0];
    const outputs = layer.type === 'QuantConv2D' ? layer.filters : layer.units;
    const kernelParams = fanIn * outputs;
    if (binaryKernel) binaryParams += kernelParams; else floatParams += kernelParams;
    if (layer.useBias) floatParams += outputs;
    const outPositions = layer.type === 'QuantConv2D' ? outShape[0] * outShape[1] : 1;
    const macs = outPositions * kernelParams;
    if (binaryKernel && binaryInput) binaryMacs = macs; else floatMacs = macs;
    if (stage) flashBytes += stage.kernelBytes + ((stage.kind === 'conv' || stage.kind === 'dense') && stage.batchNorm !== undefined ? 0 : stage.epilogueBytes);
  } else if (layer.type === 'BatchNormalization') {
    const c = outShape[outShape.length - 1];
    // Larq's summary (larq/models.py, LayerProfile) fuses beta with the moving mean and gamma with the moving
    // variance, so a BatchNormalization counts 2 parameters per channel whatever its scale/center; the deployed
    // thresholds are counted in flashBytes, not here.
    floatParams += 2 * c;
    if (stage) flashBytes += stage.epilogueBytes;
  } else if (layer.type === 'PReLU') {
    floatParams += outShape[outShape.length - 1];
    if (stage) flashBytes += stage.epilogueBytes;
  }
  return {
    index: idx, name: layer.name, type: layer.type, inputShape: inShape, outputShape: outShape,
    flashBytes, binaryParams, int8Params: 0, floatParams, binaryMacs, floatMacs, binaryInput, binaryKernel,
  };
}
