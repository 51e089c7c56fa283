/**
 * Starts what runs beside the HTTP server: the inventory view seeded from the newest stored
 * snapshot and kept current by lifecycle events, state changes recorded with their causes, the
 * event feed, and the snapshot and retention jobs. main.ts starts it once the database and the
 * libvirt client exist, and stops it at shutdown.
 */
import type { FinishedAudit } from '../model/audit.ts';
import type { Deps } from '../deps.ts';
import type { DomainEvent } from '../libvirt/index.ts';
import { uuidToString } from '../libvirt/index.ts';
import { CauseTracker } from '../inventory/causes.ts';
import type { StateChange } from '../model/inventory.ts';
import { RetentionJob, type RetentionOptions } from './retention-job.ts';
import { SnapshotJob, type SnapshotJobOptions } from './snapshot-job.ts';

const SETTLE_EVERY_MS = 500;

/** Settings of the background work. */
export interface BackgroundOptions {
  snapshots: SnapshotJobOptions;
  retention: RetentionOptions;
}

/** The running background work. */
export interface Background {
  snapshots: SnapshotJob;
  retention: RetentionJob;
  /** Stops the jobs and the listeners, and closes the event feed. */
  stop(): Promise<void>;
}

/** Seeds the view, wires events, audit records and reconnects, and starts both jobs. */
export function startBackground(deps: Deps, options: BackgroundOptions): Background {
  const { inventory, log } = deps;
  const stored = inventory.snapshots.newest();
  if (stored && inventory.view.takenAt === null) inventory.view.seed(stored);
  const snapshots = new SnapshotJob(deps, options.snapshots);
  const retention = new RetentionJob(deps, options.retention);
  const causes = new CauseTracker(inventory.changes, deps.locks);
  const off = [
    inventory.view.onStateChange((change) => recordChange(deps, causes, change)),
    deps.events.listen((e) => onDomainEvent(deps, snapshots, e)),
    deps.auditFinished.add((finished) => onAuditFinished(deps, causes, finished)),
    // The client re-registers the event callbacks right after it reports 'connected': the catch-up
    // snapshot waits out the debounce so that it does not race them.
    deps.libvirt.onStateChange((state) => { if (state === 'connected') snapshots.soon(); }),
  ];
  // Changes a snapshot found are held a moment for the event that explains them (ChangeReporter).
  const settle = setInterval(() => inventory.view.settle(deps.clock.now()), SETTLE_EVERY_MS);
  settle.unref();
  snapshots.start();
  retention.start();
  log.info({ seededFrom: stored?.takenAt ?? null, schedule: options.snapshots.schedule }, 'inventory started');
  return {
    snapshots,
    retention,
    async stop() {
      clearInterval(settle);
      inventory.view.settle(Infinity);
      for (const remove of off) remove();
      deps.feed.close();
      await Promise.all([snapshots.stop(), retention.stop()]);
    },
  };
}

function recordChange(deps: Deps, causes: CauseTracker, change: StateChange): void {
  try {
    deps.inventory.changes.record(change, causes.auditFor(change));
  } catch (err) {
    deps.log.error({ err, domain: change.domain }, 'could not record a state change');
  }
}

function onDomainEvent(deps: Deps, snapshots: SnapshotJob, e: DomainEvent): void {
  const at = deps.clock.now();
  const common = { uuid: uuidToString(e.domain.uuid), domainId: e.domain.id === -1 ? null : e.domain.id };
  if (e.kind === 'reboot') {
    deps.feed.publish('reboot', e.domain.name, at, common);
    return;
  }
  if (e.kind === 'agent') {
    snapshots.soon(); // the guest agent (dis)connected: the snapshot's addresses may change
    return;
  }
  deps.inventory.view.applyEvent(e, at);
  const state = deps.inventory.view.get(e.domain.name)?.view.stateText ?? 'undefined';
  deps.feed.publish('lifecycle', e.domain.name, at, { ...common, event: e.eventName, detail: e.detailName, state });
  snapshots.soon();
}

function onAuditFinished(deps: Deps, causes: CauseTracker, finished: FinishedAudit): void {
  causes.auditFinished(finished);
  const r = finished.record;
  deps.feed.publish('audit', r.domain, r.finishedAt ?? deps.clock.now(), {
    auditId: r.id, requestId: r.requestId, action: r.action, target: r.target, actor: r.actor, protocol: r.protocol,
    outcome: r.outcome, httpStatus: r.httpStatus, errorCode: r.errorCode, errorMessage: r.errorMessage,
    receivedAt: new Date(r.receivedAt).toISOString(), durationMs: r.durationMs, result: r.result,
  });
}
