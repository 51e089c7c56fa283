/**
 * Defines a domain from XML, or, without XML, re-defines the XML the agent recorded when it last
 * undefined that domain.
 */
import * as v from 'valibot';
import { AppError } from '../errors.ts';
import { defineCallerXml, stateAfter } from './domain.ts';
import { DomainName, DomainXml, nameInXml } from './schemas.ts';
import { defineAction } from './types.ts';

const Input = v.pipe(
  v.strictObject({ domain: v.optional(DomainName), xml: v.optional(DomainXml) }),
  v.check((i) => i.domain !== undefined || i.xml !== undefined, 'give the domain XML, or the name of a domain the agent undefined'),
  v.forward(v.check((i) => !i.xml || nameInXml(i.xml) !== null, 'the XML has no <name>'), ['xml']),
  v.forward(v.check((i) => !i.xml || !i.domain || nameInXml(i.xml) === i.domain, 'the XML names a different domain'), ['domain']),
);

export default defineAction({
  name: 'define',
  kind: 'mutation',
  keepsXml: true,
  role: 'admin',
  summary: 'Define (or redefine) a domain from XML; without XML, restore the XML recorded at its last undefine',
  input: Input,
  domainOf: (input) => input.domain ?? nameInXml(input.xml ?? ''),
  async run(input, { deps }) {
    const name = input.domain ?? nameInXml(input.xml ?? '') ?? '';
    const xml = input.xml ?? deps.definitions.lastUndefined(name);
    if (xml === null) {
      throw new AppError('NOT_FOUND', `no XML given and none recorded for '${name}' (it was not undefined through this agent)`, { fields: [{ field: 'xml', message: 'is required for a domain the agent has no record of' }] });
    }
    const dom = await defineCallerXml(deps, xml);
    const after = await stateAfter(deps, dom);
    const facts = { ...after, restored: input.xml === undefined, xml };
    return { data: { action: 'define', domain: dom.name, ...after }, audit: facts };
  },
});
