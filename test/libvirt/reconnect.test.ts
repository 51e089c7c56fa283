/**
 * The private libvirtd killed and restarted mid-run: pending calls fail fast, the client
 * reconnects by itself, and its event subscriptions deliver again.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Libvirt } from '../../src/libvirt/index.ts';
import type { ConnectionState } from '../../src/libvirt/client.ts';
import { LibvirtUnavailableError } from '../../src/libvirt/errors.ts';
import type { DomainEvent } from '../../src/libvirt/events.ts';
import { EventLog, hostsCommand, openHost } from '../support/hosts.ts';
import { tinyGuestXml, uniqueName } from '../support/guest.ts';

describe('libvirtd restart', () => {
  let lv: Libvirt;
  const states: ConnectionState[] = [];
  const events = new EventLog<DomainEvent>();
  const name = uniqueName('rc');

  before(async () => {
    lv = await openHost('GVH_A_URI', 'gvh-a', { backoffInitialMs: 50, backoffMaxMs: 500 });
    lv.onStateChange((s) => states.push(s));
    await lv.onLifecycle(events.push);
  });
  after(async () => {
    const dom = await lv.lookupDomain(name).catch(() => null);
    if (dom) await lv.undefine(dom).catch(() => {});
    await lv.close();
  });

  test('killing the daemon rejects in-flight calls within a second', async () => {
    const pid = Number(await hostsCommand('daemon-pid', 'a'));
    assert.ok(pid > 1, `libvirtd pid ${pid}`);
    process.kill(pid, 'SIGSTOP'); // freeze it so the calls below are truly in flight
    const inflight = Array.from({ length: 8 }, () => lv.listDomains().then(() => null, (e: unknown) => e));
    await new Promise((r) => setTimeout(r, 100));
    const killedAt = Date.now();
    await hostsCommand('kill-daemon', 'a');
    const errors = await Promise.all(inflight);
    const took = Date.now() - killedAt;
    for (const e of errors) assert.ok(e instanceof LibvirtUnavailableError, String(e));
    assert.ok(took < 1_000 + 500, `rejected ${took} ms after the kill (kill-daemon itself waits for the exit)`);
    assert.notEqual(lv.state, 'connected');
    await assert.rejects(lv.listDomains(), LibvirtUnavailableError);
  });

  test('the client reconnects once the daemon is back, and events flow again', async () => {
    await hostsCommand('start-daemon', 'a');
    await lv.waitConnected(10_000);
    assert.deepEqual(states.slice(0, 2), ['reconnecting', 'connected']);
    assert.equal((await lv.connectionInfo()).hostname, 'gvh-a');
    await lv.defineXml(tinyGuestXml(name));
    await events.waitFor((items) => items.some((e) => e.domain.name === name && e.kind === 'lifecycle' && e.eventName === 'defined'));
  });
});
