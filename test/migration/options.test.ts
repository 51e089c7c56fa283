/** The sans-I/O pieces of migration: options to flags and parameters, disks, job progress, the pre-check error, the NICs and DHCP entries that move. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as v from 'valibot';
import { AppError } from '../../src/errors.ts';
import { fail, pass, skip } from '../../src/migration/checks.ts';
import { parseDisks } from '../../src/guest/disks.ts';
import { directoryOf } from '../../src/migration/disks.ts';
import { MigrateInput, destinationUri, migrateFlags, migrateParams } from '../../src/migration/options.ts';
import { precheckError } from '../../src/migration/precheck.ts';
import { jobProgress } from '../../src/migration/progress.ts';
import { networkNics } from '../../src/migration/dhcp.ts';
import { dhcpHostElements } from '../../src/guest/network.ts';

/** Asserts that `run` throws 400 VALIDATION_FAILED naming the field target, with a message matching `why`. */
function assertTargetRefused(run: () => unknown, why: RegExp): void {
  assert.throws(run, (err: unknown) => {
    assert.ok(err instanceof AppError, String(err));
    assert.deepEqual([err.code, err.status, err.details.fields?.map((f) => f.field)], ['VALIDATION_FAILED', 400, ['target']]);
    assert.match(err.message, why);
    return true;
  });
}

const parse = (input: Record<string, unknown>) => v.parse(MigrateInput, { domain: 'vm', target: 'b', ...input });
const issues = (input: Record<string, unknown>) => {
  const r = v.safeParse(MigrateInput, { domain: 'vm', target: 'b', ...input });
  return r.success ? [] : [...new Set(r.issues.map((i) => v.getDotPath(i)))];
};

describe('options', () => {
  test('defaults: live, persistent on the destination, source undefined: LIVE|PEER2PEER|PERSIST_DEST|UNDEFINE_SOURCE = 27', () => {
    const o = parse({});
    assert.deepEqual([o.live, o.persist, o.undefineSource, o.copyStorage, o.bandwidth, o.timeout], [true, true, true, false, undefined, undefined]);
    assert.equal(migrateFlags(o), 27);
    assert.deepEqual(migrateParams(o), []);
  });

  test('each option moves its flag or parameter', () => {
    assert.equal(migrateFlags(parse({ live: false })), 2 | 8 | 16 | 1024);
    assert.equal(migrateFlags(parse({ persist: false, undefineSource: false })), 1 | 2);
    assert.equal(migrateFlags(parse({ copyStorage: true })), 27 | 64);
    assert.deepEqual(migrateParams(parse({ bandwidth: 5 })), [{ field: 'bandwidth', type: 'ullong', value: 5n }]);
  });

  test('combinations libvirt refuses are refused by field', () => {
    assert.deepEqual(issues({ live: false, persist: false }), ['persist']);
    assert.deepEqual(issues({ live: false, copyStorage: true }), ['copyStorage']);
    assert.deepEqual(issues({ live: false, bandwidth: 1 }), ['bandwidth']);
    assert.deepEqual(issues({ bandwidth: 0.5 }), ['bandwidth']);
    assert.deepEqual(issues({ timeout: 0 }), ['timeout']);
    assert.deepEqual(issues({ target: 'a b' }), ['target']);
    assert.deepEqual(issues({ speed: 1 }), ['speed']);
  });

  test('a host name goes through the template; a URI is taken as given only where the operator allows URI targets', () => {
    const tcp = { migrateUriTemplate: 'qemu+tcp://{target}/system', allowUriTargets: false };
    assert.equal(destinationUri('kvm2', tcp), 'qemu+tcp://kvm2/system');
    assert.equal(destinationUri('kvm2', { ...tcp, migrateUriTemplate: 'qemu+ssh://root@{target}/system' }), 'qemu+ssh://root@kvm2/system');
    assert.equal(destinationUri('qemu+tls://kvm3/system', { ...tcp, allowUriTargets: true }), 'qemu+tls://kvm3/system');
    assertTargetRefused(() => destinationUri('qemu+tls://kvm3/system', tcp), /a full URI is refused/);
  });

  test('a port goes with the host, unless the template sets one', () => {
    const tcp = { migrateUriTemplate: 'qemu+tcp://{target}/system', allowUriTargets: false };
    assert.equal(destinationUri('kvm2:16510', tcp), 'qemu+tcp://kvm2:16510/system');
    assert.equal(destinationUri('[fd00::2]:16510', tcp), 'qemu+tcp://[fd00::2]:16510/system');
    const ported = { ...tcp, migrateUriTemplate: 'qemu+tls://{target}:16514/system' };
    assert.equal(destinationUri('[fd00::2]', ported), 'qemu+tls://[fd00::2]:16514/system');
    assertTargetRefused(() => destinationUri('kvm2:16510', ported), /the URI template .* sets the port/);
  });

  test('the target is put in as it is: "$" patterns of String.replace do not apply', () => {
    assert.equal(destinationUri('a$&b', { migrateUriTemplate: 'qemu+tcp://{target}/system', allowUriTargets: false }), 'qemu+tcp://a$&b/system');
  });
});

describe('disks', () => {
  const xml = `<domain><devices>
    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='/var/lib/libvirt/images/vm.qcow2'/><target dev='vda' bus='virtio'/></disk>
    <disk type='file' device='cdrom'><driver name='qemu' type='raw'/><target dev='sda' bus='sata'/><readonly/></disk>
    <disk type='volume' device='disk'><source pool='default' volume='data.qcow2'/><target dev='vdb' bus='virtio'/></disk>
    <disk type='block' device='disk'><source dev='/dev/vg/lv'/><target dev='vdc' bus='virtio'/><readonly/></disk>
    <disk type='network' device='disk'><source protocol='rbd' name='pool/img'/><target dev='vdd' bus='virtio'/></disk>
  </devices></domain>`;

  test('every disk with where its data is', () => {
    assert.deepEqual(parseDisks(xml), [
      { target: 'vda', type: 'file', device: 'disk', path: '/var/lib/libvirt/images/vm.qcow2', volume: null, readonly: false, format: 'qcow2' },
      { target: 'sda', type: 'file', device: 'cdrom', path: null, volume: null, readonly: true, format: 'raw' },
      { target: 'vdb', type: 'volume', device: 'disk', path: null, volume: { pool: 'default', name: 'data.qcow2' }, readonly: false, format: null },
      { target: 'vdc', type: 'block', device: 'disk', path: '/dev/vg/lv', volume: null, readonly: true, format: null },
      { target: 'vdd', type: 'network', device: 'disk', path: null, volume: null, readonly: false, format: null },
    ]);
    assert.deepEqual(parseDisks('<domain><devices/></domain>'), []);
    assert.deepEqual(['/a/b/c.qcow2', '/c.qcow2', 'c'].map(directoryOf), ['/a/b', '/', '/']);
  });
});

describe('job progress', () => {
  test('a running migration out, in plain numbers; no job is null', () => {
    const stats = { operation: 5, time_elapsed: 1015n, data_total: 2148016128n, data_processed: 737784n, data_remaining: 1903591424n, memory_bps: 1048770n, downtime: 300n, other: 'x' };
    assert.deepEqual(jobProgress(2, stats), {
      type: 'unbounded', operation: 'migration-out', timeElapsedMs: 1015, dataTotal: 2148016128, dataProcessed: 737784,
      dataRemaining: 1903591424, memoryBps: 1048770, downtimeMs: 300,
    });
    assert.equal(jobProgress(0, {}), null);
    assert.deepEqual(jobProgress(3, { operation: 4, errmsg: 'x' }), { type: 'completed', operation: 'migration-in', errorMessage: 'x' });
  });
});

describe('the pre-check error', () => {
  const report = (checks: ReturnType<typeof pass>[]) => ({ ok: false, domain: 'vm', destinationUri: 'qemu+tcp://b/system', mode: 'live' as const, flags: 27, checks });

  test('the first failure decides the code; every failure is listed with its field', () => {
    const err = precheckError(report([
      pass('destination', 'qemu+tcp://b/system'),
      fail('domain', 'is shut off', 'CONFLICT', 'domain'),
      fail('source', 'cannot migrate peer to peer', 'UNSUPPORTED'),
      skip('reachable', 'not tried'),
    ]));
    assert.equal(err.code, 'CONFLICT');
    assert.equal(err.message, "cannot migrate 'vm' to qemu+tcp://b/system: is shut off; cannot migrate peer to peer");
    assert.deepEqual(err.details.fields, [{ field: 'domain', message: 'is shut off' }]);
  });

  test('an unreachable destination is 502 DESTINATION_UNREACHABLE on target', () => {
    const err = precheckError(report([fail('reachable', 'cannot reach', 'DESTINATION_UNREACHABLE', 'target')]));
    assert.deepEqual([err.code, err.status, err.details.fields], ['DESTINATION_UNREACHABLE', 502, [{ field: 'target', message: 'cannot reach' }]]);
  });
});

describe('fixed addresses that follow a migrated guest', () => {
  test('networkNics: only NICs on libvirt networks, MACs in lower case', () => {
    const xml = `<domain><devices>
      <interface type='network'><mac address='52:54:00:AB:CD:01'/><source network='default' portid='x'/><model type='virtio'/></interface>
      <interface type='ethernet'><mac address='52:54:00:00:00:02'/></interface>
      <interface type='bridge'><mac address='52:54:00:00:00:03'/><source bridge='br0'/></interface>
      <interface type='network'><source network='lab'/><mac address='52:54:00:00:00:04'/></interface>
    </devices></domain>`;
    assert.deepEqual(networkNics(xml), [{ network: 'default', mac: '52:54:00:ab:cd:01' }, { network: 'lab', mac: '52:54:00:00:00:04' }]);
  });

  test('dhcpHostElements: each static host as libvirt wrote it, lease included, by lower-case MAC', () => {
    const xml = `<network><name>default</name><ip address='10.0.0.1' netmask='255.255.255.0'><dhcp>
      <range start='10.0.0.100' end='10.0.0.199'/>
      <host mac='52:54:00:AA:00:01' name='g1' ip='10.0.0.10'/>
      <host mac='52:54:00:aa:00:02' name='a&amp;b' ip='10.0.0.11'><lease expiry='3600' unit='seconds'/></host>
    </dhcp></ip></network>`;
    const hosts = dhcpHostElements(xml);
    assert.deepEqual([...hosts.keys()], ['52:54:00:aa:00:01', '52:54:00:aa:00:02']);
    assert.equal(hosts.get('52:54:00:aa:00:01'), "<host mac='52:54:00:AA:00:01' name='g1' ip='10.0.0.10'/>");
    assert.equal(hosts.get('52:54:00:aa:00:02'), "<host mac='52:54:00:aa:00:02' name='a&amp;b' ip='10.0.0.11'><lease expiry='3600' unit='seconds'/></host>");
  });
});
