/**
 * package.json carries no dead weight: every runtime dependency is imported by src/, and every
 * development dependency by the tests, the benchmark, the deploy build or the npm scripts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>; devDependencies: Record<string, string>; scripts: Record<string, string>;
};

function textOf(dir: string): string {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(tsx?|sh)$/.test(e.name))
    .map((e) => fs.readFileSync(path.join(e.parentPath, e.name), 'utf8'))
    .join('\n');
}

// require.resolve: files a package ships that are served rather than imported (the dashboard's terminal).
const imported = (text: string, name: string) => new RegExp(`from '${name}(/[^']*)?'|import\\('${name}(/[^']*)?'\\)|require\\('${name}'\\)|require\\.resolve\\('${name}/[^']*'\\)`).test(text);

test('every runtime dependency is imported by src/', () => {
  const src = textOf('src');
  assert.deepEqual(Object.keys(pkg.dependencies).filter((name) => !imported(src, name)), []);
});

test('every development dependency is used by the tests, benchmark, deploy build or scripts', () => {
  const used = [textOf('test'), textOf('bench'), textOf('wrangler-free-deploy'), textOf('scripts'), textOf('src')].join('\n');
  const scripts = Object.values(pkg.scripts).join('\n') + textOf('scripts');
  const unused = Object.keys(pkg.devDependencies).filter((name) => {
    if (name.startsWith('@types/')) return !imported(used, name.slice('@types/'.length)) && name !== '@types/node';
    if (name === 'typescript') return !/\btsc\b/.test(scripts);
    if (name === 'tsx') return !/\btsx\b/.test(scripts);
    return !imported(used, name);
  });
  assert.deepEqual(unused, []);
});
