/**
 * The sans-I/O pieces of create-from-form: the XML scanner, network and volume XML, IPv4 checks,
 * the generated domain XML, host capabilities, the form checks, and all-or-nothing steps.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formShapeProblems } from '../../src/actions/create.ts';
import { guestDomainXml, parseCapabilities, preferredVirtType } from '../../src/guest/domain-xml.ts';
import { checkForm, type HostFacts } from '../../src/guest/form-checks.ts';
import {
  addressProblem, dhcpHostXml, intToIpv4, ipv4ToInt, netmaskToPrefix, parseNetworkXml, subnetBounds,
} from '../../src/guest/network.ts';
import { Steps } from '../../src/guest/steps.ts';
import { overlayVolumeXml, parseVolumeXml } from '../../src/guest/volume.ts';
import { element, elements, escapeXml, parseAttrs, textOf } from '../../src/guest/xml.ts';

/** A network as libvirt 9.0 prints it (virsh net-dumpxml), with two static hosts. */
const NETWORK_XML = `<network connections='1'>
  <name>default</name>
  <uuid>3c0abd01-ffec-4e37-a11f-9114bba7aaec</uuid>
  <forward mode='nat'>
    <nat>
      <port start='1024' end='65535'/>
    </nat>
  </forward>
  <bridge name='gvhbr0' stp='off' delay='0'/>
  <mac address='52:54:00:45:20:c9'/>
  <ip family='ipv6' address='fd00::1' prefix='64'/>
  <ip address='10.213.78.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='10.213.78.100' end='10.213.78.199'/>
      <host mac='52:54:00:AA:00:01' name='g1' ip='10.213.78.10'>
        <lease expiry='3600' unit='seconds'/>
      </host>
      <host mac='52:54:00:aa:00:02' name='g2' ip='10.213.78.11'/>
    </dhcp>
  </ip>
</network>`;

/** An overlay volume as libvirt 9.0 prints it (virsh vol-dumpxml), trimmed of timestamps. */
const OVERLAY_XML = `<volume type='file'>
  <name>g1.qcow2</name>
  <key>/var/lib/libvirt/images/g1.qcow2</key>
  <capacity unit='bytes'>16777216</capacity>
  <allocation unit='bytes'>200704</allocation>
  <target>
    <path>/var/lib/libvirt/images/g1.qcow2</path>
    <format type='qcow2'/>
    <permissions><mode>0600</mode><owner>0</owner><group>0</group></permissions>
  </target>
  <backingStore>
    <path>/var/lib/libvirt/images/base.qcow2</path>
    <format type='qcow2'/>
  </backingStore>
</volume>`;

/** Capabilities trimmed to what is read: host UUID and arch, and two guest arches. */
const CAPS_XML = (types: string[]) => `<capabilities>
  <host>
    <uuid>a444495a-9846-4e3d-9bd6-f15965948fae</uuid>
    <cpu><arch>x86_64</arch><model>Broadwell</model><topology sockets='1' dies='1' cores='2' threads='1'/></cpu>
    <topology><cells num='1'><cell id='0'><cpus num='2'><cpu id='0' socket_id='0'/><cpu id='1' socket_id='0'/></cpus></cell></cells></topology>
  </host>
  <guest><os_type>hvm</os_type><arch name='i686'><wordsize>32</wordsize><domain type='qemu'/><domain type='kvm'/></arch></guest>
  <guest><os_type>hvm</os_type><arch name='x86_64'><wordsize>64</wordsize>${types.map((t) => `<domain type='${t}'/>`).join('')}</arch></guest>
</capabilities>`;

describe('XML scanner', () => {
  test('escapes the five special characters', () => {
    assert.equal(escapeXml(`a<b>&"c'`), 'a&lt;b&gt;&amp;&quot;c&apos;');
  });

  test('attributes in either quote, unescaped', () => {
    assert.deepEqual(parseAttrs(` a='1' b="x y" c='&lt;&amp;'`), { a: '1', b: 'x y', c: '<&' });
  });

  test('elements: self-closing and with bodies, not confused by longer tag names', () => {
    const xml = `<r><host a='1'/><hostdev x='y'/><host a='2'>in</host></r>`;
    assert.deepEqual(elements(xml, 'host'), [{ attrs: { a: '1' }, inner: '' }, { attrs: { a: '2' }, inner: 'in' }]);
    assert.equal(element(xml, 'nothing'), null);
    assert.equal(textOf('<n> a &amp; b </n>', 'n'), 'a & b');
  });
});

describe('network XML and IPv4', () => {
  test('reads the IPv4 side: address, prefix, DHCP range and hosts (MACs lower-cased)', () => {
    assert.deepEqual(parseNetworkXml(NETWORK_XML), {
      name: 'default',
      bridge: 'gvhbr0',
      ipv4: {
        address: '10.213.78.1', prefix: 24, dhcp: true,
        ranges: [{ start: '10.213.78.100', end: '10.213.78.199' }],
        hosts: [{ mac: '52:54:00:aa:00:01', name: 'g1', ip: '10.213.78.10' }, { mac: '52:54:00:aa:00:02', name: 'g2', ip: '10.213.78.11' }],
      },
    });
    assert.equal(parseNetworkXml("<network><name>n</name><ip address='10.0.0.1' prefix='16'/></network>").ipv4?.prefix, 16);
    assert.equal(parseNetworkXml('<network><name>iso</name></network>').ipv4, null);
  });

  test('IPv4 arithmetic', () => {
    assert.equal(ipv4ToInt('10.213.78.1'), 0x0ad54e01);
    for (const bad of ['1.2.3', '256.0.0.1', '01.2.3.4', '1.2.3.4.5', 'a.b.c.d', '']) assert.equal(ipv4ToInt(bad), null, bad);
    assert.deepEqual(['255.255.255.0', '255.255.0.0', '255.255.255.255', '0.0.0.0', '255.0.255.0'].map(netmaskToPrefix), [24, 16, 32, 0, null]);
    assert.deepEqual(subnetBounds('10.213.78.77', 24)?.map(intToIpv4), ['10.213.78.0', '10.213.78.255']);
    assert.deepEqual(subnetBounds('192.168.1.130', 25)?.map(intToIpv4), ['192.168.1.128', '192.168.1.255']);
  });

  test('a requested address must be a host address of the subnet, not the gateway', () => {
    const net = parseNetworkXml(NETWORK_XML).ipv4!;
    assert.equal(addressProblem('10.213.78.50', net), null);
    assert.equal(addressProblem('10.213.78.150', net), null, 'inside the dynamic range is allowed (leases are checked separately)');
    assert.match(addressProblem('10.213.79.5', net) ?? '', /outside the network's subnet 10\.213\.78\.0\/24/);
    assert.match(addressProblem('10.213.78.0', net) ?? '', /network or broadcast/);
    assert.match(addressProblem('10.213.78.255', net) ?? '', /network or broadcast/);
    assert.match(addressProblem('10.213.78.1', net) ?? '', /gateway/);
  });

  test('DHCP host element, with and without a lease, escaped', () => {
    assert.equal(dhcpHostXml({ mac: '52:54:00:00:00:01', name: 'vm1', ip: '10.0.0.5' }), "<host mac='52:54:00:00:00:01' name='vm1' ip='10.0.0.5'/>");
    assert.equal(dhcpHostXml({ mac: 'm', name: "a'b", ip: 'i', leaseSeconds: 600 }), "<host mac='m' name='a&apos;b' ip='i'><lease expiry='600' unit='seconds'/></host>");
  });
});

describe('volumes', () => {
  test('reads path, capacity, format and backing store', () => {
    assert.deepEqual(parseVolumeXml(OVERLAY_XML), {
      name: 'g1.qcow2', path: '/var/lib/libvirt/images/g1.qcow2', capacityBytes: 16777216n, format: 'qcow2',
      backingPath: '/var/lib/libvirt/images/base.qcow2', backingFormat: 'qcow2',
    });
    const raw = parseVolumeXml("<volume><name>r</name><capacity unit='GiB'>2</capacity><target><path>/p/r</path><format type='raw'/></target></volume>");
    assert.deepEqual([raw.capacityBytes, raw.format, raw.backingPath], [2n * 1024n ** 3n, 'raw', null]);
  });

  test('an overlay: qcow2, the base\'s capacity, the base as backing store with its format', () => {
    const base = parseVolumeXml(OVERLAY_XML.replace(/<backingStore>[\s\S]*<\/backingStore>/, ''));
    const xml = overlayVolumeXml('new.qcow2', base);
    const back = parseVolumeXml(xml);
    assert.deepEqual([back.name, back.capacityBytes, back.format, back.backingPath, back.backingFormat],
      ['new.qcow2', 16777216n, 'qcow2', '/var/lib/libvirt/images/g1.qcow2', 'qcow2']);
  });
});

describe('domain XML and capabilities', () => {
  test('host UUID, arch and the virt types for that arch; kvm preferred, qemu as fallback', () => {
    assert.deepEqual(parseCapabilities(CAPS_XML(['qemu', 'kvm'])), { uuid: 'a444495a-9846-4e3d-9bd6-f15965948fae', arch: 'x86_64', virtTypes: ['qemu', 'kvm'] });
    assert.equal(preferredVirtType(parseCapabilities(CAPS_XML(['qemu', 'kvm']))), 'kvm');
    assert.equal(preferredVirtType(parseCapabilities(CAPS_XML(['qemu']))), 'qemu');
    assert.equal(preferredVirtType(parseCapabilities(CAPS_XML([]))), null);
  });

  test('the guest: disk, NIC with ROM off, serial console, escaped values', () => {
    const xml = guestDomainXml({ name: 'vm&1', virtType: 'kvm', arch: 'x86_64', vcpus: 2, memoryGiB: 3, diskPath: "/i/vm'1.qcow2", network: 'default', mac: '52:54:00:00:00:01' });
    assert.match(xml, /^<domain type='kvm'>/);
    assert.match(xml, /<name>vm&amp;1<\/name>/);
    assert.match(xml, /<memory unit='GiB'>3<\/memory>\s*<vcpu>2<\/vcpu>/);
    assert.match(xml, /<disk type='file' device='disk'><driver name='qemu' type='qcow2'\/><source file='\/i\/vm&apos;1\.qcow2'\/><target dev='vda' bus='virtio'\/><\/disk>/);
    assert.match(xml, /<interface type='network'><source network='default'\/><mac address='52:54:00:00:00:01'\/><model type='virtio'\/><rom enabled='no'\/><\/interface>/);
    assert.match(xml, /<serial type='pty'\/>\s*<console type='pty'\/>/);
  });
});

describe('form checks', () => {
  const node = { model: 'x86_64', memoryKiB: 8n * 1024n * 1024n, cpus: 4, mhz: 2000, nodes: 1, sockets: 1, cores: 4, threads: 1 };
  const base = parseVolumeXml(OVERLAY_XML);
  const facts = (over: Partial<HostFacts> = {}): HostFacts => ({
    domainExists: false, pool: 'default', base, overlayName: 'vm.qcow2', overlayExists: false, node,
    network: parseNetworkXml(NETWORK_XML), leases: [], domainMacs: new Map(), nowSeconds: 1_800_000_000, ...over,
  });
  const form = { name: 'vm', image: 'base.qcow2', cpucount: 2, memorycount: 4, mac: '52:54:00:00:00:09', ip: '10.213.78.50' };
  const fields = (problems: ReturnType<typeof checkForm>) => problems.map((p) => [p.field, p.conflict]);
  const lease = (mac: string, ipaddr: string, expiryTime: bigint) => ({ iface: 'gvhbr0', expiryTime, type: 0, mac, iaid: null, ipaddr, prefix: 24, hostname: null, clientId: null });

  test('a good form on a roomy host passes', () => {
    assert.deepEqual(checkForm(form, facts()), []);
  });

  test('host limits, unknown image, names taken', () => {
    assert.deepEqual(fields(checkForm({ ...form, cpucount: 5, memorycount: 9 }, facts())), [['cpucount', false], ['memorycount', false]]);
    assert.deepEqual(fields(checkForm({ ...form, cpucount: 4, memorycount: 8 }, facts())), []);
    assert.deepEqual(fields(checkForm(form, facts({ base: null }))), [['image', false]]);
    assert.deepEqual(fields(checkForm(form, facts({ domainExists: true }))), [['hostname', true]]);
    assert.deepEqual(fields(checkForm(form, facts({ overlayExists: true }))), [['hostname', true]]);
  });

  test('MAC and IP taken by a static host (any case) or a live lease; expired leases do not count', () => {
    assert.deepEqual(fields(checkForm({ ...form, mac: '52:54:00:AA:00:01' }, facts())), [['mac', true]]);
    assert.deepEqual(fields(checkForm({ ...form, ip: '10.213.78.11' }, facts())), [['ip', true]]);
    assert.deepEqual(fields(checkForm(form, facts({ leases: [lease('52:54:00:00:00:09', '10.213.78.150', 1_800_000_100n)] }))), [['mac', true]]);
    assert.deepEqual(fields(checkForm(form, facts({ leases: [lease('52:54:00:00:00:77', '10.213.78.50', 1_800_000_100n)] }))), [['ip', true]]);
    assert.deepEqual(fields(checkForm(form, facts({ leases: [lease('52:54:00:00:00:09', '10.213.78.50', 1_799_999_999n)] }))), []);
  });

  test('a MAC on a NIC of another domain, running or not, is taken; the message names the domain', () => {
    const problems = checkForm(form, facts({ domainMacs: new Map([['52:54:00:00:00:09', 'stopped-vm']]) }));
    assert.deepEqual(fields(problems), [['mac', true]]);
    assert.match(problems[0]!.message, /domain 'stopped-vm'/);
    assert.deepEqual(fields(checkForm({ ...form, mac: '52:54:00:00:00:0A' }, facts({ domainMacs: new Map([['52:54:00:00:00:0a', 'x']]) }))), [['mac', true]], 'any case');
    assert.deepEqual(fields(checkForm(form, facts({ domainMacs: new Map([['52:54:00:00:00:10', 'x']]) }))), []);
  });

  test('IP outside the subnet, or on a network without IPv4 DHCP', () => {
    assert.deepEqual(fields(checkForm({ ...form, ip: '10.9.9.9' }, facts())), [['ip', false]]);
    const iso = { name: 'iso', bridge: null, ipv4: null };
    assert.deepEqual(fields(checkForm(form, facts({ network: iso }))), [['ip', false]]);
    assert.deepEqual(fields(checkForm({ ...form, ip: undefined }, facts({ network: iso }))), [], 'no IP asked, no DHCP needed');
  });
});

describe('the form as a whole', () => {
  const xml = "<domain type='kvm'><name>vm1</name></domain>";
  test('XML: named, agreeing names, no form-only fields', () => {
    assert.deepEqual(formShapeProblems({ xml }), []);
    assert.deepEqual(formShapeProblems({ xml, hostname: 'vm1', domain: 'vm1' }), []);
    assert.deepEqual(formShapeProblems({ xml, hostname: 'vm2' }), [['hostname', 'the XML names a different domain']]);
    assert.deepEqual(formShapeProblems({ xml, image: 'i', ip: '10.0.0.2' }).map(([f]) => f), ['image', 'ip']);
    assert.deepEqual(formShapeProblems({ xml: '<domain/>' }).map(([f]) => f), ['xml']);
  });

  test('form: a host name, image, vCPUs and memory required; lease time needs an IP', () => {
    assert.deepEqual(formShapeProblems({ hostname: 'vm1', image: 'i', cpucount: 1, memorycount: 1 }), []);
    assert.deepEqual(formShapeProblems({}).map(([f]) => f), ['hostname', 'image', 'cpucount', 'memorycount']);
    assert.deepEqual(formShapeProblems({ hostname: 'a_b', image: 'i', cpucount: 1, memorycount: 1 }).map(([f]) => f), ['hostname']);
    assert.deepEqual(formShapeProblems({ hostname: 'a', domain: 'b', image: 'i', cpucount: 1, memorycount: 1 }).map(([f]) => f), ['domain']);
    assert.deepEqual(formShapeProblems({ domain: 'vm1', image: 'i', cpucount: 1, memorycount: 1, leasetime: 600 }).map(([f]) => f), ['leasetime']);
  });
});

describe('steps', () => {
  test('a failure rolls back newest first; a failing undo is recorded and the rest still run', async () => {
    const steps = new Steps();
    const order: string[] = [];
    await steps.run('one', async () => 1, { what: 'one undone', run: async (v) => { order.push(`undo ${v}`); } });
    await steps.run('two', async () => 2, { what: 'two undone', run: async () => { throw new Error('stuck'); } });
    await steps.run('three', async () => 3, { what: 'three undone', run: async (v) => { order.push(`undo ${v}`); } });
    await assert.rejects(steps.run('four', async () => { throw new Error('boom'); }), /boom/);
    await steps.rollback();
    assert.deepEqual(order, ['undo 3', 'undo 1']);
    assert.deepEqual(steps.record(), {
      steps: ['one', 'two', 'three', 'four: failed: boom'],
      undone: ['three undone', 'two undone: failed: stuck', 'one undone'],
    });
    await steps.rollback();
    assert.equal(steps.record().undone.length, 3, 'a second rollback undoes nothing again');
  });
});
