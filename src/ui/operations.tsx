/**
 * The overview's running operations: one item per operation with a progress bar (migration bytes,
 * create steps, shutdown wait) and a Cancel button. The page's script keeps the list current from
 * the event stream's `operation` events; the server renders what runs when the page loads.
 */
import type { OperationView } from '../operations/view.ts';

/** What a running operation's progress says, in words (the script has the same rule). */
export function progressText(o: Pick<OperationView, 'action' | 'progress'>): string {
  const p = o.progress ?? {};
  const num = (k: string) => (typeof p[k] === 'number' ? (p[k] as number) : null);
  const mib = (bytes: number | null) => (bytes === null ? '?' : (bytes / 1_048_576).toFixed(1));
  if (num('dataProcessed') !== null) return `${String(p.phase ?? 'copying')}: ${mib(num('dataProcessed'))} of ${mib(num('dataTotal'))} MiB`;
  if (num('step') !== null) return `step ${num('step')} of ${num('of')}: ${String(p.current ?? '')}`;
  if (num('remainingSeconds') !== null) return `waited ${num('waitedSeconds')} s, ${num('remainingSeconds')} s left`;
  return 'running';
}

/** One running operation. */
function OperationItem(p: { op: OperationView; canCancel: boolean }) {
  const percent = typeof p.op.progress?.percent === 'number' ? p.op.progress.percent : null;
  return (
    <li data-operation={String(p.op.id)} data-domain={p.op.domain ?? ''}>
      <span class="op-title">{p.op.action} {p.op.domain ?? ''} <a href={`/ui/history?action=${encodeURIComponent(p.op.action)}`}>#{p.op.id}</a></span>{' '}
      {percent === null ? <progress aria-label={`${p.op.action} progress`}></progress> : <progress max="100" value={String(percent)} aria-label={`${p.op.action} progress`}></progress>}{' '}
      <span class="op-progress">{progressText(p.op)}</span>{' '}
      {p.canCancel && p.op.cancelable && <button type="button" class="danger" data-cancel={String(p.op.id)}>Cancel</button>}
    </li>
  );
}

/** The running operations section (its list is empty when nothing runs; the script fills it). */
export function RunningOperations(p: { operations: OperationView[]; canCancel: boolean }) {
  return (
    <section aria-labelledby="ops-h">
      <h2 id="ops-h">Running operations</h2>
      <ul id="operations" class="operations" data-can-cancel={p.canCancel ? 'true' : 'false'} aria-live="polite">
        {p.operations.map((op) => <OperationItem op={op} canCancel={p.canCancel} />)}
      </ul>
      <p class="live" id="operations-empty" hidden={p.operations.length > 0}>Nothing runs now.</p>
    </section>
  );
}
