/**
 * How a device result's flash and RAM are said everywhere (CLI, notification, tree, panel): the model's arrays against
 * the estimate, and the firmware total, as two facts. Pure (the webview imports it); the caller picks the byte format.
 */
import type { DeviceMemory } from '../experiments/types';

/** "35.5 KB = estimate", or "35.6 KB (estimate 35.5 KB)" when they differ. */
export function modelArraysText(m: DeviceMemory, fmt: (n: number) => string): string {
  return m.modelArrays === m.modelEstimate ? `${fmt(m.modelArrays)} = estimate` : `${fmt(m.modelArrays)} (estimate ${fmt(m.modelEstimate)})`;
}

/** "42.9 KB of 1.00 MB (expected 44.1 KB)": the whole firmware, and what the fit rule expected of it. */
export function firmwareTotalText(m: DeviceMemory, fmt: (n: number) => string, available?: number): string {
  return `${fmt(m.firmwareTotal)}${available ? ` of ${fmt(available)}` : ''}${m.firmwareEstimate !== undefined ? ` (expected ${fmt(m.firmwareEstimate)})` : ''}`;
}
