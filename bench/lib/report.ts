/** Rows of the result table, the targets checked on them, and their text and JSON forms. */
import { formatMiB, formatNs, formatRate, spread, type Spread } from './stats.ts';

/** How a row's numbers are shown: durations (ns), rates (calls/s) or sizes (bytes). */
export type Unit = 'time' | 'rate' | 'bytes';

/** One target checked on a row. */
export interface TargetCheck { target: string; pass: boolean }

/** One row of results: our figures, the C library's, virsh's, and the ratio ours/C (lower is better). */
export interface Row {
  workload: string;
  n: number | null;
  unit: Unit;
  ours: Spread | null;
  c: Spread | null;
  virsh: Spread | null;
  /** Our time over the C library's time (for rates: C rate / our rate); < 1 means we are faster. */
  ratio: number | null;
  targets: TargetCheck[];
}

/** "every call within 1.2x of the C library's latency". */
export const RATIO_TARGET = 1.2;
/** "100-domain list with states in one round trip under 1 ms median" (ns). */
export const LIST_100_TARGET_NS = 1e6;

/** A row from raw samples of both sides; checks the 1.2x target when `callTarget` is set. */
export function makeRow(workload: string, n: number | null, unit: Unit, ours: number[] | undefined,
  c: number[] | undefined, opts: { virsh?: number[]; callTarget?: boolean } = {}): Row {
  const o = ours ? spread(ours) : null;
  const k = c ? spread(c) : null;
  const ratio = o && k ? (unit === 'rate' ? k.median / o.median : o.median / k.median) : null;
  const targets: TargetCheck[] = [];
  if (opts.callTarget && ratio !== null) targets.push({ target: `≤${RATIO_TARGET}x C`, pass: ratio <= RATIO_TARGET });
  return { workload, n, unit, ours: o, c: k, virsh: opts.virsh ? spread(opts.virsh) : null, ratio, targets };
}

/** Adds the "< 1 ms median" target to a row. */
export function withMsTarget(row: Row): Row {
  const pass = row.ours !== null && row.ours.median < LIST_100_TARGET_NS;
  return { ...row, targets: [...row.targets, { target: '<1 ms median', pass }] };
}

function fmt(unit: Unit, v: number): string {
  return unit === 'time' ? formatNs(v) : unit === 'rate' ? formatRate(v) : formatMiB(v);
}

function median(unit: Unit, s: Spread | null): string {
  return s ? fmt(unit, s.median) : '—';
}

function range(unit: Unit, s: Spread | null): string {
  return s && s.n > 1 ? `${fmt(unit, s.p10)}–${fmt(unit, s.p90)}` : '—';
}

const HEADER = ['workload', 'N', 'ours median', 'ours p10–p90', 'C lib median', 'C lib p10–p90', 'virsh median', 'ours/C', 'target'];

function cells(r: Row): string[] {
  const targets = r.targets.map((t) => `${t.target}: ${t.pass ? 'PASS' : 'FAIL'}`).join('; ');
  return [r.workload, r.n === null ? '—' : String(r.n), median(r.unit, r.ours), range(r.unit, r.ours), median(r.unit, r.c),
    range(r.unit, r.c), median(r.unit, r.virsh), r.ratio === null ? '—' : `${r.ratio.toFixed(2)}x`, targets || '—'];
}

/** The rows as one aligned markdown table. */
export function renderTable(rows: Row[]): string {
  const body = rows.map(cells);
  const widths = HEADER.map((h, i) => Math.max(h.length, ...body.map((c) => c[i]!.length)));
  const line = (c: string[]) => `| ${c.map((x, i) => x.padEnd(widths[i]!)).join(' | ')} |`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  return [line(HEADER), rule, ...body.map(line)].join('\n');
}

/** Counts of passed and failed target checks. */
export function targetSummary(rows: Row[]): { passed: number; failed: string[] } {
  const checks = rows.flatMap((r) => r.targets.map((t) => ({ r, t })));
  const failed = checks.filter((x) => !x.t.pass).map((x) => `${x.r.workload} (N=${x.r.n ?? '—'}): ${x.t.target}`);
  return { passed: checks.length - failed.length, failed };
}
