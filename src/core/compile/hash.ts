/**
 * The model hash a board reports in HELLO and the host checks before benchmarking: 16 hex digits of SHA-256 over a
 * canonical description of the lowered stages (kinds, geometry, representations) and the exact bytes of every
 * parameter array, and the C runtime's files (runtimeFiles.ts), so any change that can change an output changes the
 * hash.
 */
import { createHash } from 'node:crypto';
import { runtimeFiles } from './runtimeFiles';
import type { LoweredModel, LoweredStage } from './types';

function stageDescriptor(s: LoweredStage): unknown {
  switch (s.kind) {
    case 'binarize': return { kind: s.kind, in: s.inputRepr, positions: s.positions, channels: s.channels };
    case 'maxpool': return { kind: s.kind, repr: s.repr, channels: s.channels, pool: s.pool };
    case 'batchnorm': return { kind: s.kind, in: s.inputRepr, out: s.outputRepr, acc: s.acc, positions: s.positions, channels: s.channels, epilogue: s.epilogue.kind };
    case 'add': return { kind: s.kind, inputs: s.inputs, size: s.size };
    case 'concat': return { kind: s.kind, positions: s.positions, channels: s.channels };
    case 'avgpool': return { kind: s.kind, channels: s.channels, pool: s.pool };
    case 'gap': return { kind: s.kind, positions: s.positions, channels: s.channels };
    case 'relu': return { kind: s.kind, positions: s.positions, channels: s.channels };
    case 'prelu': return { kind: s.kind, positions: s.positions, channels: s.channels };
    // The kernel (scratch) is part of it: a RAM-lean build of the same weights is another firmware.
    default: return { kind: s.kind, in: s.inputRepr, out: s.outputRepr, mode: s.mode, acc: s.acc, geom: s.geom, pool: s.pool ?? null, epilogue: s.epilogue.kind, outH: s.outH, outW: s.outW, residual: s.residual === true, scratch: s.scratch?.kind ?? null };
  }
}

function stageArrays(s: LoweredStage): ArrayBufferView[] {
  const out: ArrayBufferView[] = [];
  if (s.kind === 'conv' || s.kind === 'dense') {
    if (s.kernelBits) out.push(s.kernelBits);
    if (s.kernelFloat) out.push(s.kernelFloat);
  }
  if (s.kind === 'conv' || s.kind === 'dense' || s.kind === 'batchnorm') {
    const e = s.epilogue;
    if (e.kind === 'threshold') out.push(e.thresholds, e.flips);
    if (e.kind === 'affine') out.push(e.scale, e.offset);
  }
  if (s.kind === 'prelu' && s.alpha) out.push(s.alpha);
  return out;
}

/** Little-endian bytes, whatever the host's endianness, as the C arrays hold them on the board. */
function leBytes(a: ArrayBufferView): Uint8Array {
  const src = new DataView(a.buffer, a.byteOffset, a.byteLength);
  const out = new Uint8Array(a.byteLength);
  const dst = new DataView(out.buffer);
  for (let i = 0; i < a.byteLength; i += 4) dst.setUint32(i, src.getUint32(i, true), true);
  return out;
}

/** `runtime`: the C runtime's files by name (the installed ones by default). */
export function hashLowered(m: LoweredModel, runtime: Record<string, string> = runtimeFiles()): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ format: 1, input: m.spec.input.shape, classes: m.classes, scoresAreFloat: m.scoresAreFloat, stages: m.stages.map(stageDescriptor), arena: m.plan.arena.bytes, offsets: m.plan.arena.offsets, wiring: m.plan.stages.map((s) => [s.inputs.map((t) => t.id), s.output.id]) }));
  for (const s of m.stages) for (const a of stageArrays(s)) h.update(leBytes(a));
  for (const [name, text] of Object.entries(runtime)) h.update(`\0${name}\0${text}`);
  return h.digest('hex').slice(0, 16);
}
