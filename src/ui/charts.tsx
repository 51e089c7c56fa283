/**
 * Server-drawn SVG charts. Each line carries the numbers it was drawn from in data attributes
 * (snapshot ids, times, values, the scale), so a reader of the markup can check every point.
 */

/** Plot area of every chart, in SVG user units. */
export const CHART = { width: 600, height: 160 } as const;

/** One point of a series: a snapshot's id and time (epoch ms) and the value it had. */
export interface Sample { id: number; at: number; value: number }

/** One line: its key, label, colour and samples (oldest first). */
export interface Series { key: string; label: string; color: string; samples: Sample[] }

/** 'YYYY-MM-DD HH:MM' in UTC. */
export const utc = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');

const round2 = (n: number) => Math.round(n * 100) / 100;

/** x for time `at` in [from, to]. */
export function xOf(at: number, from: number, to: number): number {
  return round2(((at - from) / Math.max(1, to - from)) * CHART.width);
}

/** y for `value` on a 0…max scale (0 at the bottom). */
export function yOf(value: number, max: number): number {
  return round2(CHART.height - (Math.min(value, max) / max) * CHART.height);
}

/** A line chart of `series` over [from, to], 0…max on the y axis. */
export function LineChart(p: { id: string; title: string; series: Series[]; from: number; to: number; max: number; unit: string }) {
  const empty = p.series.every((s) => s.samples.length === 0);
  const label = `${p.title}: ${p.series.map((s) => `${s.label} latest ${s.samples.at(-1)?.value ?? 'none'}`).join(', ')}`;
  return (
    <figure>
      <figcaption id={`${p.id}-title`}>{p.title}</figcaption>
      <svg class="chart" id={p.id} viewBox={`0 0 ${CHART.width} ${CHART.height}`} role="img" aria-label={label}
        data-from={String(p.from)} data-to={String(p.to)} data-max={String(p.max)} preserveAspectRatio="none">
        {[0.25, 0.5, 0.75].map((f) => (
          <line x1="0" x2={String(CHART.width)} y1={String(CHART.height * f)} y2={String(CHART.height * f)} stroke="#d5d9de" stroke-width="1" />
        ))}
        {p.series.map((s) => (
          <polyline fill="none" stroke={s.color} stroke-width="2" vector-effect="non-scaling-stroke"
            data-series={s.key} data-ids={s.samples.map((x) => x.id).join(',')}
            data-times={s.samples.map((x) => x.at).join(',')} data-values={s.samples.map((x) => x.value).join(',')}
            points={s.samples.map((x) => `${xOf(x.at, p.from, p.to)},${yOf(x.value, p.max)}`).join(' ')} />
        ))}
        {empty && <text x="12" y="24" fill="#4b5563">No snapshots in this period yet</text>}
      </svg>
      <ul class="legend">
        {p.series.map((s) => <li><span class="swatch" style={`background:${s.color}`}></span>{s.label}</li>)}
        <li>{`scale 0–${p.max}${p.unit ? ` ${p.unit}` : ''}; ${utc(p.from)} – ${utc(p.to)} UTC`}</li>
      </ul>
    </figure>
  );
}

/** A span of time in one state. */
export interface Segment { from: number; to: number; state: string; reason: string }

/** Colour of a state band (text stays in the accompanying table, so colour is never the only cue). */
export function stateColor(state: string): string {
  return ({ running: '#2e8540', paused: '#c58a00', 'shut off': '#6b7280', crashed: '#a3141c', blocked: '#7c3aed', 'in shutdown': '#d97706', undefined: '#e5e7eb' } as Record<string, string>)[state] ?? '#94a3b8';
}

/** A domain's states as bands over [from, to], with a tick at each snapshot time. */
export function TimelineChart(p: { segments: Segment[]; snapshots: number[]; from: number; to: number }) {
  const bandH = 60;
  return (
    <figure>
      <figcaption id="timeline-title">{`States over the snapshot history, ${utc(p.from)} – ${utc(p.to)} UTC`}</figcaption>
      <svg class="chart" id="timeline" viewBox={`0 0 ${CHART.width} 90`} role="img" aria-labelledby="timeline-title" preserveAspectRatio="none"
        data-from={String(p.from)} data-to={String(p.to)}>
        {p.segments.map((s) => {
          const x = xOf(s.from, p.from, p.to);
          return (
            <rect x={String(x)} y="4" width={String(Math.max(0.5, round2(xOf(s.to, p.from, p.to) - x)))} height={String(bandH)}
              fill={stateColor(s.state)} data-state={s.state} data-from={String(s.from)} data-to={String(s.to)}>
              <title>{`${s.state}${s.reason ? ` (${s.reason})` : ''} from ${new Date(s.from).toISOString()}`}</title>
            </rect>
          );
        })}
        {p.snapshots.map((at) => <line class="snapshot" x1={String(xOf(at, p.from, p.to))} x2={String(xOf(at, p.from, p.to))} y1="70" y2="86" stroke="#14213d" stroke-width="1" vector-effect="non-scaling-stroke" />)}
      </svg>
      <ul class="legend">
        {[...new Set(p.segments.map((s) => s.state))].map((st) => <li><span class="swatch" style={`background:${stateColor(st)}`}></span>{st}</li>)}
        <li>ticks: snapshots ({p.snapshots.length})</li>
      </ul>
    </figure>
  );
}
