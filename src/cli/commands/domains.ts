/** `ls`, `show NAME`, `xml NAME`: the domains, one domain, its XML. */
import type { ClientCommand } from '../command.ts';
import { printJson } from '../context.ts';
import { formatBytes } from '../../model/units.ts';
import { formatDuration, table } from '../format.ts';
import { EXIT } from '../exit-codes.ts';

interface DomainJson {
  name: string;
  state: string;
  reason: string;
  vcpus: number | null;
  memoryKiB: number | null;
  cpuTimeNs: number | null;
  autostart?: boolean;
  [key: string]: unknown;
}

const path = (name: string) => `/v1/domains/${encodeURIComponent(name)}`;

/** `govirthost ls`. */
export const list: ClientCommand = {
  name: 'ls', args: '', summary: 'the domains and their states', positionals: { min: 0, max: 0 },
  flags: { cached: { type: 'boolean' } },
  flagHelp: ['--cached   from the last inventory snapshot, not libvirt'],
  async run(ctx, _args, flags) {
    const answer = await ctx.agent.request<{ domains: DomainJson[]; source: string; takenAt: string }>('GET', `/v1/domains${flags.cached ? '?source=cached' : ''}`);
    if (ctx.json) return printJson(ctx, answer.body), EXIT.ok;
    const rows = answer.body.domains.map((d) => [d.name, d.state, String(d.vcpus ?? '-'), d.memoryKiB === null ? '-' : formatBytes(d.memoryKiB * 1024), d.autostart ? 'yes' : 'no']);
    ctx.io.out(table(['NAME', 'STATE', 'VCPUS', 'MEMORY', 'AUTOSTART'], rows));
    return EXIT.ok;
  },
};

/** `govirthost show NAME`. */
export const show: ClientCommand = {
  name: 'show', args: 'NAME', summary: 'one domain', positionals: { min: 1, max: 1 },
  async run(ctx, [name]) {
    const answer = await ctx.agent.request<DomainJson>('GET', path(name!));
    if (ctx.json) return printJson(ctx, answer.body), EXIT.ok;
    const d = answer.body;
    const lines: [string, string][] = [
      ['name', d.name], ['uuid', String(d.uuid)], ['state', `${d.state} (${d.reason})`],
      ['vcpus', String(d.vcpus ?? '-')], ['memory', d.memoryKiB === null ? '-' : formatBytes(d.memoryKiB * 1024)],
      ['cpu time', d.cpuTimeNs === null ? '-' : formatDuration(d.cpuTimeNs / 1e6)],
      ['persistent', String(d.persistent ?? '-')], ['autostart', String(d.autostart ?? '-')],
    ];
    ctx.io.out(lines.map(([k, v]) => `${`${k}:`.padEnd(12)}${v}\n`).join(''));
    return EXIT.ok;
  },
};

/** `govirthost xml NAME`. */
export const xml: ClientCommand = {
  name: 'xml', args: 'NAME', summary: "a domain's XML", positionals: { min: 1, max: 1 },
  async run(ctx, [name]) {
    const text = await ctx.agent.text(`${path(name!)}/xml`);
    ctx.io.out(text.endsWith('\n') ? text : `${text}\n`);
    return EXIT.ok;
  },
};
