/** A checker for the harness's own test: it hangs, throws or fails on demand. */
export function check(input: string): { error?: string; stats?: string[] } | Promise<{ error?: string; stats?: string[] }> {
  if (input === 'never') return new Promise(() => { /* nothing will ever resolve it */ });
  if (input === 'async-fail') return Promise.resolve({ error: 'bad async answer' });
  if (input === 'hang') for (;;) { /* a synchronous endless loop: only terminating the worker stops it */ }
  if (input === 'throw') throw new RangeError('Maximum call stack size exceeded');
  if (input === 'fail') return { error: 'bad answer' };
  return { stats: ['ok'] };
}
