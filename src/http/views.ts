/** How REST shows the agent's records: domains, snapshots and state changes. */
import type { DomainView } from '../model/domain-view.ts';
import type { SnapshotRecord, StateChangeRecord } from '../model/inventory.ts';
import { uuidToString } from '../libvirt/index.ts';

/** A domain as REST shows it. */
export function domainView(d: DomainView): Record<string, unknown> {
  return {
    name: d.domain.name,
    uuid: uuidToString(d.domain.uuid),
    id: d.domain.id === -1 ? null : d.domain.id,
    state: d.stateText,
    reason: d.reasonText,
    active: d.active,
    persistent: d.persistent,
    autostart: d.autostart,
    vcpus: d.vcpus,
    memoryKiB: d.memoryKiB,
    maxMemoryKiB: d.maxMemoryKiB,
    cpuTimeNs: d.cpuTimeNs,
    // null where nothing read them: a fresh listing, or a guest the snapshots saw stopped
    addresses: d.addresses ? { readAt: new Date(d.addresses.readAt).toISOString(), nics: d.addresses.nics, sources: d.addresses.sources } : null,
  };
}

/** A snapshot as REST shows it. */
export function snapshotView(s: SnapshotRecord): Record<string, unknown> {
  return {
    id: s.id, takenAt: new Date(s.takenAt).toISOString(), durationMs: s.durationMs, ok: s.ok, error: s.error,
    domainCount: s.domainCount, host: s.host,
    ...(s.domains && { domains: s.domains.map(domainView) }),
  };
}

/** A state change as REST shows it: the cause is the audited action when one is known. */
export function changeView(ch: StateChangeRecord): Record<string, unknown> {
  const event = ch.cause.type === 'event' ? ch.cause.event : null;
  const cause = ch.auditId !== null
    ? { type: 'action', auditId: ch.auditId, action: ch.action, actor: ch.actor, event }
    : ch.cause;
  return { id: ch.id, at: new Date(ch.at).toISOString(), uuid: uuidToString(ch.uuid), from: ch.from, to: ch.to, reason: ch.reason, cause };
}
