/** The floor for HTTP ratios: a bare Hono app on @hono/node-server answering a constant JSON. */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const app = new Hono();
const body = JSON.stringify({ hostmemoryInfo: { Uptime: 1_000_000_000, Loads: [0.1, 0.2, 0.3], Procs: 100 } });
app.get('/', (c) => c.body(body, 200, { 'content-type': 'application/json' }));
app.get('/healthz', (c) => c.json({ status: 'ok' }));
serve({ fetch: app.fetch, hostname: '127.0.0.1', port: Number(process.argv[2] ?? 18199) });
