/**
 * Live peer-to-peer migration of a running domain to another host, named in `target` (a host
 * name, turned into a URI by the configured template, or a full libvirt URI).
 */
import * as v from 'valibot';
import { AppError } from '../errors.ts';
import { DomainState, MigrateFlags, isLocalDestination } from '../libvirt/index.ts';
import { findDomain, stateAfter } from './domain.ts';
import { DomainName } from './schemas.ts';
import { defineAction } from './types.ts';

const Input = v.strictObject({
  domain: DomainName,
  target: v.pipe(v.string('must be a string'), v.minLength(1, 'is required: the destination host'), v.maxLength(1024), v.regex(/^[^\s'"]+$/, 'must be a host name or libvirt URI')),
});

const DEFAULT_FLAGS = MigrateFlags.LIVE | MigrateFlags.PEER2PEER | MigrateFlags.PERSIST_DEST | MigrateFlags.UNDEFINE_SOURCE;

/** The destination daemon URI for a target: a URI as given, a host name through the template. */
export function destinationUri(target: string, template: string): string {
  return target.includes('://') ? target : template.replaceAll('{target}', target);
}

export default defineAction({
  name: 'migrate',
  kind: 'mutation',
  role: 'admin',
  summary: 'Live-migrate a running domain to another host (peer to peer)',
  input: Input,
  domainOf: (input) => input.domain,
  async run(input, { deps }) {
    const uri = destinationUri(input.target, deps.settings.migrateUriTemplate);
    if (isLocalDestination(uri)) throw new AppError('VALIDATION_FAILED', `'${input.target}' is this host`, { fields: [{ field: 'target', message: 'must be another host' }] });
    const dom = await findDomain(deps, input.domain);
    const { state, stateText } = await deps.libvirt.domainState(dom);
    if (state !== DomainState.RUNNING && state !== DomainState.PAUSED) {
      throw new AppError('CONFLICT', `domain '${input.domain}' is ${stateText}; only a running or paused domain can be live-migrated`, { fields: [{ field: 'domain', message: 'is not running' }] });
    }
    await deps.libvirt.migrate(dom, { destinationUri: uri, flags: DEFAULT_FLAGS });
    const after = await stateAfter(deps, dom);
    const facts = { ...after, destination: uri };
    return { data: { action: 'migrate', domain: input.domain, ...facts }, audit: facts };
  },
});
