/** Helpers shared by the domain actions: lookup with a clear 404, state as virsh prints it. */
import type { Role } from '../auth/tokens.ts';
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { ErrorCode, LibvirtError, isNotFound, type DomainRef, type Libvirt } from '../libvirt/index.ts';
import { DomainOnly } from './schemas.ts';
import { defineAction, type Action } from './types.ts';

/** Looks a domain up by name; a missing one is NOT_FOUND naming the field. */
export async function findDomain(deps: Deps, name: string): Promise<DomainRef> {
  try {
    return await deps.libvirt.lookupDomain(name);
  } catch (err) {
    if (isNotFound(err)) {
      const { code, domain } = err as LibvirtError;
      throw new AppError('NOT_FOUND', `domain '${name}' not found`, { fields: [{ field: 'domain', message: 'no such domain' }], libvirtCode: code, libvirtDomain: domain });
    }
    throw err;
  }
}

/** virErrorDomain of libvirt's domain XML parser (VIR_FROM_DOMAIN). */
const FROM_DOMAIN_CONF = 20;

/**
 * Defines a caller's domain XML. libvirt refusing the document itself is the caller's 400
 * INVALID_XML, not a 502: a configuration it does not support (code 67: an unknown domain type,
 * architecture or OS type) or a malformed value its domain parser reports as an internal error
 * (code 1 from VIR_FROM_DOMAIN: "malformed uuid element"). Parse errors (27, 35) map so everywhere.
 */
export async function defineCallerXml(deps: Deps, xml: string): Promise<DomainRef> {
  try {
    return await deps.libvirt.defineXml(xml);
  } catch (err) {
    if (err instanceof LibvirtError && (err.code === ErrorCode.CONFIG_UNSUPPORTED || (err.code === ErrorCode.INTERNAL_ERROR && err.domain === FROM_DOMAIN_CONF))) {
      throw new AppError('INVALID_XML', `xml: libvirt refused the document: ${err.message}`, { fields: [{ field: 'xml', message: err.message }], libvirtCode: err.code, libvirtDomain: err.domain });
    }
    throw err;
  }
}

/** A domain's state and reason as virsh prints them, or "undefined" once it is gone. */
export async function stateAfter(deps: Deps, dom: DomainRef): Promise<{ state: string; reason: string }> {
  try {
    const s = await deps.libvirt.domainState(dom);
    return { state: s.stateText, reason: s.reasonText };
  } catch (err) {
    if (isNotFound(err)) return { state: 'undefined', reason: 'removed' };
    throw err;
  }
}

/** The answer every domain mutation gives. */
export interface MutationResult {
  action: string;
  domain: string;
  state: string;
  reason: string;
  [extra: string]: unknown;
}

/** An action that looks the domain up, does one libvirt call, and reports the resulting state. */
export function domainAction(name: string, role: Role, summary: string, act: (lv: Libvirt, dom: DomainRef) => Promise<unknown>): Action<{ domain: string }, MutationResult> {
  return defineAction({
    name,
    kind: 'mutation',
    role,
    summary,
    input: DomainOnly,
    domainOf: (input) => input.domain,
    async run(input, { deps }) {
      const dom = await findDomain(deps, input.domain);
      await act(deps.libvirt, dom);
      const after = await stateAfter(deps, dom);
      return { data: { action: name, domain: input.domain, ...after }, audit: after };
    },
  });
}
