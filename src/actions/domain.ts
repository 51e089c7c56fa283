/** Helpers shared by the domain actions: lookup with a clear 404, state as virsh prints it. */
import type { Role } from '../auth/tokens.ts';
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { isNotFound, type DomainRef, type Libvirt, type LibvirtError } from '../libvirt/index.ts';
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
