/**
 * Facts the deploy build (wrangler-free-deploy/build.ts) writes into the bundle in place of this
 * module: the agent's version, its migrations (embedded, so the bundle needs no SQL files beside it)
 * the file name of better-sqlite3's native addon, which sits beside the bundle, and the
 * dashboard's third-party files (the console's terminal). Run from source,
 * there is no bundle: null, and the repository's files are used.
 */
import type { VendorAssets } from './model/vendor-assets.ts';
import type { Migration } from './store/schema.ts';

/** What a bundle carries. */
export interface BundleFacts {
  version: string;
  migrations: Migration[];
  /** Relative to the bundle file. */
  nativeBinding: string;
  /** The dashboard's third-party files, embedded. */
  vendor: VendorAssets;
}

/** null when running from source. */
export const BUNDLE: BundleFacts | null = null;
