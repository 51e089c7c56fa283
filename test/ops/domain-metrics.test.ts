/**
 * Per-domain metrics from the inventory view: every family with its type and the libvirt exporters'
 * names, the values each domain's figures and counters give, labels per device, a stopped domain
 * without CPU or memory series, a domain gone from the view gone from the scrape, and no libvirt
 * read at scrape time.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AgentMetrics } from '../../src/ops/metrics.ts';
import type { DomainView } from '../../src/model/domain-view.ts';
import { parsePrometheusText, sampleValue } from '../support/prom-text.ts';
import { TEST_BACKGROUND, buildTestApp, type TestApp } from '../support/app.ts';
import { waitUntil } from '../support/wait.ts';

const web: DomainView = {
  domain: { name: 'web1', uuid: Buffer.from('6695eb01f6a4830479aa97f2502e193f', 'hex'), id: 3 }, active: true,
  state: 1, reason: 1, stateText: 'running', reasonText: 'booted', vcpus: 2, memoryKiB: 1_048_576n, maxMemoryKiB: 2_097_152n,
  cpuTimeNs: 12_500_000_000n, persistent: true, autostart: false,
  counters: {
    cpuTimeNs: 12_500_000_000n,
    memory: { actualKiB: 1_048_576n, unusedKiB: 524_288n, availableKiB: 1_000_000n, usableKiB: null, rssKiB: 300_000n },
    disks: [{ name: 'vda', readBytes: 4096n, writeBytes: 8192n, readRequests: 3n, writeRequests: 5n }],
    nics: [{ name: 'vnet0', rxBytes: 1500n, txBytes: 900n, rxPackets: 12n, txPackets: 9n }],
  },
};
const off: DomainView = {
  domain: { name: 'db1', uuid: Buffer.alloc(16, 1), id: -1 }, active: false, state: 5, reason: 0, stateText: 'shut off', reasonText: 'unknown',
  vcpus: 1, memoryKiB: 524_288n, maxMemoryKiB: 524_288n, cpuTimeNs: null, persistent: true, autostart: false,
};

function metricsOver(views: () => readonly DomainView[]): AgentMetrics {
  return new AgentMetrics({
    version: 'test', libvirtState: () => 'connected', actionsInFlight: () => 0,
    domainStates: async () => [...views()],
    sysinfo: async () => { throw new Error('not read here'); },
    domainViews: views,
  }, []);
}

test('per-domain metrics: names, types, values, labels; read from the view only', async () => {
  let views: readonly DomainView[] = [web, off];
  const m = metricsOver(() => views);
  let families = parsePrometheusText(await m.scrape());
  const types = Object.fromEntries([...families.values()].filter((f) => f.name.startsWith('govirthost_domain_')).map((f) => [f.name, f.type]));
  assert.equal(types.govirthost_domain_cpu_seconds_total, 'counter');
  assert.equal(types.govirthost_domain_block_read_bytes_total, 'counter');
  assert.equal(types.govirthost_domain_interface_transmit_bytes_total, 'counter');
  assert.equal(types.govirthost_domain_memory_actual_bytes, 'gauge');
  assert.equal(sampleValue(families, 'govirthost_domain_info', { domain: 'web1', uuid: '6695eb01-f6a4-8304-79aa-97f2502e193f', state: 'running' }), 1);
  assert.equal(sampleValue(families, 'govirthost_domain_cpu_seconds_total', { domain: 'web1' }), 12.5);
  assert.equal(sampleValue(families, 'govirthost_domain_vcpus', { domain: 'db1' }), 1);
  assert.equal(sampleValue(families, 'govirthost_domain_memory_actual_bytes', { domain: 'web1' }), 1_073_741_824);
  assert.equal(sampleValue(families, 'govirthost_domain_memory_unused_bytes', { domain: 'web1' }), 536_870_912);
  assert.equal(sampleValue(families, 'govirthost_domain_memory_maximum_bytes', { domain: 'db1' }), 536_870_912);
  assert.equal(sampleValue(families, 'govirthost_domain_block_write_bytes_total', { domain: 'web1', device: 'vda' }), 8192);
  assert.equal(sampleValue(families, 'govirthost_domain_interface_receive_bytes_total', { domain: 'web1', device: 'vnet0' }), 1500);
  const cpuOf = (name: string) => families.get('govirthost_domain_cpu_seconds_total')!.samples.filter((s) => s.labels.domain === name);
  assert.deepEqual(cpuOf('db1'), [], 'a stopped domain has no CPU series');
  assert.equal(families.get('govirthost_domain_memory_actual_bytes')!.samples.some((s) => s.labels.domain === 'db1'), false, 'nor a current memory');
  assert.equal(families.get('govirthost_domain_memory_usable_bytes')?.samples.length ?? 0, 0, 'what the guest does not report is absent, not 0');
  views = [off];
  families = parsePrometheusText(await m.scrape());
  assert.deepEqual(cpuOf('web1'), [], 'a domain gone from the view is gone from the scrape');
});

describe('in the agent', () => {
  let t: TestApp;
  before(async () => { t = await buildTestApp({ withOps: {}, background: TEST_BACKGROUND }); });
  after(async () => { await t.close(); });

  test('a scrape makes no libvirt call: domains by state and per domain come from the inventory view', async () => {
    await waitUntil(() => t.deps.inventory.view.takenAt !== null, 10_000);
    await t.background!.stop(); // no snapshot runs during the scrape; the view stays
    const before = t.libvirtCalls();
    const families = parsePrometheusText(await (await t.app.request('/metrics')).text());
    assert.equal(t.libvirtCalls(), before);
    assert.equal(sampleValue(families, 'govirthost_domain_info', { domain: 'test', uuid: '6695eb01-f6a4-8304-79aa-97f2502e193f', state: 'running' }), 1);
    assert.ok(sampleValue(families, 'govirthost_domain_cpu_seconds_total', { domain: 'test' }) > 0);
    assert.equal(sampleValue(families, 'govirthost_domains', { state: 'running' }), t.deps.inventory.view.list().filter((d) => d.stateText === 'running').length);
  });
});
