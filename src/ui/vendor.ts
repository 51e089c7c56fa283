/**
 * Reads the dashboard's third-party files from the installed packages: run from source, main.ts
 * reads them at start; the deploy build embeds what this returns in the bundle.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { VendorAssets } from '../model/vendor-assets.ts';

/** The terminal's files, from node_modules (resolved from this file). */
export function readVendorAssets(): VendorAssets {
  const require = createRequire(import.meta.url);
  const read = (file: string) => readFileSync(file, 'utf8');
  return {
    xtermJs: read(require.resolve('@xterm/xterm/lib/xterm.js')),
    xtermCss: read(require.resolve('@xterm/xterm/css/xterm.css')),
    fitJs: read(require.resolve('@xterm/addon-fit/lib/addon-fit.js')),
  };
}
