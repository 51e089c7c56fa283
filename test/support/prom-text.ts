/**
 * A strict parser of Prometheus' text exposition format (version 0.0.4), for tests: every line must
 * be a HELP, a TYPE or a sample; each family is declared once, before its samples; sample names fit
 * their family's type; histograms have cumulative buckets ending in +Inf that equal their _count.
 * Throws with the line number on the first problem.
 */

/** One sample line. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** One metric family: its TYPE, HELP and samples. */
export interface Family {
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  help: string | null;
  samples: Sample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*';
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const HELP_LINE = new RegExp(`^# HELP (${NAME}) (.*)$`);
const TYPE_LINE = new RegExp(`^# TYPE (${NAME}) (\\w+)$`);
const SAMPLE_LINE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)(?: (-?\\d+))?$`);
const LABEL_PAIR = new RegExp(`^(${LABEL})="((?:[^"\\\\\\n]|\\\\[\\\\"n])*)"(,|$)`);

// Prometheus reads values with Go's strconv.ParseFloat: Inf and NaN in any letter case (prom-client writes 'Nan').
function parseValue(text: string, where: string): number {
  if (/^\+?inf(inity)?$/i.test(text)) return Infinity;
  if (/^-inf(inity)?$/i.test(text)) return -Infinity;
  if (/^nan$/i.test(text)) return NaN;
  if (!/^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/.test(text)) throw new Error(`${where}: bad value '${text}'`);
  return Number(text);
}

function parseLabels(text: string, where: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let rest = text;
  while (rest !== '') {
    const m = LABEL_PAIR.exec(rest);
    if (!m) throw new Error(`${where}: bad labels at '${rest}'`);
    const [whole, key = '', raw = ''] = m;
    if (key in labels) throw new Error(`${where}: label ${key} twice`);
    labels[key] = raw.replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
    rest = rest.slice(whole.length);
  }
  return labels;
}

function familyOf(families: Map<string, Family>, sample: string): Family | undefined {
  const exact = families.get(sample);
  if (exact && exact.type !== 'histogram') return exact;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!sample.endsWith(suffix)) continue;
    const f = families.get(sample.slice(0, -suffix.length));
    if (f && (f.type === 'histogram' || (f.type === 'summary' && suffix !== '_bucket'))) return f;
  }
  return undefined;
}

function checkHistogram(f: Family): void {
  const series = new Map<string, { buckets: Array<[number, number]>; count?: number }>();
  for (const s of f.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const entry = series.get(key) ?? { buckets: [] };
    series.set(key, entry);
    if (s.name.endsWith('_bucket')) {
      if (le === undefined) throw new Error(`${f.name}: a bucket without le`);
      entry.buckets.push([parseValue(le, f.name), s.value]);
    } else if (s.name.endsWith('_count')) entry.count = s.value;
  }
  for (const [key, { buckets, count }] of series) {
    const last = buckets.at(-1);
    if (!last || last[0] !== Infinity) throw new Error(`${f.name} ${key}: no +Inf bucket last`);
    if (last[1] !== count) throw new Error(`${f.name} ${key}: +Inf bucket ${last[1]} != _count ${count}`);
    for (let i = 1; i < buckets.length; i++) {
      const [prev, cur] = [buckets[i - 1]!, buckets[i]!];
      if (cur[0] <= prev[0] || cur[1] < prev[1]) throw new Error(`${f.name} ${key}: buckets not increasing at le=${cur[0]}`);
    }
  }
}

/** Parses and checks a whole exposition; returns the families by name. */
export function parsePrometheusText(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  if (!text.endsWith('\n')) throw new Error('the exposition must end with a newline');
  text.slice(0, -1).split('\n').forEach((line, i) => {
    const where = `line ${i + 1}`;
    if (line === '') return;
    let m = HELP_LINE.exec(line);
    if (m) {
      const f = families.get(m[1]!) ?? { name: m[1]!, type: 'untyped', help: null, samples: [] };
      if (f.help !== null) throw new Error(`${where}: second HELP for ${m[1]}`);
      f.help = m[2]!;
      families.set(f.name, f);
      return;
    }
    m = TYPE_LINE.exec(line);
    if (m) {
      if (!TYPES.has(m[2]!)) throw new Error(`${where}: unknown type ${m[2]}`);
      const f = families.get(m[1]!);
      if (f?.samples.length) throw new Error(`${where}: TYPE after samples of ${m[1]}`);
      families.set(m[1]!, { name: m[1]!, type: m[2] as Family['type'], help: f?.help ?? null, samples: [] });
      return;
    }
    if (line.startsWith('#')) return; // other comments are allowed
    m = SAMPLE_LINE.exec(line);
    if (!m) throw new Error(`${where}: not a sample: ${line}`);
    const family = familyOf(families, m[1]!);
    if (!family) throw new Error(`${where}: sample ${m[1]} has no TYPE before it`);
    family.samples.push({ name: m[1]!, labels: parseLabels(m[2] ?? '', where), value: parseValue(m[3]!, where) });
  });
  for (const f of families.values()) if (f.type === 'histogram') checkHistogram(f);
  return families;
}

/** The sum of the samples named `name` whose labels include `labels` (0 when there are none). */
export function sampleValue(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const f of families.values()) {
    for (const s of f.samples) {
      if (s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) sum += s.value;
    }
  }
  return sum;
}
