/** A small typed set of listeners: add, remove, emit; one throwing listener never starves the rest. */

/** Listeners of values of type T. */
export class Listeners<T> {
  readonly #listeners = new Set<(value: T) => void>();

  /** How many listeners there are. */
  get size(): number {
    return this.#listeners.size;
  }

  /** Adds a listener; returns the function that removes it. */
  add(listener: (value: T) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Calls every listener with `value`; errors are passed to `onError` (default: ignored). */
  emit(value: T, onError?: (err: unknown) => void): void {
    for (const listener of this.#listeners) {
      try {
        listener(value);
      } catch (err) {
        onError?.(err);
      }
    }
  }
}
