/** A guest's performance charts on its page (last hour, day or week) and the overview's CPU sparklines. */
import type { RatePoint } from '../inventory/rates.ts';
import { LineChart, type Series } from './charts.tsx';

/** The windows the domain page offers. */
export const RANGES = { '1h': 3_600_000, '1d': 86_400_000, '7d': 7 * 86_400_000 } as const;
/** One of RANGES. */
export type Range = keyof typeof RANGES;

/** One point of /stats (times as epoch ms): the rates module's own point. */
export type StatsPoint = RatePoint;

type Field = Exclude<keyof StatsPoint, 'at'>;
const MIB = 1024 * 1024;

function series(points: StatsPoint[], key: Field, label: string, color: string, scale = 1): Series {
  return { key, label, color, samples: points.flatMap((p, i) => (p[key] === null ? [] : [{ id: i, at: p.at, value: Math.round((p[key]! / scale) * 100) / 100 }])) };
}

const niceMax = (all: Series[], floor: number) => Math.max(floor, ...all.flatMap((s) => s.samples.map((x) => x.value))) * 1.1;

/** The performance section: CPU, memory, disk and network over the range, with links to the others. */
export function PerformanceSection(p: { name: string; points: StatsPoint[]; range: Range; from: number; to: number }) {
  const cpu = [series(p.points, 'cpuPercent', 'CPU % of one vCPU', '#1a56a8')];
  const memory = [series(p.points, 'memoryActualBytes', 'memory (MiB)', '#7c3aed', MIB), series(p.points, 'memoryUsedBytes', 'used by the guest (MiB)', '#c2410c', MIB)];
  const disk = [series(p.points, 'diskReadBps', 'read KiB/s', '#0f766e', 1024), series(p.points, 'diskWriteBps', 'write KiB/s', '#b45309', 1024)];
  const net = [series(p.points, 'netRxBps', 'received KiB/s', '#15803d', 1024), series(p.points, 'netTxBps', 'sent KiB/s', '#be123c', 1024)];
  const chart = (id: string, title: string, s: Series[], floor: number, unit: string) => (
    <LineChart id={id} title={title} series={s} from={p.from} to={p.to} max={Math.ceil(niceMax(s, floor))} unit={unit} />
  );
  return (
    <section aria-labelledby="perf-h" id="performance">
      <h2 id="perf-h">Performance</h2>
      <p class="row-buttons">
        {(Object.keys(RANGES) as Range[]).map((r) => (r === p.range
          ? <strong aria-current="true">{`last ${r}`}</strong>
          : <a href={`/ui/domains/${encodeURIComponent(p.name)}?range=${r}#performance`}>{`last ${r}`}</a>))}
      </p>
      <div class="charts">
        {chart('perf-cpu', 'CPU', cpu, 100, '%')}
        {chart('perf-memory', 'Memory', memory, 1, 'MiB')}
        {chart('perf-disk', 'Disk', disk, 1, 'KiB/s')}
        {chart('perf-net', 'Network', net, 1, 'KiB/s')}
      </div>
    </section>
  );
}

/** A small line of CPU use over the last hour (0–100 % of one vCPU, more clipped). */
export function Sparkline(p: { name: string; values: number[] }) {
  if (p.values.length < 2) return <span class="reason">–</span>;
  const w = 100;
  const h = 24;
  const points = p.values.map((v, i) => `${Math.round((i / (p.values.length - 1)) * w * 10) / 10},${Math.round((h - (Math.min(v, 100) / 100) * h) * 10) / 10}`).join(' ');
  const latest = Math.round(p.values.at(-1)!);
  return (
    <svg class="sparkline" viewBox={`0 0 ${w} ${h}`} width={String(w)} height={String(h)} role="img" aria-label={`CPU of ${p.name} over the last hour, now ${latest} %`} data-latest={String(latest)}>
      <polyline fill="none" stroke="#1a56a8" stroke-width="1.5" points={points} />
    </svg>
  );
}
