/** TensorFlow 'same' padding for one axis: total = max((ceil(in/s) − 1)·s + k − in, 0), the extra pixel after. */
export function samePadding(inSize: number, k: number, s: number): [number, number] {
  const out = Math.ceil(inSize / s);
  const total = Math.max((out - 1) * s + k - inSize, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}
