/** A checker for the harness's own test: it hangs, throws or fails on demand. */
export function check(input: string): { error?: string; stats?: string[] } | Promise<{ error?: string; stats?: string[] }> {
  if (input === 'async-ok') return Promise.resolve({ stats: ['ok'] });
  if (input === 'async-throw') return Promise.reject(new TypeError('x is undefined'));
  if (input === 'async-hang') return new Promise(() => { /* never settles, and nothing keeps the worker alive */ });
  if (input === 'async-slow') return new Promise((r) => { setInterval(() => undefined, 1000); setTimeout(() => r({ stats: ['ok'] }), 60_000); });
  if (input === 'hang') for (;;) { /* a synchronous endless loop: only terminating the worker stops it */ }
  if (input === 'throw') throw new RangeError('Maximum call stack size exceeded');
  if (input === 'fail') return { error: 'bad answer' };
  return { stats: ['ok'] };
}
