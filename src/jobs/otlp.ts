/**
 * Finished audit records as OpenTelemetry log records over OTLP/HTTP (JSON), with the official
 * SDK: a batch processor and exporter to the collector's /v1/logs. Off unless --otlp-logs-endpoint
 * is given. Delivery is at most once: a batch the collector never takes is not sent again.
 */
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { AUDIT_LINE_SCHEMA } from '../model/audit-line.ts';
import type { AuditRecord } from '../model/audit.ts';

/** Where the logs go and who sends them. */
export interface OtlpOptions {
  endpoint: string;
  host: string;
  agentVersion: string;
}

/** An OTLP log sink: `send` one record, `close` flushes and ends. */
export interface OtlpSink {
  send(record: AuditRecord): void;
  close(): Promise<void>;
}

/** Builds the sink; nothing is sent until records are. */
export function otlpAuditSink(o: OtlpOptions): OtlpSink {
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'govirthost', 'service.version': o.agentVersion, 'host.name': o.host }),
    processors: [new BatchLogRecordProcessor({ exporter: new OTLPLogExporter({ url: o.endpoint }), scheduledDelayMillis: 1_000 })],
  });
  const logger = provider.getLogger('govirthost.audit', o.agentVersion);
  return {
    send(record) {
      const failed = record.outcome !== 'succeeded';
      logger.emit({
        timestamp: record.finishedAt ?? record.receivedAt,
        severityNumber: failed ? SeverityNumber.WARN : SeverityNumber.INFO,
        severityText: failed ? 'WARN' : 'INFO',
        body: `${record.actor} ${record.action}${record.domain ? ` ${record.domain}` : ''}: ${record.outcome}`,
        attributes: attributesOf(record),
      });
    },
    close: () => provider.shutdown(),
  };
}

/** The record's fields as log attributes (JSON ones as JSON text). */
function attributesOf(r: AuditRecord): Record<string, string | number | boolean> {
  const attributes: Record<string, string | number | boolean> = { 'govirthost.schema': AUDIT_LINE_SCHEMA };
  for (const [key, value] of Object.entries(r)) {
    if (value === null || value === undefined) continue;
    attributes[`govirthost.${key}`] = typeof value === 'object' ? JSON.stringify(value) : value as string | number | boolean;
  }
  return attributes;
}
