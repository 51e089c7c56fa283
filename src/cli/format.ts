/** Text for people: sizes, durations, tables, an operation's progress and its end. */
import { formatBytes } from '../model/units.ts';
import type { OperationView } from '../operations/view.ts';

/** `ms` as "850 ms", "12.3 s" or "4 min 5 s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/** Rows as columns padded to their widest cell, the header first. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

/** What an operation is about: "shutdown web1", "migrate web1 to host-b". */
export function operationLabel(op: Pick<OperationView, 'action' | 'domain' | 'target'>): string {
  return [op.action, op.domain, op.target && op.action === 'migrate' ? `to ${op.target}` : null].filter(Boolean).join(' ');
}

/** A running operation's progress: its percent (null when unknown) and a phrase. */
export function describeProgress(progress: Record<string, unknown> | null): { percent: number | null; text: string } {
  if (!progress) return { percent: null, text: '' };
  const percent = typeof progress.percent === 'number' ? progress.percent : null;
  return { percent, text: progressText(progress) };
}

function progressText(p: Record<string, unknown>): string {
  const n = (key: string) => (typeof p[key] === 'number' ? p[key] : null);
  const total = n('dataTotal');
  const processed = n('dataProcessed');
  if (processed !== null || typeof p.phase === 'string') {
    const parts = [typeof p.phase === 'string' ? p.phase : 'migrating'];
    if (processed !== null) parts.push(total ? `${formatBytes(processed)} of ${formatBytes(total)}` : formatBytes(processed));
    if (n('memoryBps')) parts.push(`${formatBytes(n('memoryBps')!)}/s`);
    if (n('dataRemaining') !== null) parts.push(`${formatBytes(n('dataRemaining')!)} left`);
    return parts.join(', ');
  }
  if (n('waitedSeconds') !== null) return `waited ${n('waitedSeconds')} s, ${n('remainingSeconds') ?? '?'} s left`;
  if (n('step') !== null) return `step ${n('step')} of ${n('of') ?? '?'}${typeof p.current === 'string' ? `: ${p.current}` : ''}`;
  return Object.entries(p).filter(([k]) => k !== 'percent').map(([k, v]) => `${k}=${String(v)}`).join(' ');
}

/** One line saying how an operation ended. */
export function operationEnding(op: OperationView): string {
  const label = operationLabel(op);
  const took = op.durationMs !== null ? ` in ${formatDuration(op.durationMs)}` : '';
  if (op.status === 'succeeded') {
    const state = typeof op.result?.state === 'string' ? `: ${op.result.state}` : '';
    return `${label}: succeeded${took}${state}`;
  }
  const why = op.error ? `: ${op.error.code}${op.error.message ? `: ${op.error.message}` : ''}` : '';
  return `${label}: ${op.status}${took}${why}`;
}

/** Whether an operation has ended. */
export function hasEnded(op: Pick<OperationView, 'status'>): boolean {
  return op.status !== 'pending' && op.status !== 'running';
}
