/**
 * The checks made before every migration (and by the pre-check endpoint): the destination is not
 * this host, the domain exists and is in a state this kind of migration can move, this host can
 * migrate peer to peer, the destination is reachable, is another host, has no clashing domain, and
 * will have the guest's disks. Each check says what it found; the first failure decides the error.
 */
import type { MigrationHost } from './host.ts';
import { AppError } from '../errors.ts';
import { fail, pass, skip, type Check } from './checks.ts';
import { parseCapabilities } from '../guest/domain-xml.ts';
import { DomainState, Feature, isLocalDestination, isNotFound, type DomainRef } from '../libvirt/index.ts';
import { reachDestination, type Destination } from './destination.ts';
import { destinationUri, migrateFlags, type MigrateOptions } from './options.ts';
import { checkDisks } from './storage-check.ts';

/** What the pre-check found. */
export interface PrecheckReport {
  ok: boolean;
  domain: string;
  destinationUri: string;
  mode: 'live' | 'offline';
  flags: number;
  checks: Check[];
}

/** The report, plus the handles the migration goes on with (the caller closes `dest`). */
export interface Precheck { report: PrecheckReport; dom: DomainRef | null; domainXml: string | null; dest: Destination | null }

/** Runs every check that applies, in order; the destination is dialled only when the local checks pass. */
export async function precheck(deps: MigrationHost, o: MigrateOptions): Promise<Precheck> {
  const uri = destinationUri(o.target, deps.settings);
  const local = isLocalDestination(uri);
  const checks: Check[] = [local ? fail('destination', `'${uri}' names this host`, 'VALIDATION_FAILED', 'target') : pass('destination', uri)];
  const { check: domainCheck, dom, xml } = await checkDomain(deps, o);
  checks.push(domainCheck, await checkSource(deps));
  let dest: Destination | null = null;
  if (checks.every((c) => c.ok)) {
    const reach = await reachDestination(uri, deps.settings.migrateCheckTimeoutMs);
    if (reach.reachable) {
      dest = reach.dest;
      checks.push(pass('reachable', `${dest.hostname} answers at ${uri}`), ...await remoteChecks(deps, o, dest, dom as DomainRef, xml ?? ''));
    } else {
      checks.push(reach.reachable === null ? skip('reachable', reach.reason)
        : fail('reachable', `cannot reach ${uri}: ${reach.reason}`, 'DESTINATION_UNREACHABLE', 'target'));
    }
  } else {
    checks.push(skip('reachable', 'not tried: an earlier check failed'));
  }
  const report = { ok: checks.every((c) => c.ok !== false), domain: o.domain, destinationUri: uri, mode: o.live ? 'live' as const : 'offline' as const, flags: migrateFlags(o), checks };
  return { report, dom, domainXml: xml, dest };
}

/** The error a failed pre-check becomes: the first failure's code, every failure's field and text. */
export function precheckError(report: PrecheckReport): AppError {
  const failed = report.checks.filter((c) => c.ok === false);
  const first = failed[0];
  const fields = failed.filter((c) => c.field).map((c) => ({ field: c.field ?? '', message: c.detail }));
  const message = `cannot migrate '${report.domain}' to ${report.destinationUri}: ${failed.map((c) => c.detail).join('; ')}`;
  return new AppError(first?.code ?? 'CONFLICT', message, { fields });
}

async function checkDomain(deps: MigrationHost, o: MigrateOptions): Promise<{ check: Check; dom: DomainRef | null; xml: string | null }> {
  const lv = deps.libvirt;
  const dom = await lv.lookupDomain(o.domain).catch((err) => { if (isNotFound(err)) return null; throw err; });
  if (!dom) return { check: fail('domain', `no domain '${o.domain}' on this host`, 'NOT_FOUND', 'domain'), dom: null, xml: null };
  const [s, persistent, xml] = await Promise.all([lv.domainState(dom), lv.isPersistent(dom), lv.domainXml(dom)]);
  const now = `is ${s.stateText} (${s.reasonText})`;
  const movable = s.state === DomainState.RUNNING || s.state === DomainState.PAUSED;
  let check: Check;
  if (o.live) {
    check = movable ? pass('domain', `${now}: can migrate live`) : fail('domain', `${now}: a live migration needs it running or paused`, 'CONFLICT', 'domain');
  } else if (!persistent) {
    check = fail('domain', `is transient: an offline migration moves the definition, so it must be persistent`, 'CONFLICT', 'domain');
  } else {
    check = dom.id === -1 ? pass('domain', `${now}, persistent: its definition can move offline`)
      : fail('domain', `${now}: an offline migration moves only the definition; shut it off first, or migrate live`, 'CONFLICT', 'domain');
  }
  return { check, dom, xml };
}

async function checkSource(deps: MigrationHost): Promise<Check> {
  const [p2p, params] = await Promise.all([
    deps.libvirt.supports(Feature.MIGRATION_P2P), deps.libvirt.supports(Feature.MIGRATION_PARAMS),
  ]);
  if (p2p && params) return pass('source', 'this host migrates peer to peer with parameters');
  return fail('source', "this host's libvirt driver cannot migrate peer to peer", 'UNSUPPORTED');
}

async function remoteChecks(deps: MigrationHost, o: MigrateOptions, dest: Destination, dom: DomainRef, xml: string): Promise<Check[]> {
  const sourceUuid = parseCapabilities(await deps.libvirt.capabilities()).uuid;
  const sourceHost = (await deps.libvirt.connectionInfo()).hostname;
  const same = (sourceUuid !== null && sourceUuid === dest.hostUuid) || sourceHost === dest.hostname;
  return [
    same ? fail('same-host', `the destination is this host (${dest.hostname}, host UUID ${dest.hostUuid})`, 'VALIDATION_FAILED', 'target')
      : pass('same-host', `${dest.hostname} (host UUID ${dest.hostUuid}) is not this host (${sourceHost}, ${sourceUuid})`),
    await checkDestinationDomain(dest, dom),
    await checkDisks(deps, o, dest, xml),
  ];
}

async function checkDestinationDomain(dest: Destination, dom: DomainRef): Promise<Check> {
  const [byName, byUuid] = await Promise.all([
    dest.lv.lookupDomain(dom.name).catch((err) => { if (isNotFound(err)) return null; throw err; }),
    dest.lv.lookupDomainByUuid(dom.uuid).catch((err) => { if (isNotFound(err)) return null; throw err; }),
  ]);
  const clash = byName ?? byUuid;
  if (!clash) return pass('destination-domain', `no domain named '${dom.name}' or with its UUID on ${dest.hostname}`);
  if (!byName || !byUuid || byName.name !== byUuid.name) {
    return fail('destination-domain', `${dest.hostname} has another domain with this name or UUID`, 'ALREADY_EXISTS', 'domain');
  }
  if (clash.id !== -1) return fail('destination-domain', `'${dom.name}' already runs on ${dest.hostname}`, 'CONFLICT', 'domain');
  return pass('destination-domain', `${dest.hostname} has this domain defined and shut off; its definition will be replaced`);
}
