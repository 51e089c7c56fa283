/**
 * Migration options as callers give them, with their defaults, and what they become on the wire:
 * the destination URI, virDomainMigrateFlags and the typed parameters of MIGRATE_PERFORM3_PARAMS.
 */
import * as v from 'valibot';
import { DomainName } from '../model/schemas.ts';
import { AppError } from '../errors.ts';
import { MigrateFlags, callerUriProblem, hostPortProblem, type TypedParam } from '../libvirt/index.ts';

/**
 * The destination: a host name, an IPv4 address or an IPv6 address in brackets, with an optional
 * :port; or a libvirt URI, which only the operator's --allow-uri-targets lets through (checked
 * with the settings, see destinationUri) and which must carry no parameter that runs a program or
 * turns a check off.
 */
export const MigrationTarget = v.pipe(
  v.string('must be a string'),
  v.minLength(1, 'is required: the destination host'),
  v.maxLength(1024, 'must be at most 1024 characters'),
  v.rawCheck(({ dataset, addIssue }) => {
    if (dataset.issues || !dataset.typed) return;
    const problem = targetProblem(dataset.value);
    if (problem !== null) addIssue({ message: problem });
  }),
);

/** Why `target` can be no migration destination, whatever the settings, or null. */
export function targetProblem(target: string): string | null {
  if (isUriTarget(target)) {
    const problem = callerUriProblem(target);
    return problem === null ? null : `must be a host name (or an allowed libvirt URI): ${problem}`;
  }
  const problem = hostPortProblem(target);
  return problem === null ? null : `must be a host name, an IPv4 address or an [IPv6] address, with an optional :port: ${problem}`;
}

function isUriTarget(target: string): boolean {
  return target.includes('://');
}

/** The fields of a migrate (and migrate-check) request. */
export const MigrateFields = {
  domain: DomainName,
  target: MigrationTarget,
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

/** The settings that decide a destination URI (those of deps.settings). */
export interface DestinationSettings {
  migrateUriTemplate: string;
  allowUriTargets: boolean;
}

/**
 * The destination daemon URI for a target (already checked by MigrationTarget): a host through the
 * operator's template, or a URI as given when the operator allows URI targets; else 400, target.
 */
export function destinationUri(target: string, settings: DestinationSettings): string {
  if (isUriTarget(target)) {
    if (settings.allowUriTargets) return target;
    throw badTarget('a full URI is refused: give the destination host name (the operator\'s URI template makes the URI; '
      + 'only --allow-uri-targets lets callers give URIs)');
  }
  const template = settings.migrateUriTemplate;
  if (template.includes('{target}:') && hostPortHasPort(target)) {
    throw badTarget(`must be given without a port: the URI template (${template}) sets the port`);
  }
  return template.replace('{target}', () => target);
}

function hostPortHasPort(target: string): boolean {
  return target.startsWith('[') ? target.includes(']:') : target.includes(':');
}

function badTarget(message: string): AppError {
  return new AppError('VALIDATION_FAILED', `target: ${message}`, { fields: [{ field: 'target', message }] });
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
