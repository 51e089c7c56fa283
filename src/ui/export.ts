/** The filtered audit log as a download: CSV (RFC 4180 quoting) or a JSON array, streamed page by page. */
import type { Context } from 'hono';
import { stream } from 'hono/streaming';
import type { AppEnv } from '../http/context.ts';
import { toJson } from '../model/json.ts';
import type { AuditRecord } from '../model/audit.ts';
import { readHistory } from './reads.ts';
import { setReplyHeader } from '../http/respond.ts';

const COLUMNS = ['id', 'receivedAt', 'finishedAt', 'durationMs', 'actor', 'remoteAddr', 'protocol', 'action', 'domain', 'target',
  'outcome', 'httpStatus', 'errorCode', 'errorMessage', 'libvirtCode', 'requestId', 'params', 'result'] as const;

/**
 * One CSV field: quoted when it holds a comma, quote, CR or LF, quotes doubled (RFC 4180). Text that
 * a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading apostrophe (OWASP's
 * advice on CSV injection); numbers are written as they are.
 */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  let text = typeof value === 'string' ? value : toJson(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One record as a CSV line (CRLF-terminated). */
export function csvLine(r: AuditRecord): string {
  const row: Record<(typeof COLUMNS)[number], unknown> = {
    ...r, receivedAt: new Date(r.receivedAt).toISOString(), finishedAt: r.finishedAt === null ? null : new Date(r.finishedAt).toISOString(),
  };
  return `${COLUMNS.map((k) => csvField(row[k])).join(',')}\r\n`;
}

/** Streams every record matching `query` (the API's filters) in `format`. The first page is read before the answer starts, so a bad filter is a proper error. */
export async function download(c: Context<AppEnv>, query: Record<string, string>, format: 'csv' | 'json'): Promise<Response> {
  const first = await readHistory(c, { ...query, limit: '500' });
  setReplyHeader(c, 'content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8');
  setReplyHeader(c, 'content-disposition', `attachment; filename="govirthost-history.${format}"`);
  setReplyHeader(c, 'cache-control', 'no-store');
  return stream(c, async (out) => {
    let page = first;
    let n = 0;
    await out.write(format === 'csv' ? `${COLUMNS.join(',')}\r\n` : '[');
    for (;;) {
      for (const r of page.records) {
        await out.write(format === 'csv' ? csvLine(r) : `${n === 0 ? '\n' : ',\n'}${toJson(r)}`);
        n++;
      }
      if (page.nextCursor === null || out.aborted) break;
      page = await readHistory(c, { ...query, limit: '500', cursor: String(page.nextCursor) });
    }
    if (format === 'json') await out.write('\n]\n');
  });
}
