/**
 * The operator dashboard under /ui: server-rendered pages (reading works without JavaScript), its
 * stylesheet and script, the session (see session.ts), and the REST API again under /ui/api for
 * the page's script, authenticated by the session cookie instead of a bearer header.
 */
import { Hono, type Context } from 'hono';
import type { Child } from 'hono/jsx';
import { roleAllows } from '../auth/tokens.ts';
import type { DomainView } from '../model/domain-view.ts';
import { bodyLimit } from 'hono/body-limit';
import { AppError, toAppError } from '../errors.ts';
import { limitFailedAuth, remoteAddress } from '../http/invoke.ts';
import type { AppEnv } from '../http/context.ts';
import { restRoutes } from '../http/routes.ts';
import type { StateChangeRecord } from '../model/inventory.ts';
import type { VendorAssets } from '../model/vendor-assets.ts';
import { APP_CSS } from './assets.ts';
import { APP_JS } from './browser-script.ts';
import { CONSOLE_JS } from './console-script.ts';
import { SNAPSHOTS_JS } from './snapshots-script.ts';
import { DomainPage } from './domain-page.tsx';
import { download } from './export.ts';
import { HistoryPage, apiQuery } from './history-page.tsx';
import { Frame, type FrameProps } from './layout.tsx';
import { Overview } from './overview.tsx';
import { RANGES, type Range } from './performance.tsx';
import { DAY_MS, readCpuHistory, readDomain, readDomainSnapshots, readStats, readDomains, readHistory, readHost, readRunningOperations, readSnapshots, readTimeline, readXml } from './reads.ts';
import { csrfGuard, endSession, sessionCaller, startSession } from './session.ts';
import { setReplyHeader } from '../http/respond.ts';

/** The largest sign-in form body: a token and a return path. */
const LOGIN_BODY_LIMIT = 8 * 1024;

/** The /ui routes (mounted at the app's root). */
export function uiRoutes(): Hono<AppEnv> {
  const ui = new Hono<AppEnv>();
  ui.use('/ui/*', sessionCaller(), csrfGuard());
  ui.use('/ui', sessionCaller());
  ui.get('/ui/assets/app.css', (c) => asset(c, APP_CSS, 'text/css'));
  ui.get('/ui/assets/app.js', (c) => asset(c, APP_JS, 'text/javascript'));
  ui.get('/ui/assets/console.js', (c) => asset(c, CONSOLE_JS, 'text/javascript'));
  ui.get('/ui/assets/snapshots.js', (c) => asset(c, SNAPSHOTS_JS, 'text/javascript'));
  ui.get('/ui/assets/xterm.js', (c) => vendorAsset(c, 'xtermJs', 'text/javascript'));
  ui.get('/ui/assets/xterm.css', (c) => vendorAsset(c, 'xtermCss', 'text/css'));
  ui.get('/ui/assets/addon-fit.js', (c) => vendorAsset(c, 'fitJs', 'text/javascript'));
  ui.route('/ui/api', restRoutes());
  ui.get('/ui/login', (c) => login(c, null));
  ui.post('/ui/login', bodyLimit({ maxSize: LOGIN_BODY_LIMIT, onError: () => { throw new AppError('PAYLOAD_TOO_LARGE', `a sign-in form is at most ${LOGIN_BODY_LIMIT} bytes`); } }), async (c) => {
    // A body that is not a form (a multipart without its boundary, say) is a failed sign-in, not a 500.
    const form = await c.req.parseBody().catch(() => null);
    if (form === null || typeof form.token !== 'string' || !startSession(c, form.token)) {
      limitFailedAuth(c, remoteAddress(c));
      return form === null ? login(c, 'That form could not be read.', 400) : login(c, 'That token is not valid.', 401);
    }
    return c.redirect(safeNext(form.next), 303);
  });
  ui.post('/ui/logout', (c) => {
    endSession(c);
    return c.redirect('/ui/login', 303);
  });
  ui.get('/ui', (c) => page(c, 'Overview', 'overview', async () => {
    const to = c.get('deps').clock.now();
    const [host, snapshots, domains, operations, cpu] = await Promise.all([
      readHost(c), readSnapshots(c, to - DAY_MS), readDomains(c), readRunningOperations(c), readCpuHistory(c),
    ]);
    const from = chartStart(snapshots.map((s) => s.takenAt), to);
    const canAct = roleAllows(c.get('caller')!.role, 'operator');
    return <Overview host={host} snapshots={snapshots} from={from} to={to} domains={domains} canAct={canAct} operations={operations} cpu={cpu} />;
  }, true));
  ui.get('/ui/domains/:name', (c) => page(c, c.req.param('name'), undefined, async () => {
    const name = c.req.param('name');
    const to = c.get('deps').clock.now();
    const domain = await readDomain(c, name).catch(orNull);
    const asked = c.req.query('range') ?? '1h';
    const range: Range = Object.hasOwn(RANGES, asked) ? asked as Range : '1h';
    const [timeline, snapshots, xml, history, tree, stats] = await Promise.all([
      readTimeline(c, name, to - DAY_MS), readSnapshots(c, to - DAY_MS), domain ? readXml(c, name).catch(orNull) : null,
      readHistory(c, { domain: name, limit: '20' }), domain ? readDomainSnapshots(c, name).catch(() => null) : null,
      readStats(c, name, to - RANGES[range], to).catch(() => []),
    ]);
    const changes: StateChangeRecord[] = timeline.changes;
    const from = chartStart([...snapshots.map((s) => s.takenAt), ...changes.map((ch) => ch.at)], to);
    const canAct = roleAllows(c.get('caller')!.role, 'operator');
    const withConsole = c.get('deps').vendor !== undefined && canAct;
    return <DomainPage name={name} domain={domain as DomainView | null} changes={changes} snapshotTimes={snapshots.map((s) => s.takenAt)} from={from} to={to} xml={xml} history={history.records} withConsole={withConsole} snapshots={tree} canAct={canAct}
      performance={{ points: stats, range, from: to - RANGES[range], to }} />;
  }));
  ui.get('/ui/history', (c) => page(c, 'History', 'history', async () => {
    const form = c.req.query();
    const query = { ...apiQuery(form), ...(form.cursor && { cursor: form.cursor }) };
    try {
      const found = await readHistory(c, query);
      return <HistoryPage form={form} records={found.records} nextCursor={found.nextCursor} error={null} />;
    } catch (err) {
      const e = toAppError(err);
      if (e.code !== 'VALIDATION_FAILED') throw err;
      c.status(400);
      return <HistoryPage form={form} records={[]} nextCursor={null} error={`Check the filters: ${e.message}`} />;
    }
  }));
  ui.get('/ui/history.csv', (c) => signedIn(c, () => download(c, apiQuery(c.req.query()), 'csv')));
  ui.get('/ui/history.json', (c) => signedIn(c, () => download(c, apiQuery(c.req.query()), 'json')));
  return ui;
}

/** Charts span the last day, or less when the history is younger (from its first record). */
function chartStart(times: number[], to: number): number {
  return Math.max(to - DAY_MS, Math.min(to - 1000, ...times));
}

const orNull = (err: unknown) => {
  if (toAppError(err).code === 'NOT_FOUND') return null;
  throw err;
};

function asset(c: Context<AppEnv>, text: string, type: string): Response {
  return c.body(text, 200, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
}

function vendorAsset(c: Context<AppEnv>, key: keyof VendorAssets, type: string): Response {
  const vendor = c.get('deps').vendor;
  if (!vendor) throw new AppError('NOT_FOUND', `no route for GET ${c.req.path}`);
  return asset(c, vendor[key], type);
}

/** A local /ui path to go to after signing in; anything else goes to the overview. */
function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/ui(\/[\w\-./%?=&]*)?$/.test(next) && !next.includes('//') ? next : '/ui';
}

const frameOf = (c: Context<AppEnv>): Pick<FrameProps, 'caller' | 'withTokens'> => ({ caller: c.get('caller'), withTokens: c.get('deps').tokens !== null });

/** Security headers for every page: no framing, no other origin's scripts or styles. */
function pageHeaders(c: Context<AppEnv>): void {
  setReplyHeader(c, 'content-security-policy', "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'");
  setReplyHeader(c, 'x-content-type-options', 'nosniff');
  setReplyHeader(c, 'referrer-policy', 'same-origin');
  setReplyHeader(c, 'cache-control', 'no-store');
}

function login(c: Context<AppEnv>, error: string | null, status: 200 | 400 | 401 = 200): Response | Promise<Response> {
  pageHeaders(c);
  const next = c.req.query('next') ?? '/ui';
  return c.html(
    <Frame title="Sign in" current="login" caller={null} withTokens>
      <h1>Sign in</h1>
      <form method="post" action="/ui/login" class="login">
        <p>This agent needs an access token. It is kept for this browser session only.</p>
        {error && <p class="error" role="alert" id="login-error">{error}</p>}
        <label for="token">Access token</label>
        <input id="token" name="token" type="password" autocomplete="off" required spellcheck={false} />
        <input type="hidden" name="next" value={safeNext(next)} />
        <button type="submit">Sign in</button>
      </form>
    </Frame>,
    status,
  );
}

/** Runs `fn` for a signed-in caller; others get the login form (401). */
async function signedIn(c: Context<AppEnv>, fn: () => Promise<Response>): Promise<Response> {
  if (!c.get('caller')) return login(c, null, 401);
  return fn();
}

/** Renders a page in the frame; an error becomes an error page with its status. */
async function page(c: Context<AppEnv>, title: string, current: FrameProps['current'], body: () => Promise<Child>, script = false): Promise<Response> {
  return signedIn(c, async () => {
    pageHeaders(c);
    let content: Child;
    try {
      content = await body();
    } catch (err) {
      const e = toAppError(err);
      c.status(e.status as 400);
      content = <><h1>{title}</h1><p class="error" role="alert">{`${e.code}: ${e.message}`}</p></>;
      script = false;
    }
    return c.html(<Frame title={title} current={current} script={script} {...frameOf(c)}>{content}</Frame>);
  });
}

