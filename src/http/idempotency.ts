/**
 * Idempotency-Key on mutations (IETF httpapi draft): the same key with the same request within
 * 24 h answers the first answer again (status, body, auditId; `Idempotency-Replayed: true`) and runs
 * nothing; the same key on a different request is 422; a key whose first request is still running
 * is 409. Keys are the caller's own (scoped by token name) and are kept in the database.
 */
import { createHash } from 'node:crypto';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AppError } from '../errors.ts';
import { readBodyText } from './body.ts';
import type { AppEnv } from './context.ts';
import { operationLocation } from '../operations/view.ts';
import { errorResponse, jsonText, setReplyHeader } from './respond.ts';

/** A key: 1–255 printable ASCII characters (RFC 8941 string), nothing a log or a header could be hurt by. */
const KEY = /^[\x21-\x7e]{1,255}$/;

/** Runs a mutation's handler under the request's Idempotency-Key, if it has one. */
export async function idempotent(c: Context<AppEnv>, run: () => Promise<Response>): Promise<Response> {
  const key = c.req.header('idempotency-key');
  const caller = c.get('caller');
  const store = c.get('deps').idempotency;
  if (key === undefined || caller === null || !store) return run();
  if (!KEY.test(key)) {
    throw new AppError('VALIDATION_FAILED', 'Idempotency-Key: must be 1 to 255 printable ASCII characters', { fields: [{ field: 'Idempotency-Key', message: 'must be 1 to 255 printable ASCII characters' }] });
  }
  const fingerprint = await fingerprintOf(c);
  const claim = store.claim(caller.name, key, fingerprint, c.get('deps').clock.now());
  if (claim.kind === 'mismatch') throw new AppError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used with a different request', { fields: [{ field: 'Idempotency-Key', message: 'was used with a different request' }] });
  if (claim.kind === 'in-progress') {
    if (claim.auditId !== null) setReplyHeader(c, 'location', operationLocation(claim.auditId));
    const where = claim.auditId !== null ? ` (operation ${claim.auditId}; follow its Location)` : '';
    throw new AppError('IDEMPOTENCY_KEY_IN_USE', `the first request with this Idempotency-Key is still running${where}; retry once it has ended`, { fields: [{ field: 'Idempotency-Key', message: 'is in use by a running request' }] });
  }
  if (claim.kind === 'replay') {
    setReplyHeader(c, 'idempotency-replayed', 'true');
    if (claim.status === 202 && claim.auditId !== null) setReplyHeader(c, 'location', operationLocation(claim.auditId));
    return jsonText(c, claim.body, claim.status as ContentfulStatusCode);
  }
  c.set('idempotencyClaim', { actor: caller.name, key });
  const answer = await run().catch((err: unknown) => errorResponse(c, err));
  const body = await answer.clone().text();
  // A 5xx is not the request's own answer (libvirt down, the agent stopping): the key is freed for a real retry.
  if (answer.status >= 500) store.release(caller.name, key);
  else store.complete(caller.name, key, c.get('invoked')?.auditId ?? null, answer.status, body);
  return answer;
}

/** SHA-256 of the method, path and body: what "the same request" means. */
async function fingerprintOf(c: Context<AppEnv>): Promise<string> {
  const body = await readBodyText(c, c.get('deps').settings.bodyLimitBytes).catch(() => '(unreadable)');
  return createHash('sha256').update(`${c.req.method}\n${c.req.path}\n${body}`).digest('hex');
}
