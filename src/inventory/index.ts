/** The inventory: the in-memory view cached reads come from, and the stores of its history. */
import type { Database } from '../store/db.ts';
import { SqliteSnapshotStore } from '../store/snapshots.ts';
import { SqliteStateChangeStore } from '../store/state-changes.ts';
import { InventoryView } from './view.ts';

/** The view and its stores, as handlers and jobs see them (deps.inventory). */
export interface Inventory {
  view: InventoryView;
  snapshots: SqliteSnapshotStore;
  changes: SqliteStateChangeStore;
}

/** Builds the inventory over a migrated database; the view starts empty (see startBackground). */
export function createInventory(db: Database): Inventory {
  return { view: new InventoryView(), snapshots: new SqliteSnapshotStore(db), changes: new SqliteStateChangeStore(db) };
}
