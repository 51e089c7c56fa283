/**
 * Inventory snapshots over SQLite (migrations/0003_inventory_snapshots.sql). A snapshot writes its
 * own row (host figures, CPU times) and touches snapshot_domains only for domains whose other
 * figures changed: their open run is closed and a new one opened.
 */
import { decodeCpuTimes, encodeCpuTimes } from './cpu-codec.ts';
import { decodeGuestCountersOf, encodeGuestCounters, type GuestSample } from './counters-codec.ts';
import { sampleOf, type GuestSamplePoint } from './counter-samples.ts';
import type { GuestCounters } from '../model/guest-counters.ts';
import type { InventorySnapshot, SnapshotPage, SnapshotQuery, SnapshotRecord } from '../model/inventory.ts';
import type { Database } from './db.ts';
import {
  domainFromRun, figuresFromRun, hostInfoJson, recordFromRow, runFigures, sameFigures, sysinfoColumns,
  type RunFigures, type RunRow, type SnapshotRow,
} from './snapshot-rows.ts';
import { StatementCache, joinSql, sql, type SqlFragment, type SqlValue } from './sql.ts';

/** The most snapshots one page holds (with their domains: WITH_DOMAINS_PAGE_SIZE). */
export const MAX_SNAPSHOT_PAGE = 500;
/** The most snapshots one page holds when each carries its domains. */
export const WITH_DOMAINS_PAGE_SIZE = 100;
const MAX_ERROR_LENGTH = 1024;

interface OpenRun { runId: number; firstId: number; figures: RunFigures }

const SELECT_SNAPSHOT = sql`SELECT s.*, h.info AS host_info FROM snapshots s LEFT JOIN host_infos h ON h.id = s.host_info_id`;

/** Snapshots, their domains, and pruning. */
export class SqliteSnapshotStore {
  readonly #db: Database;
  readonly #s: ReturnType<typeof statements>;
  readonly #pages: StatementCache<SnapshotRow>;
  readonly #domainKeys = new Map<string, number>();
  /** Open runs by domain key, and the newest successful snapshot: loaded on first use. */
  #open: Map<number, OpenRun> | null = null;
  #lastOkId: number | null = null;
  #hostInfo: { json: string; id: number } | null = null;
  /** The previous snapshot's counters by domain key (increases are taken from them), and device ids. */
  #lastCounters = new Map<number, GuestCounters>();
  readonly #devices = new Map<string, number>();

  constructor(db: Database) {
    this.#db = db;
    this.#pages = new StatementCache(db);
    this.#s = statements(db);
  }

  /** Stores a successful snapshot; returns its id. */
  record(snap: InventorySnapshot): number {
    this.#loadOpenRuns();
    const write = this.#db.transaction(() => {
      const keys = snap.domains.map((d) => this.#domainKey(d.domain.uuid));
      const cpu = new Map(snap.domains.flatMap((d, i) => (d.cpuTimeNs === null ? [] : [[keys[i]!, d.cpuTimeNs] as const])));
      const id = Number(this.#s.insertSnapshot.run({
        takenAt: Math.round(snap.takenAt), durationMs: Math.round(snap.durationMs), domainCount: snap.domains.length,
        hostInfoId: this.#hostInfoId(hostInfoJson(snap.host)), nodeMhz: snap.host.node.mhz, ...sysinfoColumns(snap.host.sysinfo),
        cpuTimes: encodeCpuTimes(cpu), guestCounters: this.#encodeCounters(snap, keys),
      }).lastInsertRowid);
      return { id, open: this.#writeRuns(id, keys.map((k, i) => [k, runFigures(snap.domains[i]!)])) };
    });
    let written: { id: number; open: Map<number, OpenRun> };
    try {
      written = write.immediate();
    } catch (err) {
      this.#forgetCaches(); // keys or host infos it cached were rolled back
      throw err;
    }
    const { id, open } = written;
    this.#open = open;
    this.#lastOkId = id;
    return id;
  }

  /** Stores a failed run with its error; returns its id. */
  recordFailure(takenAt: number, durationMs: number, error: string): number {
    return Number(this.#s.insertFailure.run(Math.round(takenAt), Math.round(durationMs), error.slice(0, MAX_ERROR_LENGTH) || 'failed').lastInsertRowid);
  }

  /** The newest successful snapshot with its domains, or null. */
  newest(): InventorySnapshot | null {
    const row = this.#s.newestOk.get();
    const rec = row ? this.#withDomains(row) : null;
    return rec?.host && rec.domains ? { takenAt: rec.takenAt, durationMs: rec.durationMs, host: rec.host, domains: rec.domains } : null;
  }

  /** One snapshot, with its domains when asked; null when there is none with that id. */
  get(id: number, withDomains: boolean): SnapshotRecord | null {
    const row = this.#s.byId.get(id);
    if (!row) return null;
    return withDomains ? this.#withDomains(row) : recordFromRow(row);
  }

  /** A page of snapshots, newest first. */
  list(q: SnapshotQuery): SnapshotPage {
    const limit = Math.max(1, Math.min(q.limit, q.withDomains ? WITH_DOMAINS_PAGE_SIZE : MAX_SNAPSHOT_PAGE));
    const conditions: SqlFragment[] = [];
    if (q.since !== undefined) conditions.push(sql`s.taken_at >= ${q.since}`);
    if (q.until !== undefined) conditions.push(sql`s.taken_at <= ${q.until}`);
    if (q.before !== undefined) conditions.push(sql`s.id < ${q.before}`);
    const where = conditions.length ? sql`WHERE ${joinSql(conditions, sql` AND `)}` : sql``;
    const { text, values } = sql`${SELECT_SNAPSHOT} ${where} ORDER BY s.id DESC LIMIT ${limit + 1}`;
    const rows = this.#pages.get(text).all(...values);
    const page = rows.slice(0, limit).map((r) => (q.withDomains ? this.#withDomains(r) : recordFromRow(r)));
    return { snapshots: page, nextCursor: rows.length > limit ? page.at(-1)!.id : null };
  }

  /**
   * One domain's samples between two times (epoch ms, inclusive), oldest first: each successful
   * snapshot's time, the domain's CPU time and its counters' entry (null where it did not run).
   * Null when no snapshot ever saw a domain of that name.
   */
  guestSamples(name: string, since: number, until: number): GuestSamplePoint[] | null {
    const key = this.#s.keyByName.get(name);
    if (key === undefined) return null;
    return this.#s.countersBetween.all(Math.floor(since), Math.ceil(until)).map((r) => ({
      at: r.taken_at,
      cpuTimeNs: r.cpu_times ? decodeCpuTimes(r.cpu_times).get(key) ?? null : null,
      sample: r.guest_counters ? decodeGuestCountersOf(r.guest_counters, key) : null,
    }));
  }

  /** Every successful snapshot's CPU times since `since` (epoch ms), oldest first, by domain name (as its runs named it). */
  cpuTimesSince(since: number): Array<{ at: number; times: Map<string, bigint> }> {
    const names = new Map(this.#s.domainNames.all().map((r) => [r.domain_id, r.name]));
    return this.#s.cpuSince.all(Math.floor(since)).map((r) => {
      const times = new Map<string, bigint>();
      for (const [key, ns] of r.cpu_times ? decodeCpuTimes(r.cpu_times) : []) {
        const name = names.get(key);
        if (name !== undefined) times.set(name, ns);
      }
      return { at: r.taken_at, times };
    });
  }

  /** The guests' counters as increases since the previous snapshot (see counters-codec.ts). */
  #encodeCounters(snap: InventorySnapshot, keys: number[]): Buffer {
    const samples = new Map<number, GuestSample>();
    const current = new Map<number, GuestCounters>();
    snap.domains.forEach((d, i) => {
      if (!d.counters) return;
      const key = keys[i]!;
      current.set(key, d.counters);
      samples.set(key, sampleOf(d.counters, this.#lastCounters.get(key), (name) => this.#deviceId(name)));
    });
    this.#lastCounters = current;
    return encodeGuestCounters(samples);
  }

  #deviceId(name: string): number {
    let id = this.#devices.get(name);
    if (id === undefined) {
      this.#s.insertDevice.run(name.slice(0, 64));
      id = this.#s.deviceId.get(name.slice(0, 64))!;
      this.#devices.set(name, id);
    }
    return id;
  }

  /** Deletes snapshots taken before `before` (epoch ms) and the runs no remaining snapshot needs. */
  prune(before: number): { snapshots: number; runs: number } {
    const run = this.#db.transaction(() => ({
      snapshots: this.#s.pruneSnapshots.run(before).changes,
      runs: this.#s.pruneRuns.run().changes,
    }));
    return run.immediate();
  }


  #forgetCaches(): void {
    this.#domainKeys.clear();
    this.#devices.clear();
    this.#hostInfo = null;
    this.#open = null;
  }

  #withDomains(row: SnapshotRow): SnapshotRecord {
    const rec = recordFromRow(row);
    if (!rec.ok) return { ...rec, domains: [] };
    const cpu = row.cpu_times ? decodeCpuTimes(row.cpu_times) : new Map<number, bigint>();
    const domains = this.#s.runsOf.all(row.id, row.id).map((r) => domainFromRun(r, cpu.get(r.domain_id) ?? null));
    return { ...rec, domains };
  }

  /** Closes the runs whose figures changed (or whose domain is gone) and opens new ones. */
  #writeRuns(id: number, domains: Array<[number, RunFigures]>): Map<number, OpenRun> {
    const open = new Map<number, OpenRun>();
    for (const [key, figures] of domains) {
      const current = this.#open!.get(key);
      if (current && sameFigures(current.figures, figures)) {
        open.set(key, current);
        continue;
      }
      if (current) this.#closeRun(current);
      const runId = Number(this.#s.openRun.run({ domainId: key, first: id, ...figures }).lastInsertRowid);
      open.set(key, { runId, firstId: id, figures });
    }
    for (const [key, current] of this.#open!) if (!open.has(key)) this.#closeRun(current);
    return open;
  }

  #closeRun(run: OpenRun): void {
    this.#s.closeRun.run(Math.max(run.firstId, this.#lastOkId ?? run.firstId), run.runId);
  }

  #loadOpenRuns(): void {
    if (this.#open) return;
    this.#lastOkId = this.#s.lastOkId.get() ?? null;
    this.#open = new Map(this.#s.openRuns.all().map((r) => [r.domain_id, { runId: r.id, firstId: r.first_snapshot_id, figures: figuresFromRun(r) }]));
  }

  #domainKey(uuid: Uint8Array): number {
    const hex = Buffer.from(uuid).toString('hex');
    let key = this.#domainKeys.get(hex);
    if (key === undefined) {
      this.#s.insertDomain.run(Buffer.from(uuid));
      key = this.#s.domainKey.get(Buffer.from(uuid))!;
      this.#domainKeys.set(hex, key);
    }
    return key;
  }

  #hostInfoId(json: string): number {
    if (this.#hostInfo?.json !== json) {
      this.#s.insertHostInfo.run(json);
      this.#hostInfo = { json, id: this.#s.hostInfoId.get(json)! };
    }
    return this.#hostInfo.id;
  }
}

function statements(db: Database) {
  return {
    insertSnapshot: db.prepare<[Record<string, SqlValue>]>(`
      INSERT INTO snapshots (taken_at, duration_ms, ok, domain_count, host_info_id, node_mhz, uptime_s, load1, load5, load15, procs,
        total_ram, free_ram, shared_ram, buffer_ram, total_swap, free_swap, total_high_ram, free_high_ram, cpu_times, guest_counters)
      VALUES (@takenAt, @durationMs, 1, @domainCount, @hostInfoId, @nodeMhz, @uptimeS, @load1, @load5, @load15, @procs,
        @totalRam, @freeRam, @sharedRam, @bufferRam, @totalSwap, @freeSwap, @totalHighRam, @freeHighRam, @cpuTimes, @guestCounters)`),
    insertDevice: db.prepare<[string]>('INSERT INTO counter_devices (name) VALUES (?) ON CONFLICT (name) DO NOTHING'),
    deviceId: db.prepare<[string], number>('SELECT id FROM counter_devices WHERE name = ?').pluck(),
    domainNames: db.prepare<[], { domain_id: number; name: string }>('SELECT domain_id, name FROM snapshot_domains WHERE id IN (SELECT max(id) FROM snapshot_domains GROUP BY domain_id)'),
    cpuSince: db.prepare<[number], { taken_at: number; cpu_times: Buffer | null }>('SELECT taken_at, cpu_times FROM snapshots WHERE ok = 1 AND taken_at >= ? ORDER BY id'),
    keyByName: db.prepare<[string], number>('SELECT domain_id FROM snapshot_domains WHERE name = ? ORDER BY id DESC LIMIT 1').pluck(),
    countersBetween: db.prepare<[number, number], { taken_at: number; cpu_times: Buffer | null; guest_counters: Buffer | null }>(`
      SELECT taken_at, cpu_times, guest_counters FROM snapshots WHERE ok = 1 AND taken_at BETWEEN ? AND ? ORDER BY id`),
    insertFailure: db.prepare<[number, number, string]>('INSERT INTO snapshots (taken_at, duration_ms, ok, error) VALUES (?, ?, 0, ?)'),
    newestOk: db.prepare<[], SnapshotRow>(`${SELECT_SNAPSHOT.text} WHERE s.ok = 1 ORDER BY s.id DESC LIMIT 1`),
    byId: db.prepare<[number], SnapshotRow>(`${SELECT_SNAPSHOT.text} WHERE s.id = ?`),
    lastOkId: db.prepare<[], number>('SELECT max(id) FROM snapshots WHERE ok = 1').pluck(),
    runsOf: db.prepare<[number, number], RunRow>(`
      SELECT r.*, d.uuid FROM snapshot_domains r JOIN inventory_domains d ON d.id = r.domain_id
      WHERE r.first_snapshot_id <= ? AND (r.last_snapshot_id IS NULL OR r.last_snapshot_id >= ?) ORDER BY r.domain_id`),
    openRuns: db.prepare<[], RunRow & { id: number; first_snapshot_id: number }>(`
      SELECT r.*, d.uuid FROM snapshot_domains r JOIN inventory_domains d ON d.id = r.domain_id WHERE r.last_snapshot_id IS NULL`),
    openRun: db.prepare<[Record<string, SqlValue>]>(`
      INSERT INTO snapshot_domains (domain_id, first_snapshot_id, name, libvirt_id, state, reason, vcpus, memory_kib, max_memory_kib, persistent, autostart, addresses)
      VALUES (@domainId, @first, @name, @libvirtId, @state, @reason, @vcpus, @memoryKiB, @maxMemoryKiB, @persistent, @autostart, @addresses)`),
    closeRun: db.prepare<[number, number]>('UPDATE snapshot_domains SET last_snapshot_id = ? WHERE id = ?'),
    insertDomain: db.prepare<[Buffer]>('INSERT INTO inventory_domains (uuid) VALUES (?) ON CONFLICT (uuid) DO NOTHING'),
    domainKey: db.prepare<[Buffer], number>('SELECT id FROM inventory_domains WHERE uuid = ?').pluck(),
    insertHostInfo: db.prepare<[string]>('INSERT INTO host_infos (info) VALUES (?) ON CONFLICT (info) DO NOTHING'),
    hostInfoId: db.prepare<[string], number>('SELECT id FROM host_infos WHERE info = ?').pluck(),
    pruneSnapshots: db.prepare<[number]>('DELETE FROM snapshots WHERE taken_at < ?'),
    // A closed run goes when no snapshot in its range is left; an open run is current and stays.
    pruneRuns: db.prepare<[]>(`
      DELETE FROM snapshot_domains WHERE last_snapshot_id IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM snapshots s WHERE s.id BETWEEN snapshot_domains.first_snapshot_id AND snapshot_domains.last_snapshot_id)`),
  };
}
