/** Calls `fn(key)` once, `ms` after the last call for that key: typing must not re-analyse on every keystroke. */
export function debounceByKey<K>(ms: number, fn: (key: K) => void): { (key: K): void; dispose(): void } {
  const timers = new Map<K, ReturnType<typeof setTimeout>>();
  const call = (key: K): void => {
    const t = timers.get(key);
    if (t) clearTimeout(t);
    timers.set(key, setTimeout(() => { timers.delete(key); fn(key); }, ms));
  };
  call.dispose = (): void => {
    for (const t of timers.values()) clearTimeout(t);
    timers.clear();
  };
  return call;
}
