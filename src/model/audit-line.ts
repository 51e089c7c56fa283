/**
 * One finished audit record as a JSON line for a log pipeline (journald, Loki, Elasticsearch, an
 * OpenTelemetry collector): the fields of /v1/history's records, plus where it happened. The
 * schema is versioned: fields are only ever added within `govirthost.audit/1`.
 */
import * as v from 'valibot';
import type { AuditRecord } from './audit.ts';
import { AUDIT_OUTCOMES } from './audit.ts';

/** The schema's name and version, the first field of every line. */
export const AUDIT_LINE_SCHEMA = 'govirthost.audit/1';

const nullable = <T extends v.GenericSchema>(s: T) => v.nullable(s);
const Json = v.record(v.string(), v.unknown());

/** The shape of a line (tests validate against it; the README documents it). */
export const AuditLine = v.object({
  schema: v.literal(AUDIT_LINE_SCHEMA),
  time: v.pipe(v.string(), v.isoTimestamp()),
  host: v.string(),
  agentVersion: v.string(),
  id: v.number(),
  seq: v.number(),
  requestId: v.string(),
  receivedAt: v.number(),
  startedAt: nullable(v.number()),
  finishedAt: v.number(),
  durationMs: nullable(v.number()),
  actor: v.string(),
  remoteAddr: nullable(v.string()),
  userAgent: nullable(v.string()),
  protocol: v.picklist(['seed', 'rest']),
  action: v.string(),
  domain: nullable(v.string()),
  target: nullable(v.string()),
  params: Json,
  httpStatus: nullable(v.number()),
  outcome: v.picklist(AUDIT_OUTCOMES),
  errorCode: nullable(v.string()),
  errorMessage: nullable(v.string()),
  libvirtCode: nullable(v.number()),
  result: nullable(Json),
  progress: nullable(Json),
});

/** A line's type. */
export type AuditLineValue = v.InferOutput<typeof AuditLine>;

/** The line of a finished record (`time`: when it finished, ISO 8601). */
export function auditLine(record: AuditRecord, origin: { host: string; agentVersion: string }): string {
  const finishedAt = record.finishedAt ?? record.receivedAt;
  const { id, seq, ...rest } = record;
  return JSON.stringify({
    schema: AUDIT_LINE_SCHEMA, time: new Date(finishedAt).toISOString(), host: origin.host, agentVersion: origin.agentVersion,
    id, seq, ...rest, finishedAt,
  });
}
