/**
 * Behaviour with real QEMU guests on the private libvirtd: tiny diskless 64 MiB guests (KVM, or
 * TCG where /dev/kvm is unusable) through their whole lifecycle, with the events each step emits.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { Libvirt } from '../../src/libvirt/index.ts';
import { DomainState, XmlFlags } from '../../src/libvirt/constants.ts';
import { ErrorCode, LibvirtError, isNotFound, isOperationInvalid } from '../../src/libvirt/errors.ts';
import type { DomainEvent } from '../../src/libvirt/events.ts';
import type { DomainRef } from '../../src/libvirt/types.ts';
import { EventLog, openHost } from '../support/hosts.ts';
import { tinyGuestXml, uniqueName } from '../support/guest.ts';
import { sleep } from '../support/wait.ts';

const describeEvent = (e: DomainEvent) => (e.kind === 'lifecycle' ? `${e.eventName}/${e.detailName}` : 'reboot');

describe('QEMU guests on the private libvirtd', () => {
  let lv: Libvirt;
  const events = new EventLog<DomainEvent>();
  const name = uniqueName('tiny');
  let dom: DomainRef;

  const eventsOf = () => events.items.filter((e) => e.domain.name === name).map(describeEvent);
  /** This guest's events so far, taken out of the log (so one test's events never reach the next). */
  const takeEvents = () => {
    const seen = eventsOf();
    events.items.length = 0;
    return seen;
  };
  /** For steps whose events libvirt emits in a fixed number and order, under KVM and TCG alike. */
  const expectEvents = async (want: string[]) => {
    await events.waitFor(() => eventsOf().length >= want.length, 10_000).catch(() => {}); // the assert shows what came
    await sleep(100); // let stragglers arrive so an unexpected extra event fails the test
    assert.deepEqual(takeEvents(), want);
  };

  before(async () => {
    lv = await openHost('GVH_A_URI');
    await lv.onLifecycle(events.push);
    await lv.onReboot(events.push);
  });
  after(async () => {
    const leftover = await lv.lookupDomain(name).catch(() => null);
    if (leftover) {
      await lv.destroy(leftover).catch(() => {});
      await lv.undefine(leftover).catch(() => {});
    }
    await lv.close();
  });

  test('define: persistent, inactive (id -1), shut off, event defined/added', async () => {
    dom = await lv.defineXml(tinyGuestXml(name));
    assert.equal(dom.id, -1);
    const state = await lv.domainState(dom);
    assert.deepEqual([state.stateText, state.reasonText], ['shut off', 'unknown']);
    await expectEvents(['defined/added']);
  });

  test('start: new id, running (booted), events resumed then started', async () => {
    const started = await lv.start(dom);
    assert.ok(started.id > 0);
    dom = started;
    const state = await lv.domainState(dom);
    assert.deepEqual([state.state, state.reasonText], [DomainState.RUNNING, 'booted']);
    await expectEvents(['resumed/unpaused', 'started/booted']);
    const summary = (await lv.listDomainSummaries()).find((s) => s.domain.name === name);
    assert.ok(summary);
    assert.equal(summary.stateText, 'running');
    assert.equal(summary.vcpus, 1);
    assert.equal(summary.maxMemoryKiB, 65_536n);
    assert.ok((summary.cpuTimeNs ?? 0n) > 0n);
  });

  test('starting it again is operation invalid (55)', async () => {
    const err = await lv.start(dom).catch((e: unknown) => e);
    assert.ok(isOperationInvalid(err), String(err));
  });

  test('live XML carries the running id and the emulator', async () => {
    const xml = await lv.domainXml(dom);
    assert.match(xml, new RegExp(`<domain type='${process.env.GVH_VIRT_TYPE}' id='${dom.id}'`));
    assert.match(await lv.domainXml(dom, XmlFlags.INACTIVE), /<domain type='\w+'>/);
  });

  test('suspend and resume: paused (user), running (unpaused)', async () => {
    await lv.suspend(dom);
    assert.deepEqual(await lv.domainState(dom).then((s) => [s.stateText, s.reasonText]), ['paused', 'user']);
    await lv.resume(dom);
    assert.deepEqual(await lv.domainState(dom).then((s) => [s.stateText, s.reasonText]), ['running', 'unpaused']);
    await expectEvents(['suspended/paused', 'resumed/unpaused']);
  });

  // QEMU reports a reset as reboot events, as many as the firmware's resets: two under KVM, two or
  // three under TCG (a third within ~50 ms when the reset lands while SeaBIOS boots). So: at least
  // one, nothing else, and quiet afterwards, whatever the count.
  test('reset: reboot events only (one or more, as QEMU emits them), no lifecycle event; still running, same id', async () => {
    await lv.reset(dom);
    await events.waitFor(() => eventsOf().includes('reboot'), 10_000);
    await events.waitQuiet(500);
    const seen = takeEvents();
    assert.ok(seen.length >= 1);
    assert.deepEqual(seen, seen.map(() => 'reboot'));
    const state = await lv.domainState(dom);
    assert.deepEqual([state.state, (await lv.lookupDomain(name)).id], [DomainState.RUNNING, dom.id]);
  });

  test('reboot and shutdown are accepted, but a guest with no OS ignores ACPI: no event, keeps running', async () => {
    await lv.reboot(dom);
    await lv.shutdown(dom);
    await sleep(1_500);
    assert.equal((await lv.domainState(dom)).state, DomainState.RUNNING);
    assert.deepEqual(takeEvents(), []);
  });

  test('job info with no job is type 0; aborting is operation invalid', async () => {
    const job = await lv.jobInfo(dom);
    assert.equal(job.type, 0);
    assert.equal(job.dataTotal, 0n);
    const stats = await lv.jobStats(dom);
    assert.equal(stats.type, 0);
    const err = await lv.abortJob(dom).catch((e: unknown) => e);
    assert.ok(isOperationInvalid(err), String(err));
  });

  test('destroy: shut off (destroyed), events shutdown/host then stopped/destroyed', async () => {
    await lv.destroy(dom);
    assert.deepEqual(await lv.domainState(dom).then((s) => [s.stateText, s.reasonText]), ['shut off', 'destroyed']);
    await expectEvents(['shutdown/host', 'stopped/destroyed']);
  });

  test('undefine: gone (42), event undefined/removed', async () => {
    await lv.undefine(dom);
    const err = await lv.lookupDomain(name).catch((e: unknown) => e);
    assert.ok(isNotFound(err));
    assert.equal((err as LibvirtError).code, ErrorCode.NO_DOMAIN);
    assert.equal((err as LibvirtError).domain, 10);
    await expectEvents(['undefined/removed']);
  });

  test('create from XML: transient, running, gone once destroyed', async () => {
    const transient = await lv.createXml(tinyGuestXml(`${name}-t`));
    assert.ok(transient.id > 0);
    assert.equal((await lv.domainState(transient)).state, DomainState.RUNNING);
    await lv.destroy(transient);
    assert.ok(isNotFound(await lv.lookupDomain(`${name}-t`).catch((e: unknown) => e)));
  });

  test('node info and memory statistics agree with /proc', async () => {
    const meminfo = parseMeminfo(fs.readFileSync('/proc/meminfo', 'utf8'));
    const mem = await lv.nodeMemoryStats();
    assert.deepEqual(Object.keys(mem).sort(), ['buffers', 'cached', 'free', 'total']);
    assert.equal(mem.total, meminfo.MemTotal);
    const tolerance = 64n * 1024n; // KiB: free memory moves while we read it
    assert.ok(abs((mem.free ?? 0n) - (meminfo.MemFree ?? 0n)) < tolerance, `free ${mem.free} vs ${meminfo.MemFree}`);
    // NODE_GET_INFO's memory and NODE_GET_FREE_MEMORY sum the NUMA nodes' meminfo in sysfs, which
    // on some VMs (hot-plugged memory) is far less than /proc/meminfo's MemTotal.
    const numa = numaMeminfo();
    const freeBytes = await lv.freeMemory();
    assert.ok(abs(freeBytes / 1024n - numa.MemFree) < tolerance, `free ${freeBytes / 1024n} KiB vs NUMA ${numa.MemFree}`);
    const cpu = await lv.nodeCpuStats();
    assert.deepEqual(Object.keys(cpu).sort(), ['idle', 'iowait', 'kernel', 'user']);
    const node = await lv.nodeInfo();
    const cpuinfo = fs.readFileSync('/proc/cpuinfo', 'utf8');
    assert.equal(node.cpus, (cpuinfo.match(/^processor\s*:/gm) ?? []).length);
    assert.equal(node.model, 'x86_64');
    assert.equal(node.memoryKiB, numa.MemTotal);
  });
});

function parseMeminfo(text: string): Record<string, bigint> {
  const out: Record<string, bigint> = {};
  for (const m of text.matchAll(/^(\w+):\s+(\d+)/gm)) out[m[1]!] = BigInt(m[2]!);
  return out;
}

function numaMeminfo(): { MemTotal: bigint; MemFree: bigint } {
  const root = '/sys/devices/system/node';
  const sum = { MemTotal: 0n, MemFree: 0n };
  for (const node of fs.readdirSync(root).filter((d) => /^node\d+$/.test(d))) {
    const text = fs.readFileSync(`${root}/${node}/meminfo`, 'utf8');
    for (const key of ['MemTotal', 'MemFree'] as const) {
      const m = new RegExp(`${key}:\\s+(\\d+)`).exec(text);
      sum[key] += BigInt(m?.[1] ?? 0);
    }
  }
  return sum;
}

function abs(v: bigint): bigint {
  return v < 0n ? -v : v;
}

