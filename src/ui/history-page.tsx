/** The history page: the audit log with the API's filters, paging, details and downloads. */
import type { AuditRecord } from '../model/audit.ts';
import { isoTime } from './format.ts';

/** The filters the page and the downloads accept, as the form sends them. */
export const FILTERS = ['domain', 'action', 'outcome', 'actor', 'since', 'until'] as const;
const OUTCOMES = ['pending', 'succeeded', 'failed', 'rejected', 'interrupted'];

/** A time as the form sends it (datetime-local, taken as UTC) made into the API's ISO 8601. */
export function formTime(value: string): string {
  if (/^\d{4}-\d\d-\d\dT\d\d:\d\d$/.test(value)) return `${value}:00Z`;
  if (/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?$/.test(value)) return `${value}Z`;
  return value;
}

/** The API query for the form's values: empty fields dropped, times made ISO. */
export function apiQuery(form: Record<string, string>): Record<string, string> {
  const q: Record<string, string> = {};
  for (const key of FILTERS) {
    const value = form[key]?.trim();
    if (value) q[key] = key === 'since' || key === 'until' ? formTime(value) : value;
  }
  return q;
}

/** One record's details. */
function Details(p: { r: AuditRecord }) {
  const r = p.r;
  return (
    <details>
      <summary>Details of #{r.id}</summary>
      <dl>
        <dt>Parameters</dt><dd><pre>{JSON.stringify(r.params, null, 2)}</pre></dd>
        {(r.errorCode || r.errorMessage) && <><dt>Error</dt><dd class="error">{`${r.errorCode ?? ''} ${r.errorMessage ?? ''}`.trim()}{r.libvirtCode !== null ? ` (libvirt ${r.libvirtCode})` : ''}</dd></>}
        <dt>Duration</dt><dd>{r.durationMs === null ? 'still running' : `${r.durationMs} ms`}</dd>
        {r.result && <><dt>Result</dt><dd><pre>{JSON.stringify(r.result, null, 2)}</pre></dd></>}
        <dt>Request</dt><dd>{r.requestId} · {r.protocol} · {r.remoteAddr ?? 'no address'}</dd>
      </dl>
    </details>
  );
}

/** The records as a table. */
export function HistoryTable(p: { records: AuditRecord[] }) {
  if (p.records.length === 0) return <p id="history-empty">No records.</p>;
  return (
    <div class="table-wrap">
      <table id="history" class="cards">
        <caption>Audit records, newest first; times in UTC</caption>
        <thead><tr><th scope="col">#</th><th scope="col">Received</th><th scope="col">Actor</th><th scope="col">Action</th><th scope="col">Domain</th><th scope="col">Outcome</th><th scope="col">Details</th></tr></thead>
        <tbody>
          {p.records.map((r) => (
            <tr data-audit-id={String(r.id)} data-action={r.action} data-outcome={r.outcome}>
              <th scope="row">{r.id}</th>
              <td data-label="Received">{isoTime(r.receivedAt)}</td>
              <td data-label="Actor">{r.actor}</td>
              <td data-label="Action">{r.action}</td>
              <td data-label="Domain">{r.domain ? <a href={`/ui/domains/${encodeURIComponent(r.domain)}`}>{r.domain}</a> : '–'}</td>
              <td data-label="Outcome"><span class={`outcome outcome-${r.outcome}`}>{r.outcome}</span>{r.httpStatus !== null ? ` ${r.httpStatus}` : ''}</td>
              <td data-label="Details"><Details r={r} /></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The history page's content. */
export function HistoryPage(p: { form: Record<string, string>; records: AuditRecord[]; nextCursor: number | null; error: string | null }) {
  const query = new URLSearchParams(Object.entries(p.form).filter(([k, v]) => v && (FILTERS as readonly string[]).includes(k)));
  const withQuery = (path: string, extra: Record<string, string> = {}) => {
    const q = new URLSearchParams(query);
    for (const [k, v] of Object.entries(extra)) q.set(k, v);
    const s = q.toString();
    return s ? `${path}?${s}` : path;
  };
  const field = (name: string, label: string, type = 'text') => (
    <label>{label}<input type={type} name={name} value={p.form[name] ?? ''} /></label>
  );
  return (
    <>
      <h1>History</h1>
      <form method="get" action="/ui/history" class="filters" role="search" aria-label="Filter the audit log">
        {field('domain', 'Domain')}
        {field('action', 'Action')}
        <label>Outcome
          <select name="outcome">
            <option value="">any</option>
            {OUTCOMES.map((o) => <option value={o} selected={p.form.outcome === o}>{o}</option>)}
          </select>
        </label>
        {field('actor', 'Actor')}
        {field('since', 'Since (UTC)', 'datetime-local')}
        {field('until', 'Until (UTC)', 'datetime-local')}
        <div class="row-buttons"><button type="submit">Filter</button><a href="/ui/history">Clear</a></div>
      </form>
      {p.error && <p class="error" role="alert">{p.error}</p>}
      <div class="row-buttons">
        <span>Download these records:</span>
        <a href={withQuery('/ui/history.csv')} download>CSV</a>
        <a href={withQuery('/ui/history.json')} download>JSON</a>
      </div>
      <HistoryTable records={p.records} />
      <nav aria-label="Pages" class="row-buttons">
        {p.form.cursor && <a href={withQuery('/ui/history')}>Newest</a>}
        {p.nextCursor !== null && <a href={withQuery('/ui/history', { cursor: String(p.nextCursor) })} rel="next">Older</a>}
      </nav>
    </>
  );
}
