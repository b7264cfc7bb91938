/**
 * Places every activation tensor of a plan in one arena. A tensor lives from the stage that writes it (the model input:
 * from before the first stage) to the last stage that reads it (the output: to the end); two tensors whose lives
 * overlap get disjoint bytes. No stage writes over its own inputs, so a stage's inputs and output always overlap.
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
}

const ALIGN = 4;

export function planArena(tensors: readonly Lifetime[], chain: boolean): ArenaPlan {
  const greedy = greedyBySize(tensors);
  if (chain) {
    const pp = pingPong(tensors);
    if (pp.bytes <= greedy.bytes) return pp;
  }
  return greedy;
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
  return { bytes, offsets, how: 'greedy' };
}

/** Chain tensors in order: tensor 0 the input, tensor k the output of stage k − 1. */
function pingPong(tensors: readonly Lifetime[]): ArenaPlan {
  let a = 0;
  let b = 0;
  tensors.forEach((t, k) => { if (k % 2 === 0) a = Math.max(a, align(t.bytes)); else b = Math.max(b, align(t.bytes)); });
  return { bytes: a + b, offsets: tensors.map((_, k) => (k % 2 === 0 ? 0 : a)), how: 'ping-pong' };
}

function align(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}
