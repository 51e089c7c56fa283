/** The overview page: host figures, charts of the last day, and the live domains table. */
import type { DomainView } from '../model/domain-view.ts';
import { ipv4Of } from '../model/addresses.ts';
import type { HostFigures, SnapshotRecord } from '../model/inventory.ts';
import { LineChart, type Series } from './charts.tsx';
import { cpuSeconds, dash, duration, mib, stateClass } from './format.ts';
import type { OperationView } from '../operations/view.ts';
import { RunningOperations } from './operations.tsx';
import { Sparkline } from './performance.tsx';

/** Memory in use, kB: total less free less buffers (the seed's figures carry no page cache). */
export function usedKb(s: HostFigures['sysinfo']): number {
  return s.TotalRam - s.FreeRam - s.BufferRam;
}

/** Host figures as a definition list. */
function HostFiguresList(p: { host: HostFigures }) {
  const s = p.host.sysinfo;
  const gib = (kb: number) => (kb / 1_048_576).toFixed(1);
  const items: Array<[string, string]> = [
    ['Host', p.host.libvirt.hostname],
    ['Uptime', duration(Number(s.Uptime / 1_000_000_000n))],
    ['Load (1, 5, 15 min)', s.Loads.map((l) => l.toFixed(2)).join(' · ')],
    ['Memory used', `${gib(usedKb(s))} of ${gib(s.TotalRam)} GiB`],
    ['Swap used', `${gib(s.TotalSwap - s.FreeSwap)} of ${gib(s.TotalSwap)} GiB`],
    ['CPUs', `${p.host.node.cpus} × ${p.host.node.mhz} MHz`],
  ];
  return <dl class="figures" id="host-figures">{items.map(([k, v]) => <div><dt>{k}</dt><dd>{v}</dd></div>)}</dl>;
}

/** The two charts over [from, to]. */
function Charts(p: { snapshots: SnapshotRecord[]; from: number; to: number; host: HostFigures }) {
  const pick = (f: (s: HostFigures['sysinfo']) => number) => p.snapshots.map((r) => ({ id: r.id, at: r.takenAt, value: f(r.host!.sysinfo) }));
  const loads: Series[] = [
    { key: 'load1', label: 'load 1 min', color: '#1a56a8', samples: pick((s) => s.Loads[0]) },
    { key: 'load5', label: 'load 5 min', color: '#b45309', samples: pick((s) => s.Loads[1]) },
    { key: 'load15', label: 'load 15 min', color: '#0f766e', samples: pick((s) => s.Loads[2]) },
  ];
  const peak = Math.max(1, ...loads.flatMap((s) => s.samples.map((x) => x.value)));
  const loadMax = Math.ceil(peak);
  const memory: Series[] = [{ key: 'memory-used', label: 'memory used (MiB)', color: '#7c2d92', samples: pick((s) => Math.round(usedKb(s) / 1024)) }];
  const memMax = Math.max(1, Math.round(p.host.sysinfo.TotalRam / 1024), ...memory[0]!.samples.map((x) => x.value));
  return (
    <div class="charts">
      <LineChart id="chart-load" title="Load averages, last 24 hours" series={loads} from={p.from} to={p.to} max={loadMax} unit="" />
      <LineChart id="chart-memory" title="Memory used, last 24 hours" series={memory} from={p.from} to={p.to} max={memMax} unit="MiB" />
    </div>
  );
}

const SIMPLE_ACTIONS = [['start', 'Start'], ['reboot', 'Reboot'], ['suspend', 'Suspend'], ['resume', 'Resume']] as const;

/**
 * The states (virsh's words) in which each row action can work; its button is disabled in the
 * others. In a state the agent does not know (none yet, "no state") every button stays enabled.
 */
const ENABLED_IN: Record<string, readonly string[]> = {
  start: ['shut off', 'crashed'],
  reboot: ['running', 'idle'],
  suspend: ['running', 'idle'],
  resume: ['paused'],
  shutdown: ['running', 'idle', 'paused', 'in shutdown'],
  reset: ['running', 'idle', 'paused'],
  destroy: ['running', 'idle', 'paused', 'in shutdown', 'crashed', 'pmsuspended'],
};
const KNOWN_STATES = new Set(Object.values(ENABLED_IN).flat());

/** Whether a row action's button is enabled in `state` (the page's script applies the same rule as states change). */
export function actionEnabled(action: string, state: string): boolean {
  return !KNOWN_STATES.has(state) || (ENABLED_IN[action]?.includes(state) ?? true);
}

function ActionButton(p: { action: string; label: string; state: string; danger?: boolean }) {
  return (
    <button type="button" class={p.danger ? 'danger' : undefined} data-action={p.action}
      data-enabled-in={(ENABLED_IN[p.action] ?? []).join('|')} disabled={!actionEnabled(p.action, p.state)}>{p.label}</button>
  );
}

/** The action controls of one row, enabled as its state allows. */
function Actions(p: { name: string; state: string }) {
  return (
    <div class="actions" role="group" aria-label={`Actions for ${p.name}`}>
      {SIMPLE_ACTIONS.map(([a, label]) => <ActionButton action={a} label={label} state={p.state} />)}
      <label>wait s <input type="number" min="0" max="86400" value="30" data-field="wait" /></label>
      <label><input type="checkbox" data-field="force" /> force</label>
      <ActionButton action="shutdown" label="Shut down" state={p.state} />
      <ActionButton action="reset" label="Reset" state={p.state} danger />
      <ActionButton action="destroy" label="Destroy" state={p.state} danger />
    </div>
  );
}

/** One row of the domains table (an empty name renders the script's template row). */
function DomainRow(p: { d: DomainView | null; name: string; canAct: boolean; cpu?: number[] }) {
  const d = p.d;
  return (
    <tr data-domain={p.name} data-state={d?.stateText ?? ''}>
      <th scope="row" data-col="name">
        <a href={`/ui/domains/${encodeURIComponent(p.name)}`}>{p.name}</a>
        {p.canAct && d?.stateText === 'running' && (
          // A guest without a screen answers 409: an empty alt shows nothing, and the script hides it.
          <img class="thumb" src={`/ui/api/domains/${encodeURIComponent(p.name)}/screenshot`} alt="" loading="lazy" width="160" height="100" />
        )}
      </th>
      <td data-col="state" data-label="State">
        <span class={`state state-${stateClass(d?.stateText ?? '')}`}>{d?.stateText ?? ''}</span>{' '}
        <span class="reason">{d?.reasonText ? `(${d.reasonText})` : ''}</span>
      </td>
      <td class="num" data-col="vcpus" data-label="vCPUs">{dash(d?.vcpus)}</td>
      <td class="num" data-col="memory" data-label="Memory MiB">{mib(d?.memoryKiB)}</td>
      <td class="num" data-col="cpu" data-label="CPU time s">{cpuSeconds(d?.cpuTimeNs)}</td>
      <td data-col="sparkline" data-label="CPU, last hour">{d?.active ? <Sparkline name={p.name} values={p.cpu ?? []} /> : '–'}</td>
      <td data-col="addresses" data-label="IPv4">{d?.active ? ipv4Of(d.addresses).join(' ') || '–' : '–'}</td>
      {p.canAct && <td data-label="Actions"><Actions name={p.name} state={d?.stateText ?? ''} /></td>}
      {p.canAct && <td data-label="Result"><output class="result" data-col="result" aria-live="polite"></output></td>}
    </tr>
  );
}

/** The overview's content. */
export function Overview(p: { host: HostFigures; snapshots: SnapshotRecord[]; from: number; to: number; domains: DomainView[]; canAct: boolean; operations: OperationView[]; cpu?: Map<string, number[]> }) {
  return (
    <>
      <h1>Host {p.host.libvirt.hostname}</h1>
      <section aria-labelledby="host-h">
        <h2 id="host-h">Host figures</h2>
        <HostFiguresList host={p.host} />
        <Charts snapshots={p.snapshots} from={p.from} to={p.to} host={p.host} />
      </section>
      <RunningOperations operations={p.operations} canCancel={p.canAct} />
      <section aria-labelledby="domains-h">
        <h2 id="domains-h">Domains</h2>
        <p id="live-status" class="live" aria-live="polite">As loaded; live updates need JavaScript.</p>
        {p.canAct && <noscript><p>The actions need JavaScript.</p></noscript>}
        <div class="table-wrap">
          <table id="domains" class="cards">
            <caption>{p.domains.length} domains; memory in MiB, CPU time in seconds</caption>
            <thead>
              <tr>
                <th scope="col">Name</th><th scope="col">State</th><th scope="col" class="num">vCPUs</th>
                <th scope="col" class="num">Memory MiB</th><th scope="col" class="num">CPU time s</th><th scope="col">CPU, last hour</th><th scope="col">IPv4</th>
                {p.canAct && <th scope="col">Actions</th>}
                {p.canAct && <th scope="col">Result</th>}
              </tr>
            </thead>
            <tbody>{p.domains.map((d) => <DomainRow d={d} name={d.domain.name} canAct={p.canAct} cpu={p.cpu?.get(d.domain.name) ?? []} />)}</tbody>
          </table>
        </div>
        <template id="row-template"><DomainRow d={null} name="" canAct={p.canAct} /></template>
      </section>
    </>
  );
}
