/**
 * Migration options as callers give them, with their defaults, and what they become on the wire:
 * the destination URI, virDomainMigrateFlags and the typed parameters of MIGRATE_PERFORM3_PARAMS.
 */
import * as v from 'valibot';
import { DomainName } from '../actions/schemas.ts';
import { MigrateFlags, type TypedParam } from '../libvirt/index.ts';

/** The fields of a migrate (and migrate-check) request. */
export const MigrateFields = {
  domain: DomainName,
  target: v.pipe(v.string('must be a string'), v.minLength(1, 'is required: the destination host'), v.maxLength(1024, 'must be at most 1024 characters'),
    v.regex(/^[^\s'"]+$/, 'must be a host name or libvirt URI')),
  /** true: live (the guest keeps running); false: offline (only the definition moves). */
  live: v.optional(v.boolean('must be true or false'), true),
  /** Keep the definition on the destination. */
  persist: v.optional(v.boolean('must be true or false'), true),
  /** Remove the definition from the source once migrated. */
  undefineSource: v.optional(v.boolean('must be true or false'), true),
  /** Bandwidth limit in MiB/s. */
  bandwidth: v.optional(v.pipe(v.number('must be a number of MiB/s'), v.integer('must be whole MiB/s'), v.minValue(1, 'must be at least 1 MiB/s'), v.maxValue(1_000_000, 'must be at most 1000000 MiB/s'))),
  /** Seconds after which the migration job is aborted. */
  timeout: v.optional(v.pipe(v.number('must be a number of seconds'), v.gtValue(0, 'must be more than 0 seconds'), v.maxValue(86_400, 'must be at most 86400 seconds'))),
  /** Copy disks that are not on shared storage (NON_SHARED_DISK). */
  copyStorage: v.optional(v.boolean('must be true or false'), false),
};

const Shape = v.strictObject(MigrateFields);

/** A migrate request, validated, defaults applied. */
export type MigrateOptions = v.InferOutput<typeof Shape>;

/** The schema of a migrate request: fields plus the combinations libvirt refuses. */
export const MigrateInput = v.pipe(
  Shape,
  v.forward(v.check((o) => o.live || o.persist, 'must be true for an offline migration (only the definition moves)'), ['persist']),
  v.forward(v.check((o) => o.live || !o.copyStorage, 'cannot be used offline: an offline migration copies no disks'), ['copyStorage']),
  v.forward(v.check((o) => o.live || o.bandwidth === undefined, 'applies to a live migration only'), ['bandwidth']),
);

/** The destination daemon URI for a target: a URI as given, a host name through the template. */
export function destinationUri(target: string, template: string): string {
  return target.includes('://') ? target : template.replaceAll('{target}', target);
}

/** virDomainMigrateFlags for these options (always peer to peer: the source daemon dials the destination). */
export function migrateFlags(o: MigrateOptions): number {
  let flags = MigrateFlags.PEER2PEER;
  flags |= o.live ? MigrateFlags.LIVE : MigrateFlags.OFFLINE;
  if (o.persist) flags |= MigrateFlags.PERSIST_DEST;
  if (o.undefineSource) flags |= MigrateFlags.UNDEFINE_SOURCE;
  if (o.copyStorage) flags |= MigrateFlags.NON_SHARED_DISK;
  return flags;
}

/** The typed parameters (VIR_MIGRATE_PARAM_*) for these options. */
export function migrateParams(o: MigrateOptions): TypedParam[] {
  return o.bandwidth === undefined ? [] : [{ field: 'bandwidth', type: 'ullong', value: BigInt(o.bandwidth) }];
}
