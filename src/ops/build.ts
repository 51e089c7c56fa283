/** Builds the operating parts of the deps (readiness checks, metrics, running actions) over the agent's own parts. */
import type { HostSysinfo } from '../host/sysinfo.ts';
import type { Libvirt } from '../libvirt/index.ts';
import type { Database } from '../store/db.ts';
import { InFlight } from './inflight.ts';
import { AgentMetrics } from './metrics.ts';
import type { Ops } from './ops.ts';
import { databaseCheck, libvirtCheck, notStoppingCheck } from './readiness.ts';

/** What buildOps reads from. */
export interface OpsSources {
  version: string;
  libvirt: Libvirt;
  db: Database;
  sysinfo(): Promise<HostSysinfo>;
  actionNames: Iterable<string>;
  stopping(): boolean;
}

/** The Ops for one agent; subscribes its metrics to the client's state changes. */
export function buildOps(src: OpsSources): Ops {
  const inFlight = new InFlight();
  const client = src.libvirt.client;
  const metrics = new AgentMetrics({
    version: src.version,
    libvirtState: () => client.state,
    actionsInFlight: () => inFlight.size,
    domainStates: () => src.libvirt.listDomainStates(),
    sysinfo: src.sysinfo,
  }, src.actionNames);
  client.onStateChange((state) => metrics.observeLibvirtState(state));
  return {
    readiness: [notStoppingCheck(src.stopping), libvirtCheck(client), databaseCheck(src.db)],
    metrics,
    inFlight,
    stopping: src.stopping,
  };
}
