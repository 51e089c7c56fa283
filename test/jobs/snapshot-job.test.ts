/**
 * The snapshot job against libvirt's test driver: the cron schedule fires and writes (every second
 * here), runs never overlap, a burst of requests makes one run, a lifecycle event brings a snapshot
 * shortly after, and a run without libvirt is stored as failed with its error.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SnapshotJob } from '../../src/jobs/snapshot-job.ts';
import { Libvirt, LibvirtClient } from '../../src/libvirt/index.ts';
import { TEST_BACKGROUND, buildTestApp, type TestApp } from '../support/app.ts';
import { hostEnv } from '../support/hosts.ts';
import { QUIET } from '../support/inventory.ts';
import { waitUntil } from '../support/wait.ts';

const NEVER = '0 0 0 1 1 *';

const okSnapshots = (t: TestApp) => t.deps.inventory.snapshots.list({ limit: 500, withDomains: false }).snapshots.filter((s) => s.ok);

describe('snapshot job', () => {
  let t: TestApp;
  before(async () => { t = await buildTestApp(); });
  after(async () => { await t.close(); });

  test('a schedule of every second fires and writes snapshots with the domains and host figures', async () => {
    const app = await buildTestApp({ background: TEST_BACKGROUND });
    try {
      await waitUntil(() => okSnapshots(app).length >= 3, 20_000);
      const snaps = okSnapshots(app);
      const full = app.deps.inventory.snapshots.get(snaps[0]!.id, true)!;
      assert.ok(full.domains!.some((d) => d.domain.name === 'test'));
      assert.equal(full.host!.libvirt.hostname, 'gvh-a');
      const times = snaps.map((s) => s.takenAt).sort((a, b) => a - b);
      assert.ok(times.at(-1)! - times[0]! >= 900, `three snapshots over ${times.at(-1)! - times[0]!} ms: the schedule, not one burst`);
      assert.equal(app.deps.inventory.view.takenAt, Math.max(...times), 'the view follows the newest');
    } finally {
      await app.close();
    }
  });

  test('runs never overlap: requests during a run queue exactly one more run', async () => {
    const job = new SnapshotJob(t.deps, { schedule: NEVER });
    const outcomes = await Promise.all(Array.from({ length: 6 }, () => job.runNow()));
    const ids = new Set(outcomes.map((o) => (o.ok ? o.id : -1)));
    assert.equal(ids.size, 2, JSON.stringify(outcomes));
    const rows = t.deps.inventory.snapshots.list({ limit: 2, withDomains: false }).snapshots.reverse();
    const [first, second] = rows.map((r) => [r.takenAt, r.durationMs] as const);
    assert.ok(second![0] >= first![0] + first![1] - 1, `second run started before the first ended: ${first} then ${second}`);
    await job.stop();
  });

  test('a burst of soon() makes one run after the debounce', async () => {
    const job = new SnapshotJob(t.deps, { schedule: NEVER, debounceMs: 150, maxDelayMs: 2000 });
    const before = okSnapshots(t).length;
    for (let i = 0; i < 10; i++) {
      job.soon();
      await new Promise((r) => setTimeout(r, 10));
    }
    await waitUntil(() => okSnapshots(t).length > before, 5000);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(okSnapshots(t).length, before + 1);
    await job.stop();
  });

  test('a lifecycle event brings a snapshot shortly after, and the view changes at once', async () => {
    const app = await buildTestApp({ background: QUIET });
    try {
      await waitUntil(() => okSnapshots(app).length >= 1, 5000); // the one at start
      const before = okSnapshots(app).length;
      const dom = await app.deps.libvirt.lookupDomain('test');
      await app.deps.libvirt.suspend(dom);
      try {
        await waitUntil(() => app.deps.inventory.view.get('test')?.view.stateText === 'paused', 5000);
        await waitUntil(() => okSnapshots(app).length > before, 5000);
        const newest = app.deps.inventory.snapshots.newest()!;
        assert.equal(newest.domains.find((d) => d.domain.name === 'test')?.stateText, 'paused');
      } finally {
        await app.deps.libvirt.resume(dom);
      }
    } finally {
      await app.close();
    }
  });

  test('without libvirt a run is stored as failed with the error, and the view keeps what it had', async () => {
    const offline = new Libvirt(new LibvirtClient(hostEnv('GVH_A_TEST_URI'))); // never connected
    await new SnapshotJob(t.deps, { schedule: NEVER }).runNow();
    const viewBefore = t.deps.inventory.view.takenAt;
    const job = new SnapshotJob({ ...t.deps, libvirt: offline }, { schedule: NEVER });
    const outcome = await job.runNow();
    assert.equal(outcome.ok, false);
    const row = t.deps.inventory.snapshots.get(outcome.id!, true)!;
    assert.deepEqual([row.ok, row.host, row.domains], [false, null, []]);
    assert.match(row.error!, /libvirt is not connected/);
    assert.equal(t.deps.inventory.view.takenAt, viewBefore);
    assert.equal(t.deps.inventory.snapshots.newest()!.takenAt, viewBefore, 'newest() is the last good one');
    await job.stop();
  });

  test('stop() waits for the run under way and prevents queued ones', async () => {
    const job = new SnapshotJob(t.deps, { schedule: NEVER });
    const running = job.runNow();
    const queued = job.runNow();
    await job.stop();
    assert.equal((await running).ok, true);
    assert.deepEqual(await queued, { ok: false, id: null, error: 'stopped' });
  });
});
