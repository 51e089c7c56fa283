/**
 * The floor for HTTP ratios: a bare Hono app on @hono/node-server answering a constant JSON, or,
 * given a file as the second argument, that file's bytes (the same answer the agent sends).
 */
import fs from 'node:fs';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const app = new Hono();
const file = process.argv[3];
const body = file ? fs.readFileSync(file) : JSON.stringify({ hostmemoryInfo: { Uptime: 1_000_000_000, Loads: [0.1, 0.2, 0.3], Procs: 100 } });
app.get('/', (c) => c.body(body, 200, { 'content-type': 'application/json' }));
app.get('/healthz', (c) => c.json({ status: 'ok' }));
serve({ fetch: app.fetch, hostname: '127.0.0.1', port: Number(process.argv[2] ?? 18199) });
