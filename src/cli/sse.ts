/**
 * A sans-I/O parser of a Server-Sent Events stream (the WHATWG format): text chunks in, whole
 * events out. Only `data` and `id` matter to the client; comments (keepalives) are skipped.
 */

/** One event of the stream. */
export interface SseMessage {
  id: string | null;
  data: string;
}

/** Feeds chunks of an event stream and returns the events they complete. */
export class SseParser {
  #buffer = '';
  #data: string[] = [];
  #id: string | null = null;

  /** The events completed by `chunk`. */
  push(chunk: string): SseMessage[] {
    this.#buffer += chunk;
    const done: SseMessage[] = [];
    let newline: number;
    while ((newline = this.#buffer.search(/\r\n|\r|\n/)) !== -1) {
      const line = this.#buffer.slice(0, newline);
      const width = this.#buffer.startsWith('\r\n', newline) ? 2 : 1;
      if (this.#buffer[newline] === '\r' && width === 1 && newline === this.#buffer.length - 1) break; // a CR whose LF may follow
      this.#buffer = this.#buffer.slice(newline + width);
      const message = this.#line(line);
      if (message) done.push(message);
    }
    return done;
  }

  #line(line: string): SseMessage | null {
    if (line === '') return this.#dispatch();
    if (line.startsWith(':')) return null;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'data') this.#data.push(value);
    else if (field === 'id' && !value.includes('\0')) this.#id = value;
    return null;
  }

  #dispatch(): SseMessage | null {
    if (this.#data.length === 0) return null;
    const message = { id: this.#id, data: this.#data.join('\n') };
    this.#data = [];
    return message;
  }
}
