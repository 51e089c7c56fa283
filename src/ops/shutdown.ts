/**
 * Graceful shutdown: stop accepting, let running actions finish within a deadline, close the audit
 * records of those that did not (as interrupted, saying why), then close libvirt, the remaining
 * connections and the database, in that order.
 */
import type { Logger } from 'pino';
import type { AuditStore } from '../store/types.ts';
import type { InFlight } from '../model/in-flight.ts';

/** The server side shutdown needs (Node's http/https Server has all of it). */
export interface ClosableServer {
  close(callback?: (err?: Error) => void): unknown;
  closeIdleConnections?(): void;
  closeAllConnections?(): void;
}

/** What gracefulShutdown stops, and how long it may wait for running actions. */
export interface ShutdownParts {
  server: ClosableServer;
  inFlight: InFlight;
  audit: AuditStore;
  closeLibvirt(): Promise<void>;
  closeDatabase(): void;
  now(): number;
  log: Logger;
  deadlineMs: number;
}

/** How the shutdown went. */
export interface ShutdownReport {
  /** Every running action finished before the deadline. */
  drained: boolean;
  /** Audit records closed as interrupted because their action was still running at the deadline. */
  interrupted: number;
}

/** How long, after the actions, to let the last answers reach their callers. */
const FLUSH_MS = 1_000;

/** The audit message of an action still running when the shutdown deadline passed. */
export function deadlineMessage(deadlineMs: number): string {
  return `the agent shut down before the action ended (shutdown deadline of ${deadlineMs / 1000} s passed)`;
}

/** Runs the shutdown; the caller has already made new requests get 503 SHUTTING_DOWN. */
export async function gracefulShutdown(parts: ShutdownParts): Promise<ShutdownReport> {
  const { server, inFlight, log } = parts;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections?.();
  log.info({ running: inFlight.size, deadlineMs: parts.deadlineMs }, 'shutting down: no new connections; waiting for running actions');
  const drained = await inFlight.drained(parts.deadlineMs);
  let interrupted = 0;
  if (!drained) {
    const left = inFlight.list().map((a) => ({ action: a.action, requestId: a.requestId, auditId: a.auditId }));
    interrupted = parts.audit.markInterrupted(parts.now(), deadlineMessage(parts.deadlineMs));
    log.warn({ left, interrupted }, 'shutdown deadline passed; their audit records are closed as interrupted');
  }
  await parts.closeLibvirt();
  await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, FLUSH_MS))]);
  server.closeAllConnections?.();
  parts.closeDatabase();
  log.info({ drained, interrupted }, 'stopped');
  return { drained, interrupted };
}
