/**
 * A running guest's counters from its stats record: CPU time, the balloon's figures (null when not
 * reported), each disk and NIC by index with the values the record has (0 for a missing one), a
 * hostile count bounded, and none for an inactive domain or a record without CPU time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countersOf } from '../../src/inventory/counters.ts';
import type { DomainStatsRecord, TypedParam } from '../../src/libvirt/index.ts';

const u = (field: string, value: bigint): TypedParam => ({ field, type: 'ullong', value });
const s = (field: string, value: string): TypedParam => ({ field, type: 'string', value });
const dom = { name: 'web1', uuid: Buffer.alloc(16, 2), id: 4 };

test('counters of a running guest, by device', () => {
  const record: DomainStatsRecord = {
    dom,
    params: [
      u('cpu.time', 5_000_000_000n), u('balloon.current', 1_048_576n), u('balloon.available', 900_000n),
      { field: 'block.count', type: 'uint', value: 2 }, s('block.0.name', 'vda'), u('block.0.rd.bytes', 4096n), u('block.0.wr.bytes', 512n),
      u('block.0.rd.reqs', 2n), u('block.0.wr.reqs', 1n), s('block.1.name', 'vdb'),
      { field: 'net.count', type: 'uint', value: 1 }, s('net.0.name', 'vnet3'), u('net.0.rx.bytes', 1500n), u('net.0.tx.bytes', 600n),
      u('net.0.rx.pkts', 10n), u('net.0.tx.pkts', 4n),
    ],
  };
  assert.deepEqual(countersOf(record), {
    cpuTimeNs: 5_000_000_000n,
    memory: { actualKiB: 1_048_576n, unusedKiB: null, availableKiB: 900_000n, usableKiB: null, rssKiB: null },
    disks: [
      { name: 'vda', readBytes: 4096n, writeBytes: 512n, readRequests: 2n, writeRequests: 1n },
      { name: 'vdb', readBytes: 0n, writeBytes: 0n, readRequests: 0n, writeRequests: 0n },
    ],
    nics: [{ name: 'vnet3', rxBytes: 1500n, txBytes: 600n, rxPackets: 10n, txPackets: 4n }],
  });
});

test('no counters for an inactive domain or without CPU time; a hostile count is bounded', () => {
  assert.equal(countersOf({ dom: { ...dom, id: -1 }, params: [u('cpu.time', 1n)] }), null);
  assert.equal(countersOf({ dom, params: [] }), null);
  const huge = countersOf({ dom, params: [u('cpu.time', 1n), u('block.count', 1_000_000_000n)] });
  assert.deepEqual(huge?.disks, [], 'names missing: no disks, and the loop stops at 256');
});
