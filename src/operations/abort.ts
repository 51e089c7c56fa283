/** Waiting on an operation's abort signal alongside other work. */

/** A promise that rejects with the signal's reason once it aborts, and the function that stops listening. */
export function rejectOnAbort(signal: AbortSignal): { aborted: Promise<never>; dispose: () => void } {
  let dispose = () => {};
  const aborted = new Promise<never>((_, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    dispose = () => signal.removeEventListener('abort', onAbort);
  });
  aborted.catch(() => {}); // observed by whoever races it; never an unhandled rejection
  return { aborted, dispose };
}

/** `work`, or the signal's reason if it aborts first (the work itself is not stopped). */
export async function unlessAborted<T>(signal: AbortSignal, work: Promise<T>): Promise<T> {
  const { aborted, dispose } = rejectOnAbort(signal);
  try {
    return await Promise.race([work, aborted]);
  } finally {
    dispose();
  }
}
