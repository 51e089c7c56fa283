/**
 * Creates a domain, all or nothing: from XML (define, start), or from the form (a qcow2 overlay on a
 * base image, an optional static DHCP entry, define, start). If a step fails, what the earlier
 * steps made is removed again, and the audit record lists both.
 */
import * as v from 'valibot';
import type { Deps } from '../deps.ts';
import { AppError, withAuditResult } from '../errors.ts';
import { createFromForm } from '../guest/create-from-form.ts';
import { found } from '../libvirt/index.ts';
import { Steps, type StepsWatch } from '../guest/steps.ts';
import { defineCallerXml, stateAfter } from './domain.ts';
import { DomainName, DomainXml, nameInXml } from './schemas.ts';
import { defineAction } from './types.ts';
import { MAX_ADDRESS_WAIT_SECONDS, addressesOf } from './domain-addresses.ts';
import { ipv4Of } from '../model/addresses.ts';

const Count = (what: string, max: number) => v.pipe(v.number(`must be a number of ${what}`), v.integer(`must be whole ${what}`), v.minValue(1, 'must be at least 1'), v.maxValue(max, `must be at most ${max}`));

/** The create form (the seed's createvmform, zero values already removed). */
export const CreateForm = {
  hostname: v.optional(DomainName),
  mac: v.optional(v.pipe(v.string('must be a string'), v.regex(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i, 'must be a MAC address like 52:54:00:12:34:56'),
    v.check((m) => (parseInt(m.slice(0, 2), 16) & 1) === 0, 'must be a unicast MAC address (even first byte)'))),
  ip: v.optional(v.pipe(v.string('must be a string'), v.ipv4('must be an IPv4 address like 192.168.122.10'))),
  cpucount: v.optional(Count('vCPUs', 4096)),
  memorycount: v.optional(Count('GB', 16384)),
  image: v.optional(v.pipe(v.string('must be a string'), v.minLength(1, 'is required'), v.maxLength(255, 'must be at most 255 characters'),
    v.regex(/^[^/\\]+$/, 'must be a volume name, not a path'), v.check((s) => !s.includes('..'), 'must not contain ".."'))),
  leasetime: v.optional(v.pipe(v.number('must be a number of seconds'), v.integer('must be whole seconds'),
    v.minValue(120, 'must be at least 120 seconds (the shortest lease libvirt and dnsmasq accept)'), v.maxValue(2_147_483_647, 'is too long'))),
};

type Input = { domain?: string; xml?: string; wait?: number } & { [K in keyof typeof CreateForm]?: v.InferOutput<(typeof CreateForm)[K]> };

const FORM_ONLY = ['image', 'cpucount', 'memorycount', 'mac', 'ip', 'leasetime'] as const;
const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;

/** Problems of the form as a whole, as [field, message] pairs (shape is checked by the schema). */
export function formShapeProblems(i: Input): Array<[string, string]> {
  if (i.xml !== undefined) {
    const named = nameInXml(i.xml);
    if (named === null) return [['xml', 'the XML has no <name>']];
    const out: Array<[string, string]> = FORM_ONLY.filter((f) => i[f] !== undefined).map((f) => [f, 'is not used when the domain XML is given']);
    if (i.domain && i.domain !== named) out.push(['domain', 'the XML names a different domain']);
    if (i.hostname && i.hostname !== named) out.push(['hostname', 'the XML names a different domain']);
    return out;
  }
  const name = i.hostname ?? i.domain;
  const out: Array<[string, string]> = [];
  if (name === undefined) out.push(['hostname', 'a name is required (hostname or domain)']);
  else if (i.hostname && i.domain && i.hostname !== i.domain) out.push(['domain', 'must agree with hostname']);
  else if (!DNS_LABEL.test(name)) out.push([i.hostname ? 'hostname' : 'domain', "must be a host name: letters, digits and '-', at most 63"]);
  for (const f of ['image', 'cpucount', 'memorycount'] as const) if (i[f] === undefined) out.push([f, 'is required when no domain XML is given']);
  if (i.leasetime !== undefined && i.ip === undefined) out.push(['leasetime', 'needs ip: a lease time is for a fixed address']);
  return out;
}

/** How long a create may wait for the address the guest takes, in seconds. */
const Wait = v.pipe(v.number('must be a number of seconds'), v.integer('must be whole seconds'), v.minValue(0, 'must be at least 0'),
  v.maxValue(MAX_ADDRESS_WAIT_SECONDS, `must be at most ${MAX_ADDRESS_WAIT_SECONDS} seconds`));

const Schema = v.pipe(
  v.strictObject({ domain: v.optional(DomainName), xml: v.optional(DomainXml), ...CreateForm, wait: v.optional(Wait) }),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    for (const [key, message] of formShapeProblems(dataset.value)) {
      addIssue({ message, path: [{ type: 'object', origin: 'value', input: dataset.value, key, value: (dataset.value as Record<string, unknown>)[key] }] });
    }
  }),
);

async function createFromXml(deps: Deps, xml: string, watch: StepsWatch): Promise<{ data: Record<string, unknown>; audit: Record<string, unknown> }> {
  const name = nameInXml(xml) ?? '';
  if (await found(deps.libvirt.lookupDomain(name))) {
    throw new AppError('ALREADY_EXISTS', `domain '${name}' already exists`, { fields: [{ field: 'domain', message: 'is taken' }] });
  }
  const steps = new Steps({ ...watch, total: 2 });
  try {
    const dom = await steps.run('domain defined', () => defineCallerXml(deps, xml), { what: 'domain undefined', run: (d) => deps.libvirt.undefine(d) });
    await steps.run('domain started', () => deps.libvirt.start(dom));
    const after = await stateAfter(deps, dom);
    return { data: { action: 'create', domain: name, ...after }, audit: { ...after, ...steps.record(), xml } };
  } catch (err) {
    await steps.rollback();
    throw withAuditResult(err, { ...steps.record(), xml });
  }
}

export default defineAction({
  name: 'create',
  kind: 'mutation',
  keepsXml: true,
  role: 'admin',
  cancelable: true,
  summary: 'Create and start a domain, all or nothing (a cancel undoes the steps done): from XML, or from the form (a qcow2 overlay on a base image, a NIC on the configured network, an optional static DHCP entry)',
  input: Schema,
  domainOf: (input) => (input.xml ? nameInXml(input.xml) : input.hostname ?? input.domain ?? null),
  async run(input, { deps, signal, progress }) {
    const watch = { signal, report: progress };
    const created = input.xml !== undefined ? await createFromXml(deps, input.xml, watch) : await createFromTheForm(deps, input, watch);
    if (!input.wait) return created;
    const taken = await addressTaken(deps, String(created.data.domain), input.wait);
    return { data: { ...created.data, ...taken }, audit: { ...created.audit, ...taken } };
  },
});

async function createFromTheForm(deps: Deps, input: Input, watch: StepsWatch): Promise<{ data: Record<string, unknown>; audit: Record<string, unknown> }> {
  const { image, cpucount, memorycount } = input;
  if (image === undefined || cpucount === undefined || memorycount === undefined) throw new AppError('INTERNAL', 'form checked but incomplete');
  const form = { name: input.hostname ?? input.domain ?? '', image, cpucount, memorycount, mac: input.mac, ip: input.ip, leasetime: input.leasetime };
  const { guest, audit } = await createFromForm(deps, form, watch);
  return { data: { action: 'create', ...guest }, audit };
}

/** The IPv4 address the new guest took (null if none within `waitSeconds`), with its NICs. */
async function addressTaken(deps: Deps, name: string, waitSeconds: number): Promise<Record<string, unknown>> {
  const dom = await deps.libvirt.lookupDomain(name);
  const { addresses, waitedMs } = await addressesOf(deps, dom, waitSeconds);
  return { address: ipv4Of(addresses)[0] ?? null, addressWaitedMs: waitedMs, nics: addresses.nics };
}
