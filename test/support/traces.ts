/**
 * What a script may leave behind on the machine: the entries of /dev, the mounts and the processes
 * that name a directory. Tests take these before and after running a script and compare.
 */
import fs from 'node:fs';
import path from 'node:path';

/**
 * Every entry of the /dev filesystem as "type path" (c, b, d, f, l, s, p), sorted. Mounts inside
 * /dev (pts, shm, mqueue, hugepages) are left out: ptys and shared memory come and go with any
 * program, while a file on /dev's own devtmpfs (say a regular /dev/kvm) stays until removed.
 */
export function devEntries(root = '/dev'): string[] {
  const dev = fs.lstatSync(root).dev;
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of fs.readdirSync(dir)) {
      const p = path.join(dir, name);
      const st = fs.lstatSync(p, { throwIfNoEntry: false });
      if (!st || st.dev !== dev) continue;
      out.push(`${entryType(st)} ${p}`);
      if (st.isDirectory()) walk(p);
    }
  };
  walk(root);
  return out.sort();
}

function entryType(st: fs.Stats): string {
  if (st.isCharacterDevice()) return 'c';
  if (st.isBlockDevice()) return 'b';
  if (st.isDirectory()) return 'd';
  if (st.isSymbolicLink()) return 'l';
  if (st.isSocket()) return 's';
  if (st.isFIFO()) return 'p';
  return 'f';
}

/** The lines of this process's mount table that mention `text` (say a temp directory). */
export function mountsMentioning(text: string): string[] {
  return fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(text));
}

/** PIDs of live processes whose command line mentions `text`, this process excluded. */
export function processesMentioning(text: string): number[] {
  const pids: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    const cmdline = readOrEmpty(`/proc/${name}/cmdline`).replaceAll('\0', ' ');
    const state = /\) (\S)/.exec(readOrEmpty(`/proc/${name}/stat`))?.[1];
    if (cmdline.includes(text) && state !== 'Z') pids.push(Number(name));
  }
  return pids;
}

function readOrEmpty(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
