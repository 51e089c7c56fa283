/**
 * The floors hold: read every import under src/ and fail on an import that runs up a layer, on a
 * loop between files, or on a loop between folders. The layers, from the bottom, are in LAYERS.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const SRC = path.resolve(import.meta.dirname, '../../src');

/** Each folder (or top-level file) of src/ and its floor; an import may only go to the same floor or below. */
const LAYERS: Record<string, number> = {
  libvirt: 0,
  auth: 1, host: 1, 'errors.ts': 1,
  model: 2, config: 2,
  store: 3,
  events: 4, inventory: 4, guest: 4, migration: 4, operations: 4,
  'deps.ts': 5,
  actions: 6,
  http: 7, ui: 7, jobs: 7, ops: 7, cli: 7,
  'app.ts': 8,
  'bundled.ts': 9,
  'main.ts': 10,
};

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : /\.tsx?$/.test(e.name) ? [p] : [];
  });
}

/** Every relative import (and re-export) of a file, as paths relative to src/. */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+'(\.[^']+)'/g)]
    .map((m) => path.relative(SRC, path.resolve(path.dirname(file), m[1]!)));
}

const floorOf = (rel: string) => rel.split(path.sep)[0]!;

/** The files of `graph` that lie on a loop, as one loop's path, or null. */
function findLoop(graph: Map<string, string[]>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | null => {
    if (state.get(node) === 'done') return null;
    if (state.get(node) === 'open') return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      const loop = visit(next);
      if (loop) return loop;
    }
    stack.pop();
    state.set(node, 'done');
    return null;
  };
  for (const node of graph.keys()) {
    const loop = visit(node);
    if (loop) return loop;
  }
  return null;
}

const files = sourceFiles(SRC).map((f) => path.relative(SRC, f));
const fileGraph = new Map(files.map((f) => [f, importsOf(path.join(SRC, f))]));

test('every folder of src/ has a floor', () => {
  assert.deepEqual([...new Set(files.map(floorOf))].filter((f) => LAYERS[f] === undefined), []);
});

test('no import runs up a floor', () => {
  const up = [...fileGraph].flatMap(([file, imports]) => imports
    .filter((target) => LAYERS[floorOf(target)]! > LAYERS[floorOf(file)]!)
    .map((target) => `${file} -> ${target}`));
  assert.deepEqual(up, []);
});

test('no loop between files', () => {
  assert.equal(findLoop(fileGraph)?.join(' -> ') ?? null, null);
});

test('no loop between folders', () => {
  const folders = new Map<string, Set<string>>();
  for (const [file, imports] of fileGraph) {
    for (const target of imports) {
      if (floorOf(target) !== floorOf(file)) (folders.get(floorOf(file)) ?? folders.set(floorOf(file), new Set()).get(floorOf(file))!).add(floorOf(target));
    }
  }
  assert.equal(findLoop(new Map([...folders].map(([k, v]) => [k, [...v]])))?.join(' -> ') ?? null, null);
});

test('the loop finder finds a loop', () => {
  assert.deepEqual(findLoop(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']]])), ['a', 'b', 'c', 'a']);
  assert.equal(findLoop(new Map([['a', ['b']], ['b', []]])), null);
});
