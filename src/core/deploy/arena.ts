/**
 * Places every activation tensor of a plan in one arena. A tensor lives from the stage that writes it (the model input:
 * from before the first stage) to the last stage that reads it (the output: to the end); two tensors whose lives
 * overlap get disjoint bytes. No stage writes over its own inputs, so a stage's inputs and output always overlap.
 *
 * An element-wise stage (Add, ReLU, PReLU) reads element i of each input before it writes element i of its output, so
 * its output may take the very bytes of an input that no later stage reads (`inPlace`): the residual stream then
 * needs two feature maps at an Add, not three.
 *
 * Two placements are tried and the smaller kept:
 * - greedy by size, as TensorFlow Lite Micro's GreedyMemoryPlanner: largest tensor first, each at the lowest offset
 *   free for its whole life;
 * - for a chain, ping-pong: the input and every second stage's output in region A, the others in B after it — what
 *   BNN Studio compiled before graphs, so no chain model's RAM grows.
 */

export interface Lifetime {
  bytes: number;
  /** First and last stage index (inclusive) during which the tensor must be intact; the input starts at −1. */
  first: number;
  last: number;
}

export interface ArenaPlan {
  bytes: number;
  offsets: number[];
  how: 'greedy' | 'ping-pong';
  /** Output tensor → the input whose bytes it takes (in-place element-wise stages). */
  inPlace: [number, number][];
}

const ALIGN = 4;

export function planArena(tensors: readonly Lifetime[], chain: boolean, inPlace: ReadonlyMap<number, number> = new Map()): ArenaPlan {
  const greedy = withInPlace(tensors, inPlace);
  if (chain) {
    const pp = pingPong(tensors);
    if (pp.bytes <= greedy.bytes) return pp;
  }
  return greedy;
}

/** Greedy placement where each in-place output and the input it overwrites are one block living as long as both. */
function withInPlace(tensors: readonly Lifetime[], inPlace: ReadonlyMap<number, number>): ArenaPlan {
  const root = (t: number): number => { let r = t; while (inPlace.has(r)) r = inPlace.get(r)!; return r; };
  const blocks = new Map<number, Lifetime>();
  tensors.forEach((t, i) => {
    const r = root(i);
    const b = blocks.get(r);
    blocks.set(r, b ? { bytes: Math.max(b.bytes, t.bytes), first: Math.min(b.first, t.first), last: Math.max(b.last, t.last) } : { ...t });
  });
  const ids = [...blocks.keys()];
  const placed = greedyBySize(ids.map((r) => blocks.get(r)!));
  const offsetOf = new Map(ids.map((r, k) => [r, placed.offsets[k]]));
  return { bytes: placed.bytes, offsets: tensors.map((_, i) => offsetOf.get(root(i))!), how: 'greedy', inPlace: [...inPlace] };
}

function overlaps(a: Lifetime, b: Lifetime): boolean {
  return a.first <= b.last && b.first <= a.last;
}

function greedyBySize(tensors: readonly Lifetime[]): ArenaPlan {
  const order = tensors.map((_, i) => i).sort((i, j) => tensors[j].bytes - tensors[i].bytes || tensors[i].first - tensors[j].first || i - j);
  const offsets = new Array<number>(tensors.length).fill(0);
  const placed: number[] = [];
  let bytes = 0;
  for (const t of order) {
    const size = align(tensors[t].bytes);
    const busy = placed.filter((p) => overlaps(tensors[p], tensors[t])).map((p) => [offsets[p], offsets[p] + align(tensors[p].bytes)]).sort((a, b) => a[0] - b[0]);
    let at = 0;
    for (const [start, end] of busy) {
      if (at + size <= start) break;
      at = Math.max(at, end);
    }
    offsets[t] = at;
    placed.push(t);
    bytes = Math.max(bytes, at + size);
  }
  return { bytes, offsets, how: 'greedy', inPlace: [] };
}

/** Chain tensors in order: tensor 0 the input, tensor k the output of stage k − 1. */
function pingPong(tensors: readonly Lifetime[]): ArenaPlan {
  let a = 0;
  let b = 0;
  tensors.forEach((t, k) => { if (k % 2 === 0) a = Math.max(a, align(t.bytes)); else b = Math.max(b, align(t.bytes)); });
  return { bytes: a + b, offsets: tensors.map((_, k) => (k % 2 === 0 ? 0 : a)), how: 'ping-pong', inPlace: [] };
}

function align(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}
