/**
 * Device results saved before flash and RAM were split into model arrays and firmware total had
 * `{ used, estimate, modelBytes }`: `used` was the firmware total, `estimate` the model's. Read either shape.
 */
import type { DeviceMemory, DeviceResult } from './types';

interface LegacyMemory { used?: unknown; estimate?: unknown; modelBytes?: unknown }

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

export function deviceMemoryOf(m: unknown): DeviceMemory | undefined {
  if (typeof m !== 'object' || m === null) return undefined;
  const d = m as Partial<DeviceMemory> & LegacyMemory;
  const modelEstimate = num(d.modelEstimate) ?? num(d.estimate);
  const firmwareTotal = num(d.firmwareTotal) ?? num(d.used);
  if (modelEstimate === undefined || firmwareTotal === undefined) return undefined;
  // old files without modelBytes: the arrays were not measured apart; the estimate is what the compiled C stores
  const modelArrays = num(d.modelArrays) ?? num(d.modelBytes) ?? modelEstimate;
  const firmwareEstimate = num(d.firmwareEstimate);
  return { modelArrays, modelEstimate, firmwareTotal, ...(firmwareEstimate !== undefined ? { firmwareEstimate } : {}) };
}

/** The result with flash and RAM in the current shape; undefined fields stay as read. */
export function upgradeDeviceResult<T extends Partial<DeviceResult>>(v: T): T {
  const flash = deviceMemoryOf(v.flash);
  const ram = deviceMemoryOf(v.ram);
  return { ...v, ...(flash ? { flash } : {}), ...(ram ? { ram } : {}) };
}
