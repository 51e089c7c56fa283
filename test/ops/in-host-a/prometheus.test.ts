/**
 * A real Prometheus (Debian's, 2.42) scraping two agents, one per test host, through file-based
 * discovery with the shipped scrape job and rules (wrangler-free-deploy/prometheus/; only the
 * intervals are shortened). Its HTTP API shows both hosts' series under their `host` label; the
 * agent-down alert fires once agent B is stopped, and the libvirt alert once A's libvirtd is.
 * The agents listen on 127.0.0.2 and 127.0.0.3 (both loopback), so each gets its own host label.
 * It runs inside host A's network namespace, where a migration to B goes over the hosts' veth: a
 * guest migrated through agent A has its series under B afterwards, and none under A.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hostEnv, hostsCommand, openHost, removeDomain } from '../../support/hosts.ts';
import { assertInHostNetns, ensureGuestInfra, makeBaseImage } from '../../support/guest-infra.ts';
import { tinyGuestXml, uniqueName } from '../../support/guest.ts';
import type { Libvirt } from '../../../src/libvirt/index.ts';
import { REPO_ROOT, freePort, spawnAgentFromSource, spawnCaptured, waitForStatus, type Spawned } from '../../support/process.ts';
import { waitUntil } from '../../support/wait.ts';

const RULES = path.join(REPO_ROOT, 'wrangler-free-deploy', 'prometheus');
const DASHBOARD = path.join(REPO_ROOT, 'wrangler-free-deploy', 'grafana', 'govirthost.json');

/** Every query of every panel of the Grafana dashboard, with its panel's title. */
function dashboardQueries(): Array<{ panel: string; expr: string }> {
  const dashboard = JSON.parse(fs.readFileSync(DASHBOARD, 'utf8')) as { panels: Array<{ title: string; targets?: Array<{ expr: string }> }> };
  return dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));
}

interface Agent extends Spawned { target: string }

async function startAgent(address: string, uri: string, db: string): Promise<Agent> {
  const port = await freePort();
  const agent = spawnAgentFromSource(['--listen', `${address}:${port}`, '--log-level', 'warn', '--audit-lines', 'off',
    '--libvirt-uri', uri, '--db', db, '--snapshot-schedule', '* * * * * *']);
  await waitForStatus(agent, `http://${address}:${port}/healthz`);
  return { ...agent, target: `${address}:${port}` };
}

/** prometheus.yml with the shipped job and rules, scraping every second. */
function prometheusConfig(dir: string): string {
  const job = fs.readFileSync(path.join(RULES, 'scrape.yml'), 'utf8')
    .replace('scrape_interval: 30s', 'scrape_interval: 1s')
    .replace("'/etc/prometheus/govirthost/*.yml'", `'${dir}/targets/*.yml'`)
    .replace(/^(?!#)/gm, '  ');
  return `global: { evaluation_interval: 1s }\nrule_files: ['${path.join(RULES, 'govirthost.rules.yml')}']\nscrape_configs:\n${job}`;
}

describe('a real Prometheus over the agents of both test hosts', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gvh-prom-'));
  let prometheus: Spawned;
  let api: string;
  let a: Agent;
  let b: Agent;
  let lv: Libvirt;
  let lvB: Libvirt;
  const guest = uniqueName('promguest');
  const mover = uniqueName('prommove');

  /** One PromQL query's result vector. */
  async function query(expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
    const res = await fetch(`${api}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await res.json()) as { status: string; data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
    assert.equal(body.status, 'success', JSON.stringify(body));
    return body.data.result;
  }

  /** The alerts Prometheus holds now. */
  async function alerts(): Promise<Array<{ labels: Record<string, string>; state: string }>> {
    const body = (await (await fetch(`${api}/api/v1/alerts`)).json()) as { data: { alerts: Array<{ labels: Record<string, string>; state: string }> } };
    return body.data.alerts;
  }

  before(async () => {
    assertInHostNetns('a');
    // A running guest on A with a disk and a NIC, so that every per-domain series has a sample.
    lv = await openHost('GVH_A_URI');
    await ensureGuestInfra(lv, 'a');
    const disk = await makeBaseImage(lv, 'a', `${guest}.qcow2`, 16);
    const xml = tinyGuestXml(guest).replace('<controller', `<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='${disk}'/><target dev='vda' bus='virtio'/></disk><controller`);
    await lv.start(await lv.defineXml(xml));
    await lv.start(await lv.defineXml(tinyGuestXml(mover)));
    lvB = await openHost('GVH_B_URI', 'gvh-b');
    await ensureGuestInfra(lvB, 'b');
    a = await startAgent('127.0.0.2', hostEnv('GVH_A_URI'), path.join(dir, 'a.db'));
    b = await startAgent('127.0.0.3', hostEnv('GVH_B_URI'), path.join(dir, 'b.db'));
    fs.mkdirSync(path.join(dir, 'targets'));
    fs.writeFileSync(path.join(dir, 'targets', 'lab.yml'), `- targets: ['${a.target}', '${b.target}']\n`);
    fs.writeFileSync(path.join(dir, 'prometheus.yml'), prometheusConfig(dir));
    const port = await freePort();
    api = `http://127.0.0.1:${port}`;
    prometheus = spawnCaptured('prometheus', [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], { cwd: dir });
    await waitForStatus(prometheus, `${api}/-/ready`, 200, 30_000);
  });
  after(async () => {
    await hostsCommand('start-daemon', 'a').catch(() => {}); // never leave the shared host without its daemon
    await lv?.waitConnected(30_000).catch(() => {});
    if (lv) for (const n of [guest, mover]) await removeDomain(lv, n);
    if (lvB) await removeDomain(lvB, mover);
    await lv?.close();
    await lvB?.close();
    for (const p of [prometheus, a, b]) if (p && p.proc.exitCode === null && p.proc.signalCode === null) p.proc.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('both agents are up, each under its own host label, with their host and domain series', async () => {
    await waitUntil(async () => (await query('up{job="govirthost"} == 1')).length === 2, 30_000);
    const hosts = (await query('up{job="govirthost"}')).map((r) => r.metric.host).sort();
    assert.deepEqual(hosts, ['127.0.0.2', '127.0.0.3']);
    await waitUntil(async () => (await query('govirthost_host_uptime_seconds')).length === 2, 15_000);
    await waitUntil(async () => (await query('govirthost_libvirt_up == 1')).length === 2, 15_000);
    const byState = await query('govirthost:domains:by_host_state');
    assert.ok(byState.every((r) => r.metric.host && r.metric.state), JSON.stringify(byState));
  });

  test('the guest\'s series are there, and every query of every Grafana panel returns data', async () => {
    const vars = (expr: string) => expr.replaceAll('$host', '127.0.0.2').replaceAll('$domain', guest).replaceAll('$__rate_interval', '1m');
    await waitUntil(async () => (await query(`govirthost_domain_block_read_bytes_total{domain="${guest}"}`)).length > 0
      && (await query(`govirthost:domain_cpu_cores:rate5m{domain="${guest}"}`)).length > 0, 30_000);
    const cpu = await query(`govirthost_domain_cpu_seconds_total{domain="${guest}"}`);
    assert.deepEqual(cpu.map((r) => r.metric.host), ['127.0.0.2'], 'on host A only');
    assert.ok((await query(`govirthost_domain_interface_transmit_bytes_total{domain="${guest}"}`)).length > 0, 'its NIC');
    const queries = dashboardQueries();
    assert.ok(queries.length >= 10, `${queries.length} queries`);
    for (const q of queries) {
      const result = await query(vars(q.expr));
      assert.ok(result.length > 0, `panel "${q.panel}": ${q.expr} returned nothing`);
    }
  });

  test('a guest migrated through agent A has its series under B afterwards, and none left under A', async () => {
    const hostsOf = async () => (await query(`govirthost_domain_cpu_seconds_total{domain="${mover}"}`)).map((r) => r.metric.host).sort();
    await waitUntil(async () => (await hostsOf()).join() === '127.0.0.2', 30_000);
    const res = await fetch(`http://${a.target}/v1/domains/${mover}/actions/migrate`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ target: hostEnv('GVH_B_IP') }),
    });
    assert.equal(res.status, 200, await res.text());
    await waitUntil(async () => (await hostsOf()).join() === '127.0.0.3', 30_000);
  });

  test('agent B stopped and host A\'s libvirtd killed: each alert fires after its minute, for that host only', async () => {
    // Both at once, so the suite waits out the alerts' minute once.
    b.proc.kill('SIGTERM');
    await hostsCommand('kill-daemon', 'a');
    await b.exited;
    await waitUntil(async () => (await query('up{job="govirthost", host="127.0.0.3"} == 0')).length === 1, 15_000);
    const firing = async (name: string) => (await alerts()).filter((x) => x.labels.alertname === name && x.state === 'firing');
    await waitUntil(async () => (await firing('GovirthostDown')).length > 0 && (await firing('GovirthostLibvirtDisconnected')).length > 0, 100_000);
    const all = await alerts();
    const of = (name: string) => all.filter((x) => x.labels.alertname === name).map((x) => [x.labels.host, x.state]);
    assert.deepEqual(of('GovirthostDown'), [['127.0.0.3', 'firing']]);
    assert.deepEqual(of('GovirthostLibvirtDisconnected'), [['127.0.0.2', 'firing']]);
    await hostsCommand('start-daemon', 'a');
    await waitUntil(async () => (await query('govirthost_libvirt_up{host="127.0.0.2"} == 1')).length === 1, 60_000);
  });
});
