/**
 * performMigration against a wire-level fake libvirtd, for what a real daemon will not do on cue:
 * job statistics read while MIGRATE_PERFORM3_PARAMS is in flight on the same connection, and a
 * timeout whose first ABORT_JOB comes before the job exists (error 55) and is retried until it lands.
 */
import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import * as v from 'valibot';
import type { Deps } from '../../src/deps.ts';
import { Libvirt, LibvirtClient, LibvirtError } from '../../src/libvirt/index.ts';
import { writeTypedParam } from '../../src/libvirt/types.ts';
import { XdrWriter } from '../../src/libvirt/xdr.ts';
import { MigrateInput } from '../../src/migration/options.ts';
import { performMigration } from '../../src/migration/perform.ts';
import { FakeLibvirtd } from '../support/fake-libvirtd.ts';

const MIGRATE = 305;
const JOB_STATS = 298;
const ABORT = 164;
const DOM = { name: 'vm', uuid: Buffer.alloc(16, 7), id: 3 };

let fake: FakeLibvirtd;
let client: LibvirtClient;

beforeEach(async () => {
  fake = new FakeLibvirtd();
  await fake.listen();
  client = new LibvirtClient(fake.uri, { keepalive: null, callTimeoutMs: 5_000 });
  await client.connect();
});
afterEach(async () => {
  await client.close();
  await fake.close();
});

/** Only what performMigration touches: the libvirt API and a logger. */
function deps(): Deps {
  return { libvirt: new Libvirt(client), log: pino({ level: 'silent' }) } as Partial<Deps> as Deps;
}

test('progress is read while the migration call is in flight; a timeout retries ABORT_JOB until the job exists', async () => {
  let release: (() => void) | undefined;
  const aborts: number[] = [];
  fake.handlers.set(MIGRATE, () => new Promise((resolve) => {
    release = () => resolve({ error: { code: 78, domain: 10, message: 'operation aborted: migration out job: canceled by client' } });
  }));
  fake.handlers.set(JOB_STATS, () => ({
    ok: new XdrWriter().int(2).varArray([
      { field: 'operation', type: 'int' as const, value: 5 },
      { field: 'data_processed', type: 'ullong' as const, value: 4096n },
      { field: 'data_remaining', type: 'ullong' as const, value: 8192n },
    ], 64, writeTypedParam).toBuffer(),
  }));
  fake.handlers.set(ABORT, () => {
    aborts.push(Date.now());
    if (aborts.length === 1) return { error: { code: 55, domain: 10, message: 'Requested operation is not valid: no job is active on the domain' } };
    setTimeout(() => release?.(), 10);
    return { ok: Buffer.alloc(0) };
  });
  const options = v.parse(MigrateInput, { domain: 'vm', target: 'b', timeout: 0.6 });
  const done = await performMigration(deps(), DOM, 'qemu+tcp://b/system', options);
  assert.ok(done.error instanceof LibvirtError && done.error.code === 78, String(done.error));
  assert.ok(done.abortedAfterMs !== null && done.abortedAfterMs >= 600, String(done.abortedAfterMs));
  assert.equal(aborts.length, 2, 'the refused abort was tried again');
  assert.ok(done.progressReads >= 1);
  assert.deepEqual([done.progress?.operation, done.progress?.dataProcessed, done.progress?.dataRemaining], ['migration-out', 4096, 8192]);
  const calls = fake.last.calls.map((c) => c.proc);
  assert.ok(calls.indexOf(JOB_STATS) > calls.indexOf(MIGRATE), 'job stats went out while the migration call was pending');
});

test('without a timeout nothing is aborted, and a quick success ends the polling', async () => {
  fake.handlers.set(MIGRATE, () => ({ ok: new XdrWriter().uint(0).toBuffer() }));
  const options = v.parse(MigrateInput, { domain: 'vm', target: 'b' });
  const done = await performMigration(deps(), DOM, 'qemu+tcp://b/system', options);
  assert.deepEqual([done.error, done.abortedAfterMs, done.progress], [null, null, null]);
  assert.ok(!fake.last.calls.some((c) => c.proc === ABORT));
});
