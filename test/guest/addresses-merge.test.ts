/** Merging a guest's addresses per NIC: the XML's NICs first, each source's addresses by MAC, the loopback dropped. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeNics } from '../../src/guest/addresses.ts';

const XML = `<domain><devices>
  <interface type='network'><source network='default'/><mac address='52:54:00:AA:BB:01'/></interface>
  <interface type='network'><source network='lab'/><mac address='52:54:00:aa:bb:02'/></interface>
</devices></domain>`;

test('each address once per NIC, naming every source that saw it', () => {
  const lease = [{ name: 'vnet0', hwaddr: '52:54:00:aa:bb:01', addrs: [{ type: 0, addr: '10.0.0.5', prefix: 24 }] }];
  const agent = [
    { name: 'lo', hwaddr: '00:00:00:00:00:00', addrs: [{ type: 0, addr: '127.0.0.1', prefix: 8 }] },
    { name: 'eth0', hwaddr: '52:54:00:AA:BB:01', addrs: [{ type: 0, addr: '10.0.0.5', prefix: 24 }, { type: 1, addr: 'fe80::1', prefix: 64 }] },
    { name: 'eth9', hwaddr: '52:54:00:ee:ee:ee', addrs: [{ type: 0, addr: '192.168.9.9', prefix: 24 }] },
  ];
  const arp = [{ name: 'vnet0', hwaddr: '52:54:00:aa:bb:01', addrs: [{ type: 0, addr: '10.0.0.5', prefix: 0 }] }];
  const nics = mergeNics(XML, [
    { source: 'lease', ifaces: lease, outcome: { ok: true } },
    { source: 'agent', ifaces: agent, outcome: { ok: true } },
    { source: 'arp', ifaces: arp, outcome: { ok: true } },
  ]);
  assert.deepEqual(nics, [
    { mac: '52:54:00:aa:bb:01', network: 'default', guestName: 'eth0', addresses: [
      { family: 'ipv4', address: '10.0.0.5', prefix: 24, sources: ['lease', 'agent', 'arp'] },
      { family: 'ipv6', address: 'fe80::1', prefix: 64, sources: ['agent'] },
    ] },
    { mac: '52:54:00:aa:bb:02', network: 'lab', guestName: null, addresses: [] },
    { mac: '52:54:00:ee:ee:ee', network: null, guestName: 'eth9', addresses: [{ family: 'ipv4', address: '192.168.9.9', prefix: 24, sources: ['agent'] }] },
  ]);
});

test('no sources: the XML\'s NICs without addresses; a failed source gives nothing', () => {
  assert.deepEqual(mergeNics(XML, [{ source: 'agent', ifaces: [], outcome: { ok: false, error: 'QEMU guest agent is not connected' } }]).map((n) => n.addresses), [[], []]);
  assert.deepEqual(mergeNics('', []), []);
});
