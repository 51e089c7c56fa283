/**
 * Takes a snapshot: internal (in the qcow2 images, with the memory of a running guest) or, with
 * diskOnly, external overlays of the disks, quiesced through the guest agent when it answers.
 * A domain that cannot have the snapshot asked for is refused with the reason before libvirt is.
 */
import * as v from 'valibot';
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { snapshotProblem, snapshotRequestXml } from '../guest/snapshot-xml.ts';
import { LibvirtError, SnapshotCreateFlags, type DomainRef, type SnapshotRef } from '../libvirt/index.ts';
import { findDomain } from './domain.ts';
import { SnapshotName, snapshotTree } from './domain-snapshot.ts';
import { DomainName } from './schemas.ts';
import { defineAction } from './types.ts';

const Input = v.pipe(
  v.strictObject({
    domain: DomainName,
    name: v.optional(SnapshotName),
    description: v.optional(v.pipe(v.string('must be a string'), v.maxLength(1024, 'must be at most 1024 characters'))),
    diskOnly: v.optional(v.boolean('must be true or false'), false),
    quiesce: v.optional(v.boolean('must be true or false')),
  }),
  v.forward(v.check((i) => !(i.quiesce === true && !i.diskOnly), 'quiesce needs diskOnly: libvirt quiesces only disk-only snapshots'), ['quiesce']),
);

export default defineAction({
  name: 'domain-snapshot-create',
  kind: 'mutation',
  role: 'operator',
  summary: 'Takes a snapshot of a domain (internal, or diskOnly: external overlays of its disks)',
  input: Input,
  domainOf: (input) => input.domain,
  async run(input, { deps }) {
    const dom = await findDomain(deps, input.domain);
    const domainXml = await deps.libvirt.domainXml(dom);
    const problem = snapshotProblem(domainXml, input.diskOnly);
    if (problem) throw new AppError('CONFLICT', `domain '${input.domain}' cannot have this snapshot: ${problem.message}`, { fields: [problem] });
    const name = input.name ?? defaultName(deps.clock.now());
    const xml = snapshotRequestXml({ name, description: input.description, diskOnly: input.diskOnly }, domainXml);
    const { snap, quiesced } = await create(deps, dom, xml, input);
    const tree = await snapshotTree(deps, dom);
    const view = tree.snapshots.find((s) => s.name === snap.name) ?? null;
    return { data: { action: 'snapshot-create', domain: input.domain, snapshot: view, quiesced }, audit: { snapshot: snap.name, diskOnly: input.diskOnly, quiesced } };
  },
});

/** Creates it, quiescing a running guest's disk-only snapshot when its agent answers (or when asked). */
async function create(deps: Deps, dom: DomainRef, xml: string, input: { diskOnly: boolean; quiesce?: boolean | undefined }): Promise<{ snap: SnapshotRef; quiesced: boolean }> {
  const base = SnapshotCreateFlags.ATOMIC | (input.diskOnly ? SnapshotCreateFlags.DISK_ONLY : 0);
  const tryQuiesce = input.quiesce ?? (input.diskOnly && dom.id !== -1);
  if (!tryQuiesce) return { snap: await deps.libvirt.createSnapshot(dom, xml, base), quiesced: false };
  try {
    return { snap: await deps.libvirt.createSnapshot(dom, xml, base | SnapshotCreateFlags.QUIESCE), quiesced: true };
  } catch (err) {
    // Asked for by default only: a guest without a working agent gets the snapshot unquiesced.
    if (input.quiesce === undefined && err instanceof LibvirtError && /agent/i.test(err.message)) {
      return { snap: await deps.libvirt.createSnapshot(dom, xml, base), quiesced: false };
    }
    throw err;
  }
}

/** snap-20261203-101500 (UTC). */
function defaultName(now: number): string {
  return `snap-${new Date(now).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)}`;
}
