/** Builders shared by the store tests. */
import { openDatabase, type Database } from '../../src/store/db.ts';
import { upgradeSchema } from '../../src/store/schema.ts';
import type { AuditEnd, AuditStart } from '../../src/model/audit.ts';

/** A fresh in-memory database at the newest schema. */
export function migratedMemoryDb(): Database {
  const db = openDatabase(':memory:');
  upgradeSchema(db);
  return db;
}

/** A plausible AuditStart; override what the test cares about. */
export function auditStart(overrides: Partial<AuditStart> = {}): AuditStart {
  return {
    requestId: 'req-1',
    receivedAt: 1_700_000_000_000,
    actor: 'ops',
    remoteAddr: '10.0.0.7',
    userAgent: 'curl/8.5.0',
    protocol: 'rest',
    action: 'start',
    domain: 'web1',
    target: null,
    params: { name: 'web1' },
    ...overrides,
  };
}

/** A plausible successful AuditEnd; override what the test cares about. */
export function auditEnd(overrides: Partial<AuditEnd> = {}): AuditEnd {
  return {
    finishedAt: 1_700_000_000_250,
    outcome: 'succeeded',
    httpStatus: 200,
    errorCode: null,
    errorMessage: null,
    libvirtCode: null,
    result: { state: 'running' },
    ...overrides,
  };
}
