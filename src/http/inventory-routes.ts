/**
 * REST routes of the inventory's history and live events (mounted under /v1): snapshots, a
 * domain's state timeline, and the Server-Sent Events stream.
 */
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { EventFilter } from '../actions/events.ts';
import type { SnapshotPage, SnapshotRecord, StateChangeRecord, TimelinePage } from '../inventory/types.ts';
import { uuidToString } from '../libvirt/index.ts';
import type { AppEnv } from './context.ts';
import { invoke } from './invoke.ts';
import { json } from './respond.ts';
import { domainView } from './rest.ts';
import { pumpEvents } from './sse.ts';

/** The inventory routes. */
export function inventoryRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/events', async (c) => {
    const { output } = await invoke(c, 'rest', { action: 'events', family: 'read', input: c.req.query() });
    const feed = c.get('deps').feed;
    const lastEventId = c.req.header('last-event-id');
    return streamSSE(c, (stream) => pumpEvents(stream, feed, output.data as EventFilter, lastEventId));
  });
  app.get('/snapshots', async (c) => {
    const { output } = await invoke(c, 'rest', { action: 'snapshots-list', family: 'read', input: c.req.query() });
    const page = output.data as SnapshotPage;
    return json(c, { snapshots: page.snapshots.map(snapshotView), nextCursor: page.nextCursor });
  });
  app.get('/snapshots/:id', async (c) => {
    const { output } = await invoke(c, 'rest', { action: 'snapshot-get', family: 'read', input: { id: c.req.param('id') } });
    return json(c, snapshotView(output.data as SnapshotRecord));
  });
  app.get('/domains/:name/timeline', async (c) => {
    const input = { ...c.req.query(), domain: c.req.param('name') };
    const { output } = await invoke(c, 'rest', { action: 'domain-timeline', family: 'read', input });
    const page = output.data as TimelinePage;
    return json(c, { domain: input.domain, changes: page.changes.map(changeView), nextCursor: page.nextCursor });
  });
  return app;
}

/** A snapshot as REST shows it. */
function snapshotView(s: SnapshotRecord): Record<string, unknown> {
  return {
    id: s.id, takenAt: new Date(s.takenAt).toISOString(), durationMs: s.durationMs, ok: s.ok, error: s.error,
    domainCount: s.domainCount, host: s.host,
    ...(s.domains && { domains: s.domains.map(domainView) }),
  };
}

/** A state change as REST shows it: the cause is the audited action when one is known. */
function changeView(ch: StateChangeRecord): Record<string, unknown> {
  const event = ch.cause.type === 'event' ? ch.cause.event : null;
  const cause = ch.auditId !== null
    ? { type: 'action', auditId: ch.auditId, action: ch.action, actor: ch.actor, event }
    : ch.cause;
  return { id: ch.id, at: new Date(ch.at).toISOString(), uuid: uuidToString(ch.uuid), from: ch.from, to: ch.to, reason: ch.reason, cause };
}
