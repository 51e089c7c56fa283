/**
 * What every answer to a hostile request must be: no 5xx but 503/504 for libvirt being down or slow
 * (or the agent stopping), every JSON refusal exactly the error envelope with a known code that
 * matches its status, bounded in size, and never an admin mutation that went through. Plus the
 * campaign's tally of outcomes.
 */
import { ERROR_CODES, MESSAGE_BOUNDS, codeToStatus, type ErrorCodeName } from '../../src/errors.ts';
import type { RawReply, RawRequest } from './hostile-raw.ts';
import type { HostileRequest } from './hostile-requests.ts';
import type { Reply } from './hostile-send.ts';

/** The 5xx answers allowed, with the codes each may carry. */
export const ALLOWED_5XX: Readonly<Record<number, readonly ErrorCodeName[]>> = {
  503: ['LIBVIRT_UNAVAILABLE', 'SHUTTING_DOWN'],
  504: ['LIBVIRT_TIMEOUT', 'REQUEST_TIMEOUT'],
};

/** The largest error answer allowed, in bytes: a bounded message and at most 10 bounded fields. */
export const MAX_ERROR_BYTES = 8 * 1024;

const ENVELOPE_KEYS = new Set(['code', 'message', 'fields', 'requestId', 'auditId', 'libvirtCode']);
const KNOWN_CODES: ReadonlySet<string> = new Set(ERROR_CODES);

/** Problems with the error envelope of a JSON refusal; [] when it is exactly the envelope. */
export function envelopeProblems(reply: Reply): string[] {
  if (!/^application\/json/.test(String(reply.headers['content-type']))) return [`content-type ${reply.headers['content-type']} for a ${reply.status}`];
  if (Buffer.byteLength(reply.text) > MAX_ERROR_BYTES) return [`error answer of ${Buffer.byteLength(reply.text)} bytes`];
  let body: unknown;
  try {
    body = JSON.parse(reply.text);
  } catch {
    return ['the error answer is not JSON'];
  }
  const keys = body !== null && typeof body === 'object' ? Object.keys(body) : [];
  if (keys.length !== 1 || keys[0] !== 'error') return [`top-level keys ${JSON.stringify(keys)}`];
  const err = (body as { error: Record<string, unknown> }).error;
  const problems = Object.keys(err).filter((k) => !ENVELOPE_KEYS.has(k)).map((k) => `unexpected key error.${k}`);
  if (typeof err.code !== 'string' || !KNOWN_CODES.has(err.code)) problems.push(`unknown code ${String(err.code)}`);
  else if (codeToStatus[err.code as ErrorCodeName] !== reply.status) problems.push(`code ${err.code} with status ${reply.status}`);
  if (typeof err.message !== 'string' || err.message === '' || err.message.length > MESSAGE_BOUNDS.message + 1) problems.push('message missing or unbounded');
  if (err.requestId !== reply.headers['x-request-id']) problems.push('requestId differs from X-Request-Id');
  if (err.fields !== undefined && !validFields(err.fields)) problems.push('fields malformed');
  if (/\n\s+at /.test(reply.text)) problems.push('a stack trace');
  return problems;
}

function validFields(fields: unknown): boolean {
  return Array.isArray(fields) && fields.length <= MESSAGE_BOUNDS.fields
    && fields.every((f: { field?: unknown; message?: unknown }) => typeof f.field === 'string' && typeof f.message === 'string');
}

function codeOf(reply: Reply): string | null {
  try {
    return (JSON.parse(reply.text) as { error?: { code?: string } }).error?.code ?? null;
  } catch {
    return null;
  }
}

/** A body at least this big may be cut off by the adapter: it drains an unread body for 500 ms, then closes. */
const DRAIN_CUTOFF_BYTES = 64 * 1024;

/**
 * A request the agent may answer before its body is read and then close, so that the client sees a
 * reset instead of the answer: a body over the limit; no valid bearer token (such a body is never
 * read; a session cookie under /ui is counted here too, to be safe); or a big body on a route that
 * does not read it (@hono/node-server drains it for 500 ms, which a loaded machine can exceed).
 */
function mayBeCutOff(req: HostileRequest, limit: number): boolean {
  const size = req.body?.bytes.length ?? 0;
  return size > 0 && (size > limit || !req.bearer || size >= DRAIN_CUTOFF_BYTES);
}

/** Everything wrong with one answer; [] when it is as it must be. */
export function replyProblems(req: HostileRequest, reply: Reply, limit: number): string[] {
  if (reply.status === 0) return mayBeCutOff(req, limit) && reply.error !== 'timeout' ? [] : [`no answer: ${reply.error}`];
  if (reply.status >= 500) {
    const allowed = ALLOWED_5XX[reply.status];
    const readyz = reply.status === 503 && req.path.startsWith('/readyz');
    if (!readyz && !(allowed && allowed.includes(codeOf(reply) as ErrorCodeName))) return [`${reply.status} ${reply.text.slice(0, 300)}`];
  }
  const problems: string[] = [];
  if (reply.headers['x-request-id'] === undefined) problems.push(`a ${reply.status} without X-Request-Id: not answered by the app`);
  const admin = req.admin && !['GET', 'HEAD'].includes(req.method.toUpperCase()) && !/migrate-check|^\/ui\/log(in|out)/.test(req.path);
  if (admin && reply.status >= 200 && reply.status < 300) problems.push(`an admin ${req.method} with a body that must be refused answered ${reply.status}`);
  if (reply.status === 429 && !(Number(reply.headers['retry-after']) >= 1)) problems.push('429 without Retry-After');
  const envelopeDue = reply.status >= 400 && req.method.toUpperCase() !== 'HEAD' && !(req.page && /^text\/html/.test(String(reply.headers['content-type'])));
  if (envelopeDue && !(reply.status === 503 && req.path.startsWith('/readyz'))) problems.push(...envelopeProblems(reply));
  return problems;
}

/**
 * Everything wrong with the answers to a raw request. Every refusal carries the envelope, those of
 * Node's own parser too (400, or 431 for a head too large: src/http/server.ts answers them).
 */
export function rawProblems(req: RawRequest, replies: readonly RawReply[]): string[] {
  return replies.flatMap((r) => {
    const reply: Reply = { status: r.status, headers: r.headers, text: r.text, ms: 0 };
    if (r.status >= 500 && !(ALLOWED_5XX[r.status] ?? []).includes(codeOf(reply) as ErrorCodeName)) return [`${r.status} ${r.text.slice(0, 300)}`];
    const html = req.page && /^text\/html/.test(r.headers['content-type'] ?? '');
    return r.status >= 400 && !html ? envelopeProblems(reply) : [];
  });
}

/** Counts of outcomes over the campaign: by status (or error), by error code, and the slowest answers. */
export class Tally {
  readonly byStatus = new Map<string, number>();
  readonly byCode = new Map<string, number>();
  readonly byRaw = new Map<string, number>();
  /** Cases per route (HostileRequest.route). */
  readonly byRoute = new Map<string, number>();
  readonly slowest: Array<{ ms: number; what: string }> = [];
  runs = 0;
  largestError = 0;

  /** Adds one answer. */
  add(req: HostileRequest, reply: Reply): void {
    this.runs++;
    this.byRoute.set(req.route, (this.byRoute.get(req.route) ?? 0) + 1);
    const key = reply.status === 0 ? `no answer (${reply.error})` : String(reply.status);
    this.byStatus.set(key, (this.byStatus.get(key) ?? 0) + 1);
    const code = reply.status >= 400 ? codeOf(reply) ?? (req.page ? 'html' : 'none') : null;
    if (code) this.byCode.set(code, (this.byCode.get(code) ?? 0) + 1);
    if (reply.status >= 400 && codeOf(reply)) this.largestError = Math.max(this.largestError, Buffer.byteLength(reply.text));
    this.slowest.push({ ms: Math.round(reply.ms), what: `${req.method} ${req.path.slice(0, 80)} → ${reply.status}` });
    this.slowest.sort((a, b) => b.ms - a.ms).splice(3);
  }

  /** Adds the answers to one raw request (their statuses joined; `closed` for none). */
  addRaw(replies: readonly RawReply[]): void {
    const key = replies.length === 0 ? 'closed' : replies.map((r) => `${r.status}${r.headers['x-request-id'] === undefined ? '' : '(app)'}`).join('+');
    this.byRaw.set(key, (this.byRaw.get(key) ?? 0) + 1);
  }

  /** One line per kind of count, for the test's output. */
  summary(): string {
    const line = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}=${n}`).join(' ');
    return [`fuzz outcomes runs=${this.runs} status: ${line(this.byStatus)}`, `fuzz error codes: ${line(this.byCode)}`,
      `fuzz largest error answer: ${this.largestError} B; slowest: ${this.slowest.map((s) => `${s.ms} ms ${s.what}`).join(' | ')}`,
      ...(this.byRaw.size > 0 ? [`fuzz raw answers: ${line(this.byRaw)}`] : [])].join('\n');
  }
}
