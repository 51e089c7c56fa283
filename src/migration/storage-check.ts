/**
 * Whether the destination will have the guest's disks: without copyStorage each one must be on
 * storage the destination knows (a volume at the same path); with it, each writable disk needs an
 * active pool there whose directory can take the copy (libvirt creates the file in it).
 */
import type { MigrationHost } from './host.ts';
import { found, type Libvirt } from '../libvirt/index.ts';
import type { Destination } from './destination.ts';
import { parseDisks, type DiskInfo } from '../guest/disks.ts';
import { directoryOf } from './disks.ts';
import type { MigrateOptions } from './options.ts';
import { fail, pass, type Check } from './checks.ts';

/** The storage check over every disk of the domain XML. */
export async function checkDisks(deps: MigrationHost, o: MigrateOptions, dest: Destination, domainXml: string): Promise<Check> {
  const disks = parseDisks(domainXml);
  const notes: string[] = [];
  const problems: string[] = [];
  for (const disk of disks) {
    const path = await diskPath(deps.libvirt, disk);
    if (path === null) {
      notes.push(`${disk.target}: ${disk.type === 'network' ? 'network storage' : 'no local source'}`);
      continue;
    }
    const problem = await diskProblem(dest, o, disk, path);
    if (problem) problems.push(problem);
    else notes.push(`${disk.target}: ${o.copyStorage && !disk.readonly ? 'copied to' : 'also on'} ${dest.hostname} (${path})`);
  }
  if (problems.length > 0) return fail('storage', problems.join('; '), 'CONFLICT', 'copyStorage');
  return pass('storage', disks.length === 0 ? 'no disks' : notes.join('; '));
}

async function diskPath(lv: Libvirt, disk: DiskInfo): Promise<string | null> {
  if (disk.path) return disk.path;
  if (!disk.volume) return null;
  const pool = await lv.lookupStoragePool(disk.volume.pool);
  return lv.storageVolPath(await lv.lookupStorageVol(pool, disk.volume.name));
}

async function diskProblem(dest: Destination, o: MigrateOptions, disk: DiskInfo, path: string): Promise<string | null> {
  if (o.copyStorage && !disk.readonly) {
    const dir = directoryOf(path);
    const hasPool = await found(dest.lv.lookupStoragePoolByTargetPath(dir));
    return hasPool ? null : `disk ${disk.target} (${path}): ${dest.hostname} has no active storage pool at ${dir} to copy it into`;
  }
  if (await found(dest.lv.lookupStorageVolByPath(path))) return null;
  const hint = disk.readonly ? 'read-only disks are never copied' : 'set copyStorage to copy it, or put it on storage both hosts share';
  return `disk ${disk.target} (${path}) is not on storage ${dest.hostname} knows: ${hint}`;
}

