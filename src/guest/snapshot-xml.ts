/**
 * Snapshot XML both ways: the <domainsnapshot> document a create sends, and the view of one that
 * libvirt returns; and why a domain cannot have the snapshot asked for, before libvirt is asked.
 */
import type { DomainSnapshotView } from '../model/domain-snapshot.ts';
import { parseDisks } from './disks.ts';
import { element, elements, escapeXml, textOf } from './xml.ts';

/** What a caller asks a snapshot to be. */
export interface SnapshotRequest {
  name: string;
  description?: string | undefined;
  /** External, disks only: works on raw disks, keeps no memory. */
  diskOnly: boolean;
}

/** The <domainsnapshot> to create; disk-only snapshots name each writable disk as external. */
export function snapshotRequestXml(req: SnapshotRequest, domainXml: string): string {
  const description = req.description ? `<description>${escapeXml(req.description)}</description>` : '';
  const disks = req.diskOnly
    ? `<disks>${writableDisks(domainXml).map((d) => `<disk name='${escapeXml(d.target)}' snapshot='external'/>`).join('')}</disks>`
    : '';
  return `<domainsnapshot><name>${escapeXml(req.name)}</name>${description}${disks}</domainsnapshot>`;
}

/**
 * Why this domain cannot have the snapshot asked for, or null. Internal snapshots live inside
 * qcow2 images (with the memory, for a running guest), so every writable disk must be qcow2; a
 * disk-only snapshot adds overlays and works on any file or block disk; a guest without a
 * writable disk has nothing to snapshot.
 */
export function snapshotProblem(domainXml: string, diskOnly: boolean): SnapshotProblem | null {
  const disks = writableDisks(domainXml);
  if (disks.length === 0) return { field: 'domain', message: 'the guest has no writable disk, so there is nothing to snapshot' };
  if (diskOnly) {
    const network = disks.find((d) => d.type === 'network');
    return network ? { field: 'diskOnly', message: `disk ${network.target} is a network disk: libvirt cannot put an overlay on it` } : null;
  }
  const notQcow2 = disks.find((d) => d.format !== 'qcow2');
  if (!notQcow2) return null;
  return {
    field: 'diskOnly',
    message: `disk ${notQcow2.target} is ${notQcow2.format ?? 'of an unknown format'}: internal snapshots need every disk in qcow2; ask for diskOnly (an external snapshot of the disks)`,
  };
}

/** Why a snapshot cannot be taken, and the input field that would change it. */
export interface SnapshotProblem { field: 'domain' | 'diskOnly'; message: string }

/** The view of one snapshot from its XML (the part before its <domain> copy). */
export function parseSnapshotXml(xml: string, current: boolean): Omit<DomainSnapshotView, 'children'> {
  const inner = xml.search(/<domain[\s>]/);
  const own = inner === -1 ? xml : xml.slice(0, inner);
  const created = Number(textOf(own, 'creationTime'));
  const memory = element(own, 'memory')?.attrs.snapshot ?? 'no';
  const disks = elements(element(own, 'disks')?.inner ?? '', 'disk').map((d) => ({ name: d.attrs.name ?? '?', snapshot: d.attrs.snapshot ?? 'no' }));
  const external = memory === 'external' || disks.some((d) => d.snapshot === 'external');
  return {
    name: textOf(own, 'name') ?? '',
    description: textOf(own, 'description'),
    state: textOf(own, 'state'),
    createdAt: Number.isFinite(created) && created > 0 ? created * 1000 : null,
    parent: textOf(element(own, 'parent')?.inner ?? '', 'name'),
    current,
    location: external ? 'external' : 'internal',
    withMemory: memory === 'internal' || memory === 'external',
    disks,
  };
}

function writableDisks(domainXml: string) {
  return parseDisks(domainXml).filter((d) => d.device === 'disk' && !d.readonly);
}
