/** A checker for the harness's own test: it hangs, throws or fails on demand. */
export function check(input: string): { error?: string; stats?: string[] } {
  if (input === 'hang') for (;;) { /* a synchronous endless loop: only terminating the worker stops it */ }
  if (input === 'throw') throw new RangeError('Maximum call stack size exceeded');
  if (input === 'fail') return { error: 'bad answer' };
  return { stats: ['ok'] };
}
