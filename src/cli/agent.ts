/**
 * The agent as the client sees it: JSON requests with the caller's token, the agent's error
 * envelope turned into AgentError, an unreachable agent into Unreachable, and the event stream.
 */
import { SseParser, type SseMessage } from './sse.ts';

/** A request the agent answered with an error status. */
export class AgentError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly body: unknown) {
    super(message);
  }
}

/** The agent could not be reached, or answered with something that is not its JSON. */
export class Unreachable extends Error {}

/** One answer of the agent. */
export interface Answer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

/** Options of one request. */
export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /** Milliseconds before giving up; the agent answers within its request timeout, long polls within their wait. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** The longest an ordinary request may take: the agent's own limit is 30 s by default. */
const REQUEST_TIMEOUT_MS = 120_000;

/** A client of one agent. */
export class Agent {
  constructor(readonly base: URL, private readonly token: string | null) {}

  /** The absolute URL of `path` (which may carry a query) under the agent's base URL. */
  url(path: string): URL {
    return new URL(this.base.pathname.replace(/\/$/, '') + path, this.base);
  }

  /** Sends a request and parses its JSON answer; throws AgentError on 4xx/5xx, Unreachable on no answer. */
  async request<T = Record<string, unknown>>(method: string, path: string, opts: RequestOptions = {}): Promise<Answer<T>> {
    const response = await this.#send(method, path, opts, 'application/json');
    const text = await response.text().catch((err: unknown) => { throw new Unreachable(`reading the answer: ${reason(err)}`); });
    const body = parseJson(text, response.status);
    if (response.status >= 400) throw agentError(response.status, body);
    return { status: response.status, headers: response.headers, body: body as T };
  }

  /** GET of a text document (a domain's XML). */
  async text(path: string): Promise<string> {
    const response = await this.#send('GET', path, {}, '*/*');
    const text = await response.text();
    if (response.status >= 400) throw agentError(response.status, parseJson(text, response.status));
    return text;
  }

  /** The event stream at `path` (GET /v1/events…), event by event, from `lastEventId` on, until `signal` aborts or it ends. */
  async *events(path: string, signal: AbortSignal, lastEventId?: string): AsyncGenerator<SseMessage> {
    const headers: Record<string, string> = lastEventId ? { 'last-event-id': lastEventId } : {};
    const response = await this.#send('GET', path, { headers, signal, timeoutMs: 0 }, 'text/event-stream');
    if (response.status >= 400) throw agentError(response.status, parseJson(await response.text(), response.status));
    if (!response.body) return;
    const parser = new SseParser();
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) yield* parser.push(decoder.decode(chunk, { stream: true }));
    } catch (err) {
      if (!signal.aborted) throw new Unreachable(`the event stream broke: ${reason(err)}`);
    }
  }

  async #send(method: string, path: string, opts: RequestOptions, accept: string): Promise<Response> {
    const headers: Record<string, string> = { accept, 'user-agent': 'govirthost-cli', ...opts.headers };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const timeoutMs = opts.timeoutMs ?? REQUEST_TIMEOUT_MS;
    const signals = [opts.signal, timeoutMs > 0 ? AbortSignal.timeout(timeoutMs) : undefined].filter((s) => s !== undefined);
    try {
      return await fetch(this.url(path), {
        method, headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        signal: signals.length ? AbortSignal.any(signals) : undefined,
      });
    } catch (err) {
      throw new Unreachable(`${this.base.origin}: ${reason(err)}`);
    }
  }
}

function parseJson(text: string, status: number): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new Unreachable(`the answer (HTTP ${status}) is not JSON: ${text.slice(0, 120)}`);
  }
}

function agentError(status: number, body: unknown): AgentError {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  const code = typeof error?.code === 'string' ? error.code : `HTTP_${status}`;
  const message = typeof error?.message === 'string' ? error.message : `HTTP ${status}`;
  return new AgentError(status, code, message, body);
}

/** The most telling message of a fetch failure (undici hides it in `cause`). */
function reason(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  if (err.name === 'TimeoutError') return 'no answer in time';
  const cause = err.cause instanceof Error ? err.cause.message : null;
  return cause ?? err.message;
}
