/**
 * Migration between the two private hosts, through the agent. This file runs inside host A's
 * network namespace (scripts/run-tests.sh), as an agent on host A would: the agent's pre-check
 * dials B over the hosts' veth, and nothing outside the two hosts is reachable from there.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isNotFound, type DomainRef, type Libvirt } from '../../../src/libvirt/index.ts';
import { buildTestApp, type TestApp } from '../../support/app.ts';
import { tinyGuestXml, uniqueName } from '../../support/guest.ts';
import { assertInHostNetns, ensureGuestInfra, freeAddress, makeBaseImage } from '../../support/guest-infra.ts';
import { dhcpHostElements, parseNetworkXml } from '../../../src/guest/network.ts';
import { hostEnv, openHost } from '../../support/hosts.ts';
import { assertError, call, oneAudit, type Answer } from '../../support/http.ts';
import { sleep } from '../../support/wait.ts';
import type { FeedEvent } from '../../../src/events/feed.ts';

const BASE = 'gvh-base.qcow2';
const UNREACHABLE = '10.213.77.9'; // on the hosts' /24, answered by nobody

/** The tiny guest with `memMiB` of RAM: untouched RAM goes as zero pages, ~9 bytes per 4 KiB page. */
function guestXml(name: string, memMiB = 64): string {
  return tinyGuestXml(name).replace("<memory unit='MiB'>64</memory>", `<memory unit='MiB'>${memMiB}</memory>`);
}

async function lookup(lv: Libvirt, name: string): Promise<DomainRef | null> {
  return lv.lookupDomain(name).catch((err) => { if (isNotFound(err)) return null; throw err; });
}

async function remove(lv: Libvirt, name: string): Promise<void> {
  const dom = await lookup(lv, name);
  if (!dom) return;
  await lv.destroy(dom).catch(() => {});
  await lv.undefine(dom).catch(() => {});
}

describe('migration between two private hosts', () => {
  let t: TestApp;
  let a: Libvirt;
  let b: Libvirt;
  let B: string;
  const names: string[] = [];
  const fresh = (p: string) => { const n = uniqueName(p).slice(0, 40); names.push(n); return n; };
  const migrate = (name: string, body: Record<string, unknown>) => call(t, 'POST', `/v1/domains/${name}/actions/migrate`, body);
  const check = (name: string, body: Record<string, unknown>) => call(t, 'POST', `/v1/domains/${name}/migrate-check`, body);
  const running = async (name: string, memMiB?: number) => {
    const dom = await a.defineXml(guestXml(name, memMiB));
    return a.start(dom);
  };
  const failedCheck = (answer: Answer) => answer.body.checks.find((c: { ok: boolean | null }) => c.ok === false);

  before(async () => {
    assertInHostNetns('a');
    B = hostEnv('GVH_B_IP');
    // Some cases below give full URIs as targets, which only --allow-uri-targets lets through.
    t = await buildTestApp({ uriVar: 'GVH_A_URI', settings: { allowUriTargets: true } });
    a = t.deps.libvirt;
    b = await openHost('GVH_B_URI', 'gvh-b');
    await ensureGuestInfra(a, 'a');
    await ensureGuestInfra(b, 'b');
    await makeBaseImage(a, 'a', BASE);
  });
  after(async () => {
    for (const n of names) {
      await remove(a, n);
      await remove(b, n);
    }
    await b?.close();
    await t?.close();
  });

  test('pre-check: a running guest can go to B, and every check says why', async () => {
    const name = fresh('mc');
    await running(name);
    const r = await check(name, { target: B });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.ok, true, r.text);
    assert.equal(r.body.destinationUri, `qemu+tcp://${B}/system`);
    assert.equal(r.body.mode, 'live');
    assert.deepEqual(r.body.checks.map((c: { name: string; ok: boolean }) => [c.name, c.ok]), [
      ['destination', true], ['domain', true], ['source', true], ['reachable', true], ['same-host', true],
      ['destination-domain', true], ['storage', true],
    ]);
    assert.match(r.body.checks[3].detail, /^gvh-b answers/);
    assert.equal(r.body.checks[6].detail, 'no disks');
  });

  test('pre-check refuses, naming the reason: this host by name and by address, unreachable, missing, shut off, running offline', async () => {
    const up = fresh('mr');
    await running(up);
    const off = fresh('mo');
    await a.defineXml(guestXml(off));
    const cases: Array<[string, Record<string, unknown>, string, RegExp]> = [
      [up, { target: 'localhost' }, 'destination', /names this host/],
      [up, { target: 'qemu+tcp://127.0.0.1/system' }, 'destination', /names this host/],
      [up, { target: hostEnv('GVH_A_IP') }, 'same-host', /the destination is this host \(gvh-a/],
      [up, { target: UNREACHABLE }, 'reachable', /cannot reach qemu\+tcp:\/\/10\.213\.77\.9\/system/],
      ['no-such-domain', { target: B }, 'domain', /no domain 'no-such-domain'/],
      [off, { target: B }, 'domain', /is shut off .*a live migration needs it running or paused/],
      [up, { target: B, live: false }, 'domain', /an offline migration moves only the definition/],
    ];
    for (const [name, body, failing, why] of cases) {
      const r = await check(name, body);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.ok, false, r.text);
      assert.equal(failedCheck(r).name, failing, r.text);
      assert.match(failedCheck(r).detail, why);
    }
    assertError(await check(up, { target: B, live: false, copyStorage: true }), 400, 'VALIDATION_FAILED', 'copyStorage');
    assertError(await check(up, { target: B, bandwidth: 0 }), 400, 'VALIDATION_FAILED', 'bandwidth');
    assertError(await check(up, { target: B, timeout: -1 }), 400, 'VALIDATION_FAILED', 'timeout');
  });

  test('a target that is no host name is refused before any URI is made: the guest stays on A, nothing reaches B', async () => {
    const up = fresh('mx');
    await running(up);
    // Once pasted into the template, `B/system?x=1` made qemu+tcp://B/system?x=1/system, and the guest went to B.
    for (const target of [`${B}/system?x=1`, `-${B}`, `${B}\u0000`, `${B}/x`, `qemu+ssh://root@${B}/system?command=/bin/true`]) {
      assertError(await check(up, { target }), 400, 'VALIDATION_FAILED', 'target');
      const err = assertError(await migrate(up, { target }), 400, 'VALIDATION_FAILED', 'target');
      assert.equal(oneAudit(t, err.requestId).outcome, 'rejected');
    }
    assert.equal((await a.domainState(await a.lookupDomain(up))).stateText, 'running');
    assert.equal(await lookup(b, up), null, 'nothing on B');
  });

  test('live A→B: running on B (migrated), gone from A; progress readable meanwhile; a second action is DOMAIN_BUSY; the audit tells both ends', async () => {
    const name = fresh('ml');
    await running(name, 2048); // ~5.5 MiB to send at 1 MiB/s: seconds to watch it, whatever the load
    const pending = migrate(name, { target: B, bandwidth: 1 });
    let seen: Answer | null = null;
    for (const until = Date.now() + 30_000; Date.now() < until && !seen; await sleep(100)) {
      const s = await call(t, 'GET', `/v1/domains/${name}/migration`);
      if (s.status === 200 && s.body.migrating && (s.body.job?.dataProcessed ?? 0) > 0) seen = s;
    }
    assert.ok(seen, 'the migration showed progress while it ran');
    assert.equal(seen.body.busyWith, 'migrate');
    assert.equal(seen.body.job.operation, 'migration-out');
    assert.ok(seen.body.job.dataRemaining > 0, JSON.stringify(seen.body));
    const busy = assertError(await call(t, 'POST', `/v1/domains/${name}/actions/suspend`), 409, 'DOMAIN_BUSY', 'domain');
    assert.match(busy.message, /busy with 'migrate'/);

    const r = await pending;
    assert.equal(r.status, 200, r.text);
    assert.deepEqual([r.body.state, r.body.reason, r.body.migrated], ['running', 'migrated', true]);
    assert.deepEqual(r.body.source, { state: 'undefined', reason: 'removed' });
    assert.equal(await lookup(a, name), null, 'gone from A');
    const there = await lookup(b, name);
    assert.ok(there, 'defined on B');
    const s = await b.domainState(there);
    assert.deepEqual([s.stateText, s.reasonText], ['running', 'migrated']);
    assert.equal(await b.isPersistent(there), true, 'persistent on B');

    const rec = oneAudit(t, r.body.requestId);
    assert.equal(rec.outcome, 'succeeded');
    assert.equal(rec.result?.migrated, true);
    const onB = rec.result?.onDestination as Record<string, any>;
    assert.deepEqual([onB.hostname, onB.state, onB.reason, onB.persistent], ['gvh-b', 'running', 'migrated', true]);
    assert.ok(onB.completed?.dataProcessed > 1_000_000, JSON.stringify(onB.completed));
    assert.ok(Number(rec.result?.progressReads) >= 1);
    assert.ok(Number((rec.result?.progress as Record<string, number>).dataProcessed) > 0);
  });

  test('an unreachable destination, a missing domain and a shut-off domain fail cleanly; the guest is untouched and the audit says so', async () => {
    const up = fresh('mu');
    const dom = await running(up);
    const cpuBefore = (await a.domainInfo(dom)).cpuTimeNs;
    const unreachable = assertError(await migrate(up, { target: UNREACHABLE }), 502, 'DESTINATION_UNREACHABLE', 'target');
    let rec = oneAudit(t, unreachable.requestId);
    assert.deepEqual([rec.outcome, rec.result?.migrated], ['failed', false]);
    assert.deepEqual(rec.result?.source, { state: 'running', reason: 'booted' });
    assert.ok((await a.domainInfo(dom)).cpuTimeNs > cpuBefore, 'still running on A');

    // ssh is a transport the agent's client cannot check: the migration itself finds B unreachable.
    const viaSsh = assertError(await migrate(up, { target: `qemu+ssh://root@${B}/system` }), 502, 'DESTINATION_UNREACHABLE', 'target');
    assert.match(viaSsh.message, /still running \(booted\) on the source/);
    rec = oneAudit(t, viaSsh.requestId);
    assert.equal((rec.result?.checks as Array<{ name: string; ok: boolean | null }>).find((c) => c.name === 'reachable')?.ok, null);
    assert.deepEqual(rec.result?.source, { state: 'running', reason: 'booted' });
    assert.equal(await lookup(b, up), null, 'nothing on B');

    const missing = assertError(await migrate('no-such-domain', { target: B }), 404, 'NOT_FOUND', 'domain');
    assert.equal(oneAudit(t, missing.requestId).result?.migrated, false);

    const off = fresh('ms');
    await a.defineXml(guestXml(off));
    const shutOff = assertError(await migrate(off, { target: B }), 409, 'CONFLICT', 'domain');
    rec = oneAudit(t, shutOff.requestId);
    assert.deepEqual(rec.result?.source, { state: 'shut off', reason: 'unknown' });
    assert.equal(await lookup(b, off), null);
    assert.ok(await lookup(a, off), 'still defined on A');
  });

  test('a migration aborted by its timeout leaves the guest running on A', async () => {
    const name = fresh('mt');
    const dom = await running(name, 2048); // ~5.5 MiB at 1 MiB/s: cannot finish within 1 s
    const err = assertError(await migrate(name, { target: B, bandwidth: 1, timeout: 1 }), 504, 'LIBVIRT_TIMEOUT');
    assert.match(err.message, /aborted by its timeout .*still running .* on the source/);
    const s = await a.domainState(dom);
    assert.equal(s.stateText, 'running');
    assert.equal(await lookup(b, name), null, 'nothing left on B');
    const rec = oneAudit(t, err.requestId);
    assert.equal(rec.result?.migrated, false);
    assert.ok(Number(rec.result?.abortedAfterMs) >= 1000, String(rec.result?.abortedAfterMs));
    assert.equal((rec.result?.source as { state: string }).state, 'running');
  });

  test('an asynchronous migration shows rising bytes in its operation and on the feed; a cancel leaves the guest running on A', async () => {
    const name = fresh('mc');
    const dom = await running(name, 2048); // ~5.5 MiB at 1 MiB/s: seconds to watch and cancel it
    const events: FeedEvent[] = [];
    const off = t.deps.feed.subscribe((e) => { if (e.type === 'operation' && e.domain === name) events.push(e); });
    try {
      const accepted = await call(t, 'POST', `/v1/domains/${name}/actions/migrate`, { target: B, bandwidth: 1 }, { prefer: 'respond-async' });
      assert.equal(accepted.status, 202, accepted.text);
      const location = accepted.headers.get('location')!;
      const processed: number[] = [];
      for (const until = Date.now() + 30_000; Date.now() < until && processed.length < 2; await sleep(300)) {
        const op = await call(t, 'GET', location);
        const bytes = op.body.progress?.dataProcessed ?? 0;
        if (bytes > (processed.at(-1) ?? 0)) processed.push(bytes);
      }
      assert.equal(processed.length, 2, `bytes rose: ${processed.join(' → ')}`);
      const canceled = await call(t, 'DELETE', location);
      assert.equal(canceled.status, 202, canceled.text);
      const ended = await call(t, 'GET', `${location}?wait=20`);
      assert.deepEqual([ended.body.status, ended.body.error?.code, ended.body.result?.migrated], ['canceled', 'OPERATION_CANCELED', false]);
      assert.equal((await a.domainState(dom)).stateText, 'running', 'still running on A');
      assert.equal(await lookup(b, name), null, 'nothing left on B');
      const fed = events.filter((e) => op(e).id === accepted.body.id);
      assert.ok(fed.some((e) => Number((op(e).progress as Record<string, number> | null)?.dataProcessed) > 0), 'progress on the feed');
      assert.equal(op(fed.at(-1)!).status, 'canceled');
    } finally {
      off();
    }
  });

  test('offline: the definition of a shut-off guest moves to B', async () => {
    const name = fresh('mf');
    await a.defineXml(guestXml(name));
    const r = await migrate(name, { target: B, live: false });
    assert.equal(r.status, 200, r.text);
    assert.equal(await lookup(a, name), null);
    const there = await lookup(b, name);
    assert.ok(there);
    assert.equal((await b.domainState(there)).stateText, 'shut off');
  });

  test('a form-created guest keeps its fixed address: its DHCP entry (lease time and all) moves from A\'s network to B\'s', async () => {
    const name = fresh('mh');
    const [netA, netB] = [await a.lookupNetwork('default'), await b.lookupNetwork('default')];
    const onB = parseNetworkXml(await b.networkXml(netB)).ipv4?.hosts.flatMap((h) => (h.ip ? [h.ip] : [])) ?? [];
    const addr = await freeAddress(a, netA, onB);
    const made = await call(t, 'POST', '/v1/domains', { hostname: name, image: BASE, cpucount: 1, memorycount: 1, leasetime: 3600, ...addr });
    assert.equal(made.status, 201, made.text);
    const entry = dhcpHostElements(await a.networkXml(netA)).get(addr.mac);
    assert.match(entry ?? '', /<lease expiry='3600'/, 'A had the entry with its lease time');

    const moved = await migrate(name, { target: B, copyStorage: true });
    assert.equal(moved.status, 200, moved.text);
    assert.deepEqual(moved.body.dhcp, [{ network: 'default', mac: addr.mac, ip: addr.ip, moved: true }]);
    assert.deepEqual(oneAudit(t, moved.body.requestId).result?.dhcp, moved.body.dhcp);
    assert.equal(dhcpHostElements(await a.networkXml(netA)).get(addr.mac), undefined, 'gone from A');
    const onBNow = dhcpHostElements(await b.networkXml(netB)).get(addr.mac);
    assert.equal(onBNow, entry, 'on B as it was on A');

    const there = await b.lookupDomain(name);
    await b.destroy(there);
    await b.undefine(there);
    await b.networkUpdate(netB, 2, 4, onBNow!, 1 | 2); // DELETE the IP_DHCP_HOST, live and config
    await b.deleteStorageVol(await b.lookupStorageVol(await b.lookupStoragePool('default'), `${name}.qcow2`));
    await a.deleteStorageVol(await a.lookupStorageVol(await a.lookupStoragePool('default'), `${name}.qcow2`));
  });

  test('a guest on a local overlay disk: refused without copyStorage, moved with it (disk copied into B\'s pool)', async () => {
    const name = fresh('md');
    const made = await call(t, 'POST', '/v1/domains', { hostname: name, image: BASE, cpucount: 1, memorycount: 1 });
    assert.equal(made.status, 201, made.text);
    const r = await check(name, { target: B });
    assert.equal(r.body.ok, false);
    assert.equal(failedCheck(r).name, 'storage');
    assert.match(failedCheck(r).detail, /disk vda \(\/var\/lib\/libvirt\/images\/.*\) is not on storage gvh-b knows/);
    assertError(await migrate(name, { target: B }), 409, 'CONFLICT', 'copyStorage');

    const moved = await migrate(name, { target: B, copyStorage: true });
    assert.equal(moved.status, 200, moved.text);
    assert.deepEqual([moved.body.state, moved.body.reason], ['running', 'migrated']);
    const pool = await b.lookupStoragePool('default');
    const vol = await b.lookupStorageVol(pool, `${name}.qcow2`);
    assert.equal(await b.storageVolPath(vol), `/var/lib/libvirt/images/${name}.qcow2`);
    const there = await b.lookupDomain(name);
    await b.destroy(there);
    await b.undefine(there);
    await b.deleteStorageVol(vol);
    const leftover = await a.lookupStorageVol(await a.lookupStoragePool('default'), `${name}.qcow2`);
    await a.deleteStorageVol(leftover); // the source's overlay stays after a copy: libvirt leaves it
  });
});

/** The operation an `operation` event carries. */
function op(e: { data: Record<string, unknown> }): { id: number; status: string; progress: Record<string, unknown> | null } {
  return e.data.operation as { id: number; status: string; progress: Record<string, unknown> | null };
}
