/**
 * The route table is the one place REST routes are declared: every route is served (never the
 * app's "no route" answer) and documented in /openapi.json, and the document lists nothing else.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { REST_ROUTES } from '../../src/http/routes.ts';
import { buildTestApp, type TestApp } from '../support/app.ts';
import { call } from '../support/http.ts';

describe('the REST route table', () => {
  let t: TestApp;
  before(async () => { t = await buildTestApp(); });
  after(async () => { await t.close(); });

  test('every route is served by its handler, on /v1 and on /ui/api', async () => {
    for (const route of REST_ROUTES.filter((r) => !r.stream)) {
      const path = route.path.replace('{name}', 'no-such-domain-rt').replace('{id}', '999999').replace('{action}', 'fly');
      for (const prefix of ['/v1', '/ui/api']) {
        const a = await call(t, route.method.toUpperCase(), `${prefix}${path}`, route.method === 'get' ? undefined : {}, { 'x-requested-with': 'fetch' });
        assert.ok(!/no route for/.test(a.text), `${route.method} ${prefix}${path} is not served: ${a.text}`);
      }
    }
  });

  test('/openapi.json documents exactly the table\'s routes', async () => {
    const doc = (await call(t, 'GET', '/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`)).sort();
    const declared = REST_ROUTES.filter((r) => !r.hidden).map((r) => `${r.method} /v1${r.path}`).sort();
    assert.deepEqual(documented, declared);
  });
});
