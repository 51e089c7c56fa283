/** Helpers the snapshot actions share: names, lookup with a clear 404, and the domain's snapshot tree. */
import * as v from 'valibot';
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { parseSnapshotXml } from '../guest/snapshot-xml.ts';
import { isNotFound, type DomainRef, type SnapshotRef } from '../libvirt/index.ts';
import type { DomainSnapshotTree, DomainSnapshotView } from '../model/domain-snapshot.ts';
import { DomainName } from './schemas.ts';

/** A snapshot's name: what libvirt and a file name both take safely. */
export const SnapshotName = v.pipe(
  v.string('must be a string'),
  v.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1 to 64 letters, digits, dots, dashes or underscores, starting with a letter or digit'),
);

/** Input of the actions on one snapshot. */
export const OneSnapshot = v.strictObject({ domain: DomainName, snapshot: SnapshotName });

/** Looks a snapshot up by name; a missing one is NOT_FOUND naming the field. */
export async function findSnapshot(deps: Deps, dom: DomainRef, name: string): Promise<SnapshotRef> {
  try {
    return await deps.libvirt.lookupSnapshot(dom, name);
  } catch (err) {
    if (isNotFound(err)) throw new AppError('NOT_FOUND', `domain '${dom.name}' has no snapshot '${name}'`, { fields: [{ field: 'snapshot', message: 'no such snapshot' }] });
    throw err;
  }
}

/** Every snapshot of a domain with its place in the tree: listing, current and XMLs pipelined. */
export async function snapshotTree(deps: Deps, dom: DomainRef): Promise<DomainSnapshotTree> {
  const lv = deps.libvirt;
  const [refs, current] = await Promise.all([lv.listSnapshots(dom), lv.currentSnapshot(dom)]);
  const xmls = await Promise.all(refs.map((r) => lv.snapshotXml(r)));
  const views: DomainSnapshotView[] = xmls.map((xml, i) => ({ ...parseSnapshotXml(xml, refs[i]!.name === current?.name), children: [] }));
  const byName = new Map(views.map((s) => [s.name, s]));
  for (const s of views) if (s.parent !== null) byName.get(s.parent)?.children.push(s.name);
  return {
    domain: dom.name,
    snapshots: views,
    roots: views.filter((s) => s.parent === null || !byName.has(s.parent)).map((s) => s.name),
    current: current?.name ?? null,
  };
}
