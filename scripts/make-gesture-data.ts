// Writes a synthetic but physically plausible 3-axis accelerometer gesture dataset as NumPy's .npz — the sensor-window
// example of docs/data-and-experiments.md, for examples/imu-gestures.bnn.json:
//
//   npx tsx scripts/make-gesture-data.ts [out.npz] [--windows-per-class N] [--seed S]
//
// Each window is 128 samples at 50 Hz (2.56 s) of x, y, z in m/s², as a phone or an IMU board records them: gravity
// (9.81 m/s²) along a "down" tilted up to 35°, the gesture's motion on top, slow arm drift and 0.6 m/s² sensor noise.
// Classes (y): 0 idle (hand tremor only), 1 wave (side to side along x, 1.5–3 Hz), 2 circle (x and y a quarter period
// apart, 0.7–1.5 Hz, drawn as an ellipse down to 0.3 — almost a wave), 3 shake (a 5–8 Hz burst of 0.4–1.2 s along a
// random axis). Saved as x (float32, [N, 128, 3]) and y (int32, [N]); BNN Studio holds out a stratified test split
// and maps the floats to 8-bit inputs by its stated rule.
import { writeFileSync } from 'node:fs';
import { dump } from 'npyjs';
import { zipSync } from 'fflate';
import { Mulberry32 } from '../src/core/data/prng';

export const GESTURES = ['idle', 'wave', 'circle', 'shake'];
export const WINDOW = 128;
export const RATE_HZ = 50;
const G = 9.81;

function gaussian(rng: Mulberry32): number {
  // Box–Muller
  const u = 1 - rng.nextFloat();
  const v = rng.nextFloat();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

const uniform = (rng: Mulberry32, lo: number, hi: number): number => lo + (hi - lo) * rng.nextFloat();

/** One window of `gesture` (row-major [128, 3]). */
function window(gesture: number, rng: Mulberry32): Float32Array {
  const out = new Float32Array(WINDOW * 3);
  // the device is held roughly flat: gravity within ±35° of −z, seen by the sensor as +z (it measures the reaction)
  const pitch = uniform(rng, -0.6, 0.6);
  const roll = uniform(rng, -0.6, 0.6);
  const g = [G * Math.sin(roll), -G * Math.sin(pitch) * Math.cos(roll), G * Math.cos(pitch) * Math.cos(roll)];
  const phase = uniform(rng, 0, 2 * Math.PI);
  const f = gesture === 1 ? uniform(rng, 1.5, 3) : gesture === 2 ? uniform(rng, 0.7, 1.5) : gesture === 3 ? uniform(rng, 5, 8) : uniform(rng, 8, 12);
  const a = gesture === 1 ? uniform(rng, 1.5, 5) : gesture === 2 ? uniform(rng, 1.5, 4) : gesture === 3 ? uniform(rng, 3, 10) : uniform(rng, 0.05, 0.3);
  // a shake is a burst: a Hann envelope somewhere in the window, along a random direction
  const axis = [gaussian(rng), gaussian(rng), gaussian(rng)];
  const norm = Math.hypot(...axis) || 1;
  const start = uniform(rng, 0, WINDOW * 0.7);
  const length = uniform(rng, 20, 60);
  // a circle drawn carelessly is an ellipse (at 0.3 almost a wave); every gesture drifts with the arm
  const ellipse = uniform(rng, 0.3, 1);
  const drift = [uniform(rng, -0.6, 0.6), uniform(rng, -0.6, 0.6), uniform(rng, -0.3, 0.3)];
  const driftHz = uniform(rng, 0.1, 0.4);
  for (let t = 0; t < WINDOW; t++) {
    const s = t / RATE_HZ;
    const w = 2 * Math.PI * f * s + phase;
    let m = [0, 0, 0];
    if (gesture === 0) m = [a * Math.sin(w), a * Math.sin(1.3 * w), a * 0.5 * Math.sin(0.7 * w)];
    else if (gesture === 1) m = [a * Math.sin(w), 0.2 * a * Math.sin(w + 0.5), 0.1 * a * Math.sin(2 * w)];
    else if (gesture === 2) m = [a * Math.cos(w), ellipse * a * Math.sin(w), 0.15 * a * Math.sin(2 * w)];
    else {
      const u = (t - start) / length;
      const env = u >= 0 && u <= 1 ? 0.5 - 0.5 * Math.cos(2 * Math.PI * u) : 0;
      m = axis.map((c) => (a * env * Math.sin(w) * c) / norm);
    }
    const slow = Math.sin(2 * Math.PI * driftHz * s);
    for (let k = 0; k < 3; k++) out[t * 3 + k] = g[k] + m[k] + drift[k] * slow + 0.6 * gaussian(rng);
  }
  return out;
}

/** `perClass` windows of each gesture, interleaved (0, 1, 2, 3, 0, …), from `seed`. */
export function gestureWindows(perClass: number, seed = 1): { x: Float32Array; y: Int32Array; count: number } {
  const rng = new Mulberry32(seed);
  const count = perClass * GESTURES.length;
  const x = new Float32Array(count * WINDOW * 3);
  const y = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    y[i] = i % GESTURES.length;
    x.set(window(y[i], rng), i * WINDOW * 3);
  }
  return { x, y, count };
}

/** The .npz bytes of a gesture dataset: x [N, 128, 3] float32 and y [N] int32, deflated as np.savez_compressed does. */
export function gestureNpz(perClass: number, seed = 1): Uint8Array {
  const { x, y, count } = gestureWindows(perClass, seed);
  return zipSync({
    'x.npy': new Uint8Array(dump(x, [count, WINDOW, 3])),
    'y.npy': new Uint8Array(dump(y, [count])),
  }, { level: 6 });
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const flag = (name: string, dflt: number): number => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? Number(args.splice(i, 2)[1]) : dflt;
  };
  const perClass = flag('windows-per-class', 300);
  const seed = flag('seed', 1);
  const out = args[0] ?? 'imu-gestures.npz';
  writeFileSync(out, gestureNpz(perClass, seed));
  process.stdout.write(`${out}: ${perClass * GESTURES.length} windows of ${WINDOW} samples × 3 axes (${GESTURES.map((g, i) => `${i} ${g}`).join(', ')})\n`);
}
