/** REST routes for migration beyond the action itself: the pre-check and the migration in progress. */
import type { Context, Hono } from 'hono';
import { AppError } from '../errors.ts';
import { readMutationBody } from './body.ts';
import type { AppEnv } from './context.ts';
import { invoke } from './invoke.ts';
import { json } from './respond.ts';

/** Adds POST /domains/{name}/migrate-check and GET /domains/{name}/migration to the /v1 routes. */
export function migrationRoutes(app: Hono<AppEnv>): void {
  app.post('/domains/:name/migrate-check', migrateCheck);
  app.get('/domains/:name/migration', async (c) => {
    const { output } = await invoke(c, 'rest', { action: 'migration-status', family: 'read', input: { domain: c.req.param('name') } });
    return json(c, output.data);
  });
}

async function migrateCheck(c: Context<AppEnv>): Promise<Response> {
  const { body, rejection } = await readMutationBody(c);
  const inBody = 'domain' in body ? new AppError('VALIDATION_FAILED', 'the domain is named in the path', { fields: [{ field: 'domain', message: 'is not allowed in the body' }] }) : undefined;
  const input = { ...body, domain: c.req.param('name') };
  const { output } = await invoke(c, 'rest', { action: 'migrate-check', family: 'read', input, rejection: rejection ?? inBody });
  return json(c, output.data);
}
