/** Serves a reading for up to maxAgeMs before reading again, so a flood of requests costs at most one read a second. */
export function cachedReader<T>(read: () => Promise<T>, now: () => number, maxAgeMs = 1000): () => Promise<T> {
  let value: Promise<T> | null = null;
  let readAt = -Infinity;
  return () => {
    const t = now();
    if (value === null || t - readAt >= maxAgeMs) {
      readAt = t;
      value = read();
      value.catch(() => { value = null; }); // a failed read is retried on the next call
    }
    return value;
  };
}
