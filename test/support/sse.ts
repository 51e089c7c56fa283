/** Reads a Server-Sent Events response in tests: parses frames, waits for one that matches, closes. */

/** One SSE message: its id (if any), its data parsed as JSON, and when it arrived (performance.now()). */
export interface SseMessage {
  id: string | undefined;
  data: any;
  arrivedAt: number;
}

/** Reads messages from an SSE body as they arrive. */
export class SseReader {
  readonly messages: SseMessage[] = [];
  readonly comments: string[] = [];
  #buffer = '';
  #ended = false;
  #waiters: Array<() => void> = [];
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #done: Promise<void>;

  constructor(body: ReadableStream<Uint8Array>) {
    this.#reader = body.getReader();
    this.#done = this.#pump();
  }

  /** Whether the server ended the stream. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Resolves with the first message (already read or still to come) that `pred` accepts; rejects after timeoutMs. */
  waitFor(pred: (m: SseMessage) => boolean, timeoutMs = 10_000): Promise<SseMessage> {
    return this.#until(() => this.messages.find(pred), timeoutMs, 'no matching message');
  }

  /** Resolves when the server has ended the stream; rejects after timeoutMs. */
  waitEnded(timeoutMs = 10_000): Promise<void> {
    return this.#until(() => (this.#ended ? true : undefined), timeoutMs, 'the stream did not end').then(() => {});
  }

  /** Cancels the stream (the client goes away). */
  async close(): Promise<void> {
    await this.#reader.cancel().catch(() => {});
    await this.#done;
  }

  #until<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    const found = probe();
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const check = () => {
        const hit = probe();
        if (hit === undefined) return;
        clearTimeout(timer);
        this.#waiters = this.#waiters.filter((w) => w !== check);
        resolve(hit);
      };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== check);
        reject(new Error(`${what} within ${timeoutMs} ms; got ${JSON.stringify(this.messages.map((m) => m.data))}`));
      }, timeoutMs);
      this.#waiters.push(check);
    });
  }

  async #pump(): Promise<void> {
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { done, value } = await this.#reader.read();
        if (done) break;
        this.#buffer += decoder.decode(value, { stream: true });
        this.#parse();
      }
    } catch {
      // cancelled
    }
    this.#ended = true;
    for (const w of [...this.#waiters]) w();
  }

  #parse(): void {
    let end: number;
    while ((end = this.#buffer.indexOf('\n\n')) >= 0) {
      const frame = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + 2);
      const lines = frame.split('\n');
      const data = lines.filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
      const id = lines.find((l) => l.startsWith('id: '))?.slice(4);
      if (data === '') this.comments.push(...lines.filter((l) => l.startsWith(':')));
      else this.messages.push({ id, data: JSON.parse(data), arrivedAt: performance.now() });
    }
    for (const w of [...this.#waiters]) w();
  }
}
