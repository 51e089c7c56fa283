/**
 * `npm run build:deploy`: the self-contained release the install script puts on a KVM host.
 *
 *   dist/govirthost/                    (or --out DIR)
 *     govirthost.mjs                    the whole agent in one ES module (every npm dependency inside)
 *     better_sqlite3.node               better-sqlite3's native addon, loaded through its nativeBinding
 *     manifest.json                     version, the Node ABI the addon needs, sha256 of every file
 *     install.sh upgrade.sh uninstall.sh lib.sh govirthost.service govirthost.env.example README.md
 *   dist/govirthost-VERSION-linux-ARCH.tar.gz   the same directory, packed (with --tar)
 *
 * The migrations and the dashboard's terminal files are embedded: the build replaces src/bundled.ts with the facts main.ts reads.
 * Runs with the host's Node.js 20 and nothing else: no node_modules, no npm, no network.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { build, type Plugin } from 'esbuild';
import { loadMigrations } from '../src/store/schema.ts';
import { readVendorAssets } from '../src/ui/vendor.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const HERE = path.join(ROOT, 'wrangler-free-deploy');
/** The bundle's script. */
export const SCRIPT = 'govirthost.mjs';
/** better-sqlite3's addon, beside the script. */
export const ADDON = 'better_sqlite3.node';
const ADDON_SOURCE = path.join(ROOT, 'node_modules/better-sqlite3/build/Release', ADDON);
/** Deploy files copied into the bundle as they are (the scripts executable). */
export const DEPLOY_FILES = ['install.sh', 'upgrade.sh', 'uninstall.sh', 'lib.sh', 'govirthost.service', 'govirthost.env.example', 'README.md'];

/** What a build produced. */
export interface BuiltBundle {
  dir: string;
  version: string;
  /** Bytes of the script and of the addon. */
  sizes: { script: number; addon: number };
  tarball: string | null;
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

/** Replaces src/bundled.ts with the facts, and `bindings` (never used: nativeBinding is always given) with a stub. */
function bundleFacts(version: string, migrationsDir: string): Plugin {
  const facts = { version, migrations: loadMigrations(migrationsDir), nativeBinding: `./${ADDON}`, vendor: readVendorAssets() };
  const bundled = path.join(ROOT, 'src', 'bundled.ts');
  return {
    name: 'govirthost-bundle-facts',
    setup(b) {
      b.onLoad({ filter: /[\\/]src[\\/]bundled\.ts$/ }, (args) => {
        if (args.path !== bundled) return undefined;
        return { contents: `export const BUNDLE = ${JSON.stringify(facts)};\n`, loader: 'js' };
      });
      b.onResolve({ filter: /^bindings$/ }, () => ({ path: 'bindings', namespace: 'govirthost-stub' }));
      b.onLoad({ filter: /.*/, namespace: 'govirthost-stub' }, () => ({
        contents: "module.exports = () => { throw new Error('govirthost: better-sqlite3 must be opened with nativeBinding'); };",
        loader: 'js',
      }));
    },
  };
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function writeManifest(dir: string, version: string): void {
  const files = Object.fromEntries(readdirSync(dir).filter((f) => f !== 'manifest.json').sort().map((f) => [f, sha256(path.join(dir, f))]));
  const manifest = { name: 'govirthost', version, node: process.versions.node, nodeAbi: process.versions.modules, platform: process.platform, arch: process.arch, files };
  writeFileSync(path.join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

function copyDeployFiles(dir: string): void {
  for (const file of DEPLOY_FILES) {
    copyFileSync(path.join(HERE, file), path.join(dir, file));
    chmodSync(path.join(dir, file), file.endsWith('.sh') ? 0o755 : 0o644);
  }
}

/** Build options; `version` and `migrationsDir` exist for tests that need a different build. */
export interface BuildOptions {
  tar?: boolean;
  version?: string;
  migrationsDir?: string;
}

/** Builds the bundle into `dir` (emptied first); with `tar`, also packs it beside `dir`. */
export async function buildBundle(dir: string, options: BuildOptions = {}): Promise<BuiltBundle> {
  const version = options.version ?? packageVersion();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  await build({
    entryPoints: [path.join(ROOT, 'src/main.ts')],
    outfile: path.join(dir, SCRIPT),
    bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning', legalComments: 'eof',
    banner: { js: "import { createRequire as __gvhCreateRequire } from 'node:module'; const require = __gvhCreateRequire(import.meta.url);" },
    plugins: [bundleFacts(version, options.migrationsDir ?? path.join(ROOT, 'migrations'))],
  });
  copyFileSync(ADDON_SOURCE, path.join(dir, ADDON));
  chmodSync(path.join(dir, ADDON), 0o644);
  chmodSync(path.join(dir, SCRIPT), 0o644);
  copyDeployFiles(dir);
  writeManifest(dir, version);
  const tarball = options.tar ? pack(dir, version) : null;
  return { dir, version, sizes: { script: statSync(path.join(dir, SCRIPT)).size, addon: statSync(path.join(dir, ADDON)).size }, tarball };
}

function pack(dir: string, version: string): string {
  const tarball = path.join(path.dirname(dir), `govirthost-${version}-${process.platform}-${process.arch}.tar.gz`);
  execFileSync('tar', ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', '-czf', tarball, '-C', path.dirname(dir), path.basename(dir)]);
  return tarball;
}

async function cli(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: 'string', default: path.join(ROOT, 'dist', 'govirthost') }, 'no-tar': { type: 'boolean' } } });
  const out = path.resolve(values.out ?? '');
  const built = await buildBundle(out, { tar: !values['no-tar'] });
  const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
  process.stdout.write(`govirthost ${built.version} bundle in ${built.dir}: ${SCRIPT} ${kib(built.sizes.script)}, ${ADDON} ${kib(built.sizes.addon)}`
    + ` (Node ABI ${process.versions.modules})\n${built.tarball ? `packed: ${built.tarball}\n` : ''}`
    + `install on a host: copy the directory (or the tarball) there and run ./install.sh as root\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await cli();
