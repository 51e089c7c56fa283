/**
 * What the pages read, each through the dispatcher as the REST routes do (the same actions, the
 * same authorization, the same read policy), so a page never shows what the API would refuse.
 */
import type { Context } from 'hono';
import type { DomainView } from '../model/domain-view.ts';
import type { AppEnv } from '../http/context.ts';
import { invoke } from '../http/invoke.ts';
import { invokeRead } from '../http/sourced.ts';
import type { HostFigures, SnapshotPage, SnapshotRecord, TimelinePage } from '../model/inventory.ts';
import type { AuditPage } from '../model/audit.ts';
import type { DomainSnapshotTree } from '../model/domain-snapshot.ts';
import type { OperationView } from '../operations/view.ts';
import type { StatsPoint } from './performance.tsx';

/** The charts' window. */
export const DAY_MS = 86_400_000;
/** At most this many snapshots are read for a chart (a day at the default 30 s schedule is 2880). */
const MAX_SNAPSHOTS = 3000;

const read = (c: Context<AppEnv>, action: string, input: Record<string, unknown>) =>
  invoke(c, 'rest', { action, family: 'read', input });

/** Every domain with its figures, and its addresses from the snapshots. */
export async function readDomains(c: Context<AppEnv>): Promise<DomainView[]> {
  const { output } = await invokeRead(c, 'list-domains', { detail: true });
  const view = c.get('deps').inventory.view;
  // A fresh listing reads no addresses; the newest snapshot has them.
  const withAddresses = (d: DomainView) => (d.addresses || !d.active ? d : { ...d, addresses: view.get(d.domain.name)?.view.addresses });
  return (output.data as DomainView[]).map(withAddresses).sort((a, b) => (a.domain.name < b.domain.name ? -1 : 1));
}

/** One domain. */
export async function readDomain(c: Context<AppEnv>, name: string): Promise<DomainView> {
  const { output } = await invokeRead(c, 'get-domain', { domain: name });
  return output.data as DomainView;
}

/** The host's figures now. */
export async function readHost(c: Context<AppEnv>): Promise<HostFigures> {
  const { output } = await invokeRead(c, 'host-info', {});
  return output.data as HostFigures;
}

/** The successful snapshots since `since` (epoch ms), oldest first. */
export async function readSnapshots(c: Context<AppEnv>, since: number): Promise<SnapshotRecord[]> {
  const all: SnapshotRecord[] = [];
  let cursor: number | null = null;
  do {
    const input: Record<string, unknown> = { since: new Date(since).toISOString(), limit: '500', ...(cursor !== null && { cursor: String(cursor) }) };
    const page = (await read(c, 'snapshots-list', input)).output.data as SnapshotPage;
    all.push(...page.snapshots);
    cursor = page.nextCursor;
  } while (cursor !== null && all.length < MAX_SNAPSHOTS);
  return all.filter((s) => s.ok && s.host).reverse();
}

/** A domain's state changes since `since`, newest first. */
export async function readTimeline(c: Context<AppEnv>, domain: string, since: number): Promise<TimelinePage> {
  return (await read(c, 'domain-timeline', { domain, since: new Date(since).toISOString(), limit: '500' })).output.data as TimelinePage;
}

/** A domain's XML. */
export async function readXml(c: Context<AppEnv>, domain: string): Promise<string> {
  return (await read(c, 'domain-xml', { domain })).output.data as string;
}

/** A page of the audit log (query as the API takes it). */
export async function readHistory(c: Context<AppEnv>, query: Record<string, string>): Promise<AuditPage> {
  return (await read(c, 'history-list', query)).output.data as AuditPage;
}

/** The operations running now, newest first. */
export async function readRunningOperations(c: Context<AppEnv>): Promise<OperationView[]> {
  return ((await read(c, 'operations-list', { status: 'running', limit: '100' })).output.data as { operations: OperationView[] }).operations;
}

/** A domain's snapshots as a tree. */
export async function readDomainSnapshots(c: Context<AppEnv>, domain: string): Promise<DomainSnapshotTree> {
  return (await read(c, 'domain-snapshots', { domain })).output.data as DomainSnapshotTree;
}

/** A guest's performance points since `since` (epoch ms), times as epoch ms. */
export async function readStats(c: Context<AppEnv>, domain: string, since: number, to: number): Promise<StatsPoint[]> {
  const data = (await read(c, 'domain-stats', { domain, since: new Date(since).toISOString(), until: new Date(to).toISOString() })).output.data as { points: Array<StatsPoint & { at: string }> };
  return data.points.map((p) => ({ ...p, at: Date.parse(p.at) }));
}

/** Every guest's CPU use over the last hour, by name (the overview's sparklines). */
export async function readCpuHistory(c: Context<AppEnv>): Promise<Map<string, number[]>> {
  const data = (await read(c, 'cpu-history', {})).output.data as { domains: Record<string, Array<{ cpuPercent: number }>> };
  return new Map(Object.entries(data.domains).map(([name, points]) => [name, points.map((p) => p.cpuPercent)]));
}
