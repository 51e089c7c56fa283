/** The domain page's snapshots: the tree, and for operators a form to take one and revert/delete buttons (confirmed). */
import type { DomainSnapshotTree, DomainSnapshotView } from '../model/domain-snapshot.ts';
import { isoTime } from './format.ts';

function SnapshotNode(p: { s: DomainSnapshotView; byName: Map<string, DomainSnapshotView>; canAct: boolean }) {
  const s = p.s;
  return (
    <li data-snapshot={s.name}>
      <span class="snap-name">{s.name}</span>{s.current && <strong> (current)</strong>}{' '}
      <span class="reason">{isoTime(s.createdAt)} · {s.state ?? '?'} · {s.location}{s.withMemory ? ', with memory' : ''}{s.description ? ` · ${s.description}` : ''}</span>
      {p.canAct && (
        <span class="actions" role="group" aria-label={`Snapshot ${s.name}`}>
          <button type="button" data-snapshot-action="revert" data-name={s.name}>Revert</button>
          <button type="button" class="danger" data-snapshot-action="delete" data-name={s.name}>Delete</button>
        </span>
      )}
      {s.children.length > 0 && (
        <ul>{s.children.map((child) => { const c = p.byName.get(child); return c && <SnapshotNode s={c} byName={p.byName} canAct={p.canAct} />; })}</ul>
      )}
    </li>
  );
}

/** The snapshots section (null tree: they could not be read, say so). */
export function SnapshotsSection(p: { name: string; tree: DomainSnapshotTree | null; canAct: boolean }) {
  const byName = new Map((p.tree?.snapshots ?? []).map((s) => [s.name, s]));
  return (
    <section aria-labelledby="snapshots-h" id="snapshots" data-domain={p.name}>
      <h2 id="snapshots-h">Snapshots</h2>
      {p.tree === null ? <p>The snapshots could not be read.</p>
        : p.tree.snapshots.length === 0 ? <p>No snapshots.</p>
          : <ul class="snapshot-tree">{p.tree.roots.map((r) => { const s = byName.get(r); return s && <SnapshotNode s={s} byName={byName} canAct={p.canAct} />; })}</ul>}
      {p.canAct && (
        <form id="snapshot-form" class="row-buttons">
          <label>Name <input name="name" pattern="[A-Za-z0-9][A-Za-z0-9._\-]{0,63}" placeholder="automatic" /></label>
          <label>Description <input name="description" maxlength={1024} /></label>
          <label><input type="checkbox" name="diskOnly" /> disks only (external)</label>
          <button type="submit">Take snapshot</button>
        </form>
      )}
      <p><output id="snapshot-result" class="result" aria-live="polite"></output></p>
      {p.canAct && <script src="/ui/assets/snapshots.js" defer></script>}
    </section>
  );
}
