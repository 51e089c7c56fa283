/** A domain's page: its figures, its state timeline over the snapshot history, its XML and its actions. */
import type { DomainView } from '../model/domain-view.ts';
import type { StateChangeRecord } from '../model/inventory.ts';
import type { AuditRecord } from '../model/audit.ts';
import { TimelineChart, type Segment } from './charts.tsx';
import { cpuSeconds, dash, isoTime, mib } from './format.ts';
import { HistoryTable } from './history-page.tsx';
import { SnapshotsSection } from './snapshots-section.tsx';
import { PerformanceSection, type Range, type StatsPoint } from './performance.tsx';
import type { DomainSnapshotTree } from '../model/domain-snapshot.ts';
import type { GuestAddresses } from '../model/addresses.ts';

/**
 * The states over [from, to] from the changes (newest first): before the oldest change in the
 * window the domain was in that change's `from` state; with no change, in its state now.
 */
export function segmentsOf(changes: StateChangeRecord[], from: number, to: number, now: DomainView | null): Segment[] {
  const oldestFirst = [...changes].reverse();
  const first = oldestFirst[0];
  const segments: Segment[] = [];
  let state = first ? first.from : (now?.stateText ?? 'undefined');
  let reason = first ? '' : (now?.reasonText ?? '');
  let since = from;
  for (const ch of oldestFirst) {
    segments.push({ from: since, to: ch.at, state, reason });
    state = ch.to;
    reason = ch.reason;
    since = ch.at;
  }
  segments.push({ from: since, to, state, reason });
  return segments.filter((s) => s.to > s.from);
}

/** The domain page's content. */
export function DomainPage(p: { name: string; domain: DomainView | null; changes: StateChangeRecord[]; snapshotTimes: number[]; from: number; to: number; xml: string | null; history: AuditRecord[]; withConsole?: boolean; snapshots?: DomainSnapshotTree | null; canAct?: boolean;
  performance?: { points: StatsPoint[]; range: Range; from: number; to: number } }) {
  const d = p.domain;
  return (
    <>
      <h1>Domain {p.name}</h1>
      <dl class="figures" id="domain-figures">
        <div><dt>State</dt><dd>{d ? `${d.stateText}${d.reasonText ? ` (${d.reasonText})` : ''}` : 'not defined'}</dd></div>
        <div><dt>vCPUs</dt><dd>{dash(d?.vcpus)}</dd></div>
        <div><dt>Memory MiB</dt><dd>{mib(d?.memoryKiB)}</dd></div>
        <div><dt>CPU time s</dt><dd>{cpuSeconds(d?.cpuTimeNs)}</dd></div>
      </dl>
      {d && <AddressesSection addresses={d.addresses ?? null} running={d.active} />}
      {p.performance && <PerformanceSection name={p.name} {...p.performance} />}
      {p.withConsole && d && <ConsoleSection name={p.name} running={d.stateText === 'running'} />}
      {d && <SnapshotsSection name={p.name} tree={p.snapshots ?? null} canAct={p.canAct === true} />}
      <section aria-labelledby="timeline-h">
        <h2 id="timeline-h">State timeline</h2>
        <TimelineChart segments={segmentsOf(p.changes, p.from, p.to, d)} snapshots={p.snapshotTimes} from={p.from} to={p.to} />
        <div class="table-wrap">
          <table id="changes">
            <caption>State changes in this period, newest first</caption>
            <thead><tr><th scope="col">At (UTC)</th><th scope="col">From</th><th scope="col">To</th><th scope="col">Reason</th><th scope="col">Cause</th></tr></thead>
            <tbody>
              {p.changes.map((ch) => (
                <tr>
                  <td>{isoTime(ch.at)}</td><td>{ch.from}</td><td>{ch.to}</td><td>{ch.reason}</td>
                  <td>{ch.auditId !== null ? `${ch.action} by ${ch.actor} (audit #${ch.auditId})` : ch.cause.type === 'event' ? `libvirt event ${ch.cause.event}` : 'seen by a snapshot'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section aria-labelledby="actions-h">
        <h2 id="actions-h">Action history</h2>
        <HistoryTable records={p.history} />
        <p><a href={`/ui/history?domain=${encodeURIComponent(p.name)}`}>All of this domain's history</a></p>
      </section>
      <section aria-labelledby="xml-h">
        <h2 id="xml-h">XML</h2>
        {p.xml === null ? <p>No XML: the domain is not defined.</p> : <pre class="xml" id="xml" tabindex={0} aria-label="Domain XML (read-only)">{p.xml}</pre>}
      </section>
    </>
  );
}

/** The serial console: a terminal the page's console script opens over the console WebSocket. */
function ConsoleSection(p: { name: string; running: boolean }) {
  return (
    <section aria-labelledby="console-h" id="console" data-domain={p.name}>
      <h2 id="console-h">Serial console</h2>
      <link rel="stylesheet" href="/ui/assets/xterm.css" />
      <div class="row-buttons">
        <button type="button" id="console-open">Open console</button>
        <button type="button" id="console-close" disabled>Close</button>
        <label><input type="checkbox" id="console-force" /> Take over from another session</label>
      </div>
      <p id="console-status" class="live" aria-live="polite">{p.running ? 'One session at a time; every session is recorded in the history.' : 'The guest is not running: its console opens once it runs.'}</p>
      <div id="terminal" class="terminal" role="application" aria-label={`Serial console of ${p.name}`}></div>
      <script src="/ui/assets/xterm.js" defer></script>
      <script src="/ui/assets/addon-fit.js" defer></script>
      <script src="/ui/assets/console.js" defer></script>
    </section>
  );
}

/** Its NICs with their addresses and where each was seen. */
function AddressesSection(p: { addresses: GuestAddresses | null; running: boolean }) {
  const nics = p.addresses?.nics ?? [];
  return (
    <section aria-labelledby="addresses-h">
      <h2 id="addresses-h">Addresses</h2>
      {!p.running ? <p>The guest is not running: it has no addresses.</p> : nics.length === 0 ? <p>No address known yet.</p> : (
        <div class="table-wrap">
          <table id="addresses">
            <thead><tr><th scope="col">NIC (MAC)</th><th scope="col">Network</th><th scope="col">In the guest</th><th scope="col">Addresses (seen by)</th></tr></thead>
            <tbody>
              {nics.map((n) => (
                <tr>
                  <td>{n.mac ?? '–'}</td><td>{n.network ?? '–'}</td><td>{n.guestName ?? '–'}</td>
                  <td>{n.addresses.length === 0 ? '–' : n.addresses.map((a) => <div>{`${a.address}/${a.prefix}`} <span class="reason">({a.sources.join(', ')})</span></div>)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
