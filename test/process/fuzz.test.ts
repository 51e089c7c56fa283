/**
 * The fuzz campaign (issue 11): generated hostile requests (fast-check) at every route of both
 * protocols, the dashboard and the operating endpoints, against the agent as a process on the
 * private host A with tokens, three real guests and the default failed-auth limit. Every answer:
 * no 5xx but 503/504 for libvirt being down or slow, every JSON refusal exactly the error envelope
 * with a known code, bounded. Throughout: the process stays up and /healthz answers. At the end:
 * every guest is as it was and no domain was added or removed; the database stays under its bound.
 *
 * Replay: the seed is printed (`fuzz seed=… runs=…`); GVH_FUZZ_SEED, GVH_FUZZ_RUNS and, for a
 * reported counterexample, GVH_FUZZ_PATH run the same cases again (GVH_FUZZ_RAW_RUNS sets the raw
 * cases, a tenth by default). Domain XML that libvirt refuses as a configuration (an unknown type, a
 * malformed UUID) is sent too and must be a 400; GVH_FUZZ_CONFIG_XML=0 leaves it out.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { createToken } from '../../src/auth/tokens.ts';
import type { Libvirt } from '../../src/libvirt/index.ts';
import { uniqueName } from '../support/guest.ts';
import { defineStatefulGuests, domainNames, guestPrints, type GuestPrint } from '../support/guest-states.ts';
import { hostEnv, openHost, removeDomain } from '../support/hosts.ts';
import { hostileRequest, type FuzzContext } from '../support/hostile-requests.ts';
import { allRoutes, routeLabel } from '../support/hostile-routes.ts';
import { send } from '../support/hostile-send.ts';
import { CONFIG_XML_KINDS, XML_KINDS } from '../support/hostile-xml.ts';
import { rawRequest, sendRaw } from '../support/hostile-raw.ts';
import { Tally, rawProblems, replyProblems } from '../support/hostile-verdict.ts';
import { freePort, killIfRunning, spawnAgentFromSource, waitForStatus, type Spawned } from '../support/process.ts';

/** Cases per CI run: a few thousand, well under two minutes on two cores (about 20 s). */
const DEFAULT_RUNS = 5000;
/** The agent's body limit (its default, 1 MiB): bodies are generated around it. */
const BODY_LIMIT = 1024 * 1024;
/**
 * The bound on the database (main file, WAL and its index) after the campaign, about 9.4 MiB for
 * 5000 cases: 6 MiB that do not grow with the cases (SQLite checkpoints the WAL at 1000 pages, about
 * 4 MiB, and one transaction, such as a 1 MiB document, can take it past that: 5.2 MiB seen; the
 * schema, the snapshots), plus the XML documents cap (1 MiB, --audit-documents-cap), plus 512 bytes
 * per case for audit records (110 to 300 seen; a refused admin mutation keeps up to about 1 KiB, the
 * refusals of callers without a token are capped by the failed-auth limit, and no read is audited).
 */
const maxDbBytes = (cases: number) => 6 * 1024 * 1024 + 1024 * 1024 + cases * 512;
/** With this many cases every route is all but certain to get one (the rarest is picked about once in 130 cases). */
const MIN_RUNS_FOR_COVERAGE = 2000;
/** /healthz is asked after every this many cases. */
const HEALTH_EVERY = 100;

const seed = Number(process.env.GVH_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const runs = Number(process.env.GVH_FUZZ_RUNS ?? DEFAULT_RUNS);
const replayPath = process.env.GVH_FUZZ_PATH;
/** Also send XML that libvirt refuses as a configuration (400 INVALID_XML: see hostile-xml.ts); GVH_FUZZ_CONFIG_XML=0 leaves it out. */
const withConfigXml = process.env.GVH_FUZZ_CONFIG_XML !== '0';
/** Raw requests: a tenth of the cases (each may wait for the server to give up on a short body). */
const rawRuns = Number(process.env.GVH_FUZZ_RAW_RUNS ?? Math.ceil(runs / 10));

/** The sizes of the database's main file, WAL and shared-memory index, in bytes. */
function dbFiles(db: string): Record<'main' | 'wal' | 'shm', number> {
  const size = (suffix: string) => fs.statSync(`${db}${suffix}`, { throwIfNoEntry: false })?.size ?? 0;
  return { main: size(''), wal: size('-wal'), shm: size('-shm') };
}

describe('hostile requests against the agent process', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gvh-fuzz-'));
  const db = path.join(dir, 'agent.db');
  const tokensFile = path.join(dir, 'tokens.json');
  const guests = { running: uniqueName('fuzz-run'), off: uniqueName('fuzz-off'), paused: uniqueName('fuzz-paused') };
  const tally = new Tally();
  let lv: Libvirt;
  let agent: Spawned;
  let base: string;
  let ctx: FuzzContext;
  let printsBefore: GuestPrint[];
  let namesBefore: string[];

  before(async () => {
    lv = await openHost('GVH_A_URI');
    await defineStatefulGuests(lv, guests);
    printsBefore = await guestPrints(lv, Object.values(guests));
    namesBefore = await domainNames(lv);
    ctx = {
      guests: Object.values(guests),
      tokens: { viewer: createToken(tokensFile, 'fuzz-viewer', 'viewer'), admin: createToken(tokensFile, 'fuzz-admin', 'admin') },
      bodyLimit: BODY_LIMIT,
      xmlKinds: withConfigXml ? [...XML_KINDS, ...CONFIG_XML_KINDS] : XML_KINDS,
    };
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    agent = spawnAgentFromSource(['--listen', `127.0.0.1:${port}`, '--libvirt-uri', hostEnv('GVH_A_URI'), '--db', db, '--tokens-file', tokensFile,
      '--log-level', 'warn', '--snapshot-schedule', '*/5 * * * * *', '--audit-documents-cap', '1MiB', '--migrate-check-timeout', '2']);
    await waitForStatus(agent, `${base}/healthz`);
    await waitForStatus(agent, `${base}/readyz`); // libvirt connected and the first snapshot taken
  });

  after(async () => {
    killIfRunning(agent);
    for (const name of Object.values(guests)) await removeDomain(lv, name);
    for (const name of (await domainNames(lv)).filter((n) => !namesBefore.includes(n))) await removeDomain(lv, name);
    await lv.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const alive = () => agent.proc.exitCode === null && agent.proc.signalCode === null;

  test(`every answer to ${runs} hostile requests is a 2xx-4xx, a refusal in the envelope, or 503/504 for libvirt`, async () => {
    console.log(`fuzz seed=${seed} runs=${runs}${replayPath ? ` path=${replayPath}` : ''}${withConfigXml ? ' config-xml' : ''}`);
    const started = performance.now();
    let failures = 0;
    let shrinkRuns = 0;
    const property = fc.asyncProperty(hostileRequest(ctx), async (req) => {
      const reply = await send(base, req);
      if (failures === 0) tally.add(req, reply); // after the first failure fast-check is shrinking: not part of the campaign
      else shrinkRuns++;
      const problems = replyProblems(req, reply, BODY_LIMIT);
      if (!alive()) problems.push(`the agent exited: ${agent.output().slice(-2000)}`);
      else if (tally.runs % HEALTH_EVERY === 0) {
        const health = await fetch(`${base}/healthz`).then((r) => r.status, (e: Error) => e.message);
        if (health !== 200) problems.push(`/healthz answered ${health}`);
      }
      if (problems.length > 0 && ++failures <= 5) console.log(`fuzz problem: ${problems.join('; ').slice(0, 1000)}\n  request: ${String(req[fc.toStringMethod]()).slice(0, 1500)}`);
      assert.deepEqual(problems, []);
    });
    try {
      await fc.assert(property, { seed, numRuns: runs, ...(replayPath && { path: replayPath, endOnFailure: true }) });
    } finally {
      console.log(`${tally.summary()}\nfuzz duration ${Math.round(performance.now() - started)} ms${failures > 0 ? ` (${shrinkRuns} of them shrinking)` : ''}`);
    }
    if (runs >= MIN_RUNS_FOR_COVERAGE) {
      const missed = allRoutes().map(routeLabel).filter((label) => !tally.byRoute.has(label));
      assert.deepEqual(missed, [], 'every route got at least one case');
    }
  });

  test(`raw requests node:http will not send (${rawRuns}): no 5xx, the app's refusals in the envelope, the process up`, async () => {
    const port = Number(new URL(base).port);
    const started = performance.now();
    const property = fc.asyncProperty(rawRequest(ctx.guests, ctx.tokens.viewer), async (req) => {
      const replies = await sendRaw(port, req);
      tally.addRaw(replies);
      const problems = rawProblems(req, replies);
      if (!alive()) problems.push(`the agent exited: ${agent.output().slice(-2000)}`);
      assert.deepEqual(problems, []);
    });
    try {
      await fc.assert(property, { seed, numRuns: rawRuns });
    } finally {
      console.log(`fuzz raw duration ${Math.round(performance.now() - started)} ms\n${tally.summary().split('\n').filter((l) => l.startsWith('fuzz raw')).join('\n')}`);
    }
  });

  test('afterwards: the agent is up, every guest is as it was, no domain added or removed, the database within its bound', async () => {
    assert.ok(alive(), agent.output().slice(-2000));
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    assert.deepEqual(await guestPrints(lv, Object.values(guests)), printsBefore);
    assert.deepEqual(await domainNames(lv), namesBefore);
    const files = dbFiles(db);
    const size = files.main + files.wal + files.shm;
    console.log(`fuzz database ${size} bytes (main ${files.main}, WAL ${files.wal}, shm ${files.shm}; bound ${maxDbBytes(runs)})`);
    assert.ok(size <= maxDbBytes(runs), `the database takes ${size} bytes`);
    assert.doesNotMatch(agent.output(), /"level":(50|60)/, 'no error logged');
  });
});
