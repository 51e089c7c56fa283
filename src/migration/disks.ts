/** Path helpers for what a migration must do about a domain's disks (guest/disks.ts parses them). */

/** The directory part of a path ("/a/b/c.qcow2" → "/a/b"). */
export function directoryOf(path: string): string {
  const cut = path.lastIndexOf('/');
  return cut <= 0 ? '/' : path.slice(0, cut);
}
