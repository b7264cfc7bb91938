/**
 * The one rule for a BatchNormalization's `axis`, for the model loader and the Keras importer. Keras counts axes with
 * the batch first, so a channels-last [H, W, C] map has its channels at 3 (or -1, the default) and a flat input at 1.
 * BNN Studio's BatchNormalization (and the threshold it folds into on the device) is per channel, so any other axis
 * would be computed as if it were the channel one: it is refused, not reinterpreted.
 */

/** Why `axis` is not the channel axis of a layer whose input (without the batch) is `inputShape`; undefined if it is. */
export function batchNormAxisProblem(axis: unknown, inputShape: readonly number[]): string | undefined {
  if (axis === undefined) return undefined;
  const rank = inputShape.length + 1;
  const dims = `[batch, ${inputShape.length === 3 ? 'H, W, C' : inputShape.length === 1 ? 'features' : inputShape.map(String).join(', ')}]`;
  const use = `BatchNormalization here normalizes each channel: use -1 (or ${rank - 1}), or leave "axis" out`;
  const list = Array.isArray(axis) ? axis : [axis];
  if (list.length !== 1) return `${JSON.stringify(axis)} normalizes over ${list.length} axes of its ${dims} input; ${use}`;
  const a = list[0];
  if (a === -1 || a === rank - 1) return undefined;
  const names = rank === 4 ? ['batch', 'height', 'width', 'channel'] : rank === 2 ? ['batch', 'feature'] : [];
  const which = typeof a === 'number' && Number.isInteger(a) && a >= -rank && a < rank ? names[(a + rank) % rank] : undefined;
  return `${JSON.stringify(axis)} is ${which ? `the ${which} axis` : typeof a === 'number' && (a >= rank || a < -rank) ? 'not an axis' : 'not the channel axis'} of its ${dims} input; ${use}`;
}
