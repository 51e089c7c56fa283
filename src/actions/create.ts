/**
 * Creates a domain: defines it and starts it, all or nothing. With XML it is taken as given; a
 * guest built from the form (image, MAC, IP, vCPUs, memory) is not available yet.
 */
import * as v from 'valibot';
import { AppError } from '../errors.ts';
import { isNotFound, type DomainRef } from '../libvirt/index.ts';
import type { Deps } from '../deps.ts';
import { stateAfter } from './domain.ts';
import { DomainName, DomainXml, nameInXml } from './schemas.ts';
import { defineAction } from './types.ts';

const Count = (what: string, max: number) => v.pipe(v.number(`must be a number of ${what}`), v.integer(`must be whole ${what}`), v.minValue(1, 'must be at least 1'), v.maxValue(max, `must be at most ${max}`));

/** The create form (the seed's createvmform, zero values already removed). */
export const CreateForm = {
  hostname: v.optional(DomainName),
  mac: v.optional(v.pipe(v.string(), v.regex(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i, 'must be a MAC address like 52:54:00:12:34:56'))),
  ip: v.optional(v.pipe(v.string(), v.ip('must be an IP address'))),
  cpucount: v.optional(Count('vCPUs', 4096)),
  memorycount: v.optional(Count('GB', 16384)),
  image: v.optional(v.pipe(v.string(), v.minLength(1, 'is required'), v.regex(/^[^/\\]+$/, 'must be a volume name, not a path'), v.check((s) => !s.includes('..'), 'must not contain ".."'))),
  leasetime: v.optional(v.pipe(v.number('must be a number of seconds'), v.integer('must be whole seconds'), v.minValue(0, 'must be at least 0'))),
};

const Input = v.pipe(
  v.strictObject({ domain: v.optional(DomainName), xml: v.optional(DomainXml), ...CreateForm }),
  v.forward(v.check((i) => !i.xml || nameInXml(i.xml) !== null, 'the XML has no <name>'), ['xml']),
  v.forward(v.check((i) => !i.xml || !i.domain || nameInXml(i.xml) === i.domain, 'the XML names a different domain'), ['domain']),
  v.forward(v.check((i) => !i.xml || !i.hostname || nameInXml(i.xml) === i.hostname, 'the XML names a different domain'), ['hostname']),
  v.forward(v.check((i) => i.xml !== undefined || (i.hostname ?? i.domain) !== undefined, 'a name is required (hostname or domain)'), ['hostname']),
);

async function exists(deps: Deps, name: string): Promise<boolean> {
  try {
    await deps.libvirt.lookupDomain(name);
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

export default defineAction({
  name: 'create',
  kind: 'mutation',
  role: 'admin',
  summary: 'Define and start a new domain from XML; if starting fails the definition is removed',
  input: Input,
  domainOf: (input) => (input.xml ? nameInXml(input.xml) : input.hostname ?? input.domain ?? null),
  async run(input, { deps }) {
    if (!input.xml) {
      throw new AppError('UNSUPPORTED', 'creating a guest from an image and form is not available yet; send the domain XML', { fields: [{ field: 'xml', message: 'is required for now' }] });
    }
    const name = nameInXml(input.xml) ?? '';
    if (await exists(deps, name)) throw new AppError('ALREADY_EXISTS', `domain '${name}' already exists`, { fields: [{ field: 'domain', message: 'is taken' }] });
    const steps: string[] = [];
    const dom: DomainRef = await deps.libvirt.defineXml(input.xml);
    steps.push('defined');
    try {
      await deps.libvirt.start(dom);
      steps.push('started');
    } catch (err) {
      await deps.libvirt.undefine(dom).then(() => steps.push('undefined (rolled back)'), () => steps.push('undefine failed'));
      throw err;
    }
    const after = await stateAfter(deps, dom);
    return { data: { action: 'create', domain: name, ...after }, audit: { ...after, steps, xml: input.xml } };
  },
});
