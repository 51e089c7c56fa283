/**
 * The fuzz campaign's requests (fast-check): a route of either protocol with its path segments
 * filled in hostile ways, a method (its own or an odd one), a query string, headers (content-type
 * lies, cache and id headers, credentials of every kind) and a body. Whatever carries the admin
 * token gets only a body the agent must refuse (see hostile-bodies.ts), so no request can act.
 */
import http from 'node:http';
import fc from 'fast-check';
import { adminBody, anyBody, type Body } from './hostile-bodies.ts';
import { allRoutes, isPagePath, routeLabel, type FuzzRoute } from './hostile-routes.ts';
import { ACTION_NAMES } from './hostile-shapes.ts';
import { hostileString, idSegment, pathSegment, printable, queryString } from './hostile-values.ts';

/** What the generators need to know about the campaign. */
export interface FuzzContext {
  /** Names of the real guests, used in paths and bodies. */
  guests: readonly string[];
  tokens: { viewer: string; admin: string };
  bodyLimit: number;
  /** The kinds of hostile domain XML sent to define and create (hostile-xml.ts). */
  xmlKinds: readonly string[];
}

/** One generated request, printed briefly when fast-check reports it. */
export class HostileRequest {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly headers: Record<string, string | string[]>,
    readonly body: Body | undefined,
    /** Send the body in two writes (chunked transfer coding) instead of with a Content-Length. */
    readonly chunked: boolean,
    readonly admin: boolean,
    /** Whether it presents a real token as a well-formed bearer header (the agent then reads its body). */
    readonly bearer: boolean,
    readonly route: string,
  ) {}

  /** About how many bytes the request line and headers take (node's parser refuses more than 16 KiB with a bare 431). */
  get headBytes(): number {
    return this.method.length + this.path.length + Object.entries(this.headers).reduce((n, [k, v]) => n + [v].flat().reduce((m, x) => m + k.length + x.length + 4, 0), 200);
  }

  /** Whether the answer may be an HTML page (a /ui page, not its API). */
  get page(): boolean {
    return isPagePath(this.path);
  }

  [fc.toStringMethod](): string {
    const b = this.body;
    const preview = b ? `${b.label} ${b.bytes.length} B ${JSON.stringify(b.bytes.subarray(0, 300).toString('latin1'))}` : 'no body';
    return `${this.method} ${this.path.slice(0, 400)} headers=${JSON.stringify(this.headers).slice(0, 600)} ${preview}${this.chunked ? ' (chunked)' : ''}`;
  }
}

// CONNECT opens a tunnel (the server has no handler for it): not a request the app ever sees.
const ODD_METHODS = http.METHODS.filter((m) => m !== 'CONNECT');

function method(route: FuzzRoute): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom(...route.methods) },
    { weight: 1, arbitrary: fc.constantFrom(...ODD_METHODS) },
    { weight: 1, arbitrary: fc.constantFrom('PUT', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'get', 'post', 'delete') },
  );
}

function path(route: FuzzRoute, ctx: FuzzContext): fc.Arbitrary<string> {
  const action = fc.oneof(fc.constantFrom(...ACTION_NAMES), pathSegment(ctx.guests));
  const tail = fc.oneof({ weight: 12, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom('/', '//', '/.', '/..', '%2F', ';', '%00') });
  return fc.tuple(pathSegment(ctx.guests), idSegment(), action, queryString(ctx.guests), tail)
    .map(([name, id, act, query, end]) => `${route.template.replace('{name}', () => name).replace('{id}', () => id).replace('{action}', () => act)}${end}${query}`);
}

/** Credentials: none, junk, or a real token presented well or badly; as a header or, under /ui, the session cookie. */
function credentials(ctx: FuzzContext): fc.Arbitrary<Record<string, string>> {
  const { viewer, admin } = ctx.tokens;
  const token = fc.constantFrom(viewer, admin);
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant({}) },
    { weight: 1, arbitrary: fc.constantFrom('Bearer', 'Bearer ', 'Basic Zm9vOmJhcg==', 'Bearer gvh_', `Bearer gvh_${'A'.repeat(43)}`, `Bearer ${'x'.repeat(6000)}`, 'Bearer \t', 'Negotiate x', 'Bearer a b')
      .map((authorization) => ({ authorization })) },
    { weight: 1, arbitrary: fc.tuple(token, fc.constantFrom('x', '%00', '=', ' x')).map(([t, junk]) => ({ authorization: `Bearer ${t}${junk}` })) },
    { weight: 10, arbitrary: fc.tuple(token, fc.constantFrom('Bearer ', 'bearer ', 'BEARER ', 'Bearer   ')).map(([t, scheme]) => ({ authorization: `${scheme}${t}` })) },
    { weight: 2, arbitrary: fc.tuple(token, fc.constantFrom('gvh_session=', 'gvh_session=x; gvh_session=', 'other=1; gvh_session=')).map(([t, c]) => ({ cookie: `${c}${t}` })) },
    { weight: 1, arbitrary: fc.constantFrom('gvh_session=', 'gvh_session=%zz', `gvh_session=${'y'.repeat(3000)}`, 'gvh_session').map((cookie) => ({ cookie })) },
  );
}

const printableHeader = (s: string) => printable(s).slice(0, 2000);

/** `arb` in about `percent` of cases, else absent. */
function sometimes<T>(arb: fc.Arbitrary<T>, percent: number): fc.Arbitrary<T | undefined> {
  return fc.oneof({ weight: 100 - percent, arbitrary: fc.constant(undefined) }, { weight: percent, arbitrary: arb }); // absent first: shrinks to absent
}

/** Other headers: content-type lies, cache directives, request and event ids, origin, the UI header, odd extras. */
function otherHeaders(ctx: FuzzContext): fc.Arbitrary<Record<string, string | string[]>> {
  const text = hostileString(ctx.guests).map(printableHeader);
  const headers = fc.record({
    'content-type': sometimes(fc.constantFrom('application/json', 'application/json; charset=utf-16', 'text/plain', 'application/xml', 'multipart/form-data',
      'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', '*/*', 'application/json, text/html', 'garbage;;;='), 60),
    'cache-control': sometimes(fc.constantFrom('no-cache', 'no-store', 'max-age=0', 'max-age=999999999999', 'max-age=-1', 'max-age="5"', 'max-age', ',,,', 'no-cache, max-age=5'), 30),
    'x-request-id': sometimes(fc.oneof(fc.constantFrom('fuzz-id', 'a'.repeat(128), 'a'.repeat(129), '', '../x', 'id with space'), text), 30),
    'last-event-id': sometimes(fc.oneof(fc.constantFrom('0', '-1', '1', '999999999', 'abc', '1-2', '1e3'), text), 15),
    origin: sometimes(fc.constantFrom('null', 'http://evil.example', 'http://127.0.0.1', ''), 10),
    'x-gvh-ui': sometimes(fc.constantFrom('1', '1', '1', '1', '0', 'true', '1, 1'), 85),
    accept: sometimes(fc.constantFrom('application/json', 'text/html', 'text/event-stream', '*/*', ''), 20),
    'user-agent': sometimes(fc.oneof(text, fc.constant('u'.repeat(4000))), 20),
    expect: sometimes(fc.constant('100-continue'), 5),
    'content-encoding': sometimes(fc.constantFrom('gzip', 'br', 'identity', 'x'), 5),
    'x-forwarded-for': sometimes(fc.constantFrom('1.2.3.4', '::1, 10.0.0.1', 'unknown', '999.999.999.999'), 10),
    'x-http-method-override': sometimes(fc.constantFrom('DELETE', 'PUT'), 5),
    'x-fuzz': sometimes(fc.array(text, { minLength: 1, maxLength: 3 }), 20),
  });
  return headers.map((h) => Object.fromEntries(Object.entries(h).filter(([, v]) => v !== undefined)) as Record<string, string | string[]>);
}

/** Now and then a Host header that is not this agent, or not a host at all. */
function hostLie(): fc.Arbitrary<Record<string, string>> {
  const lie = fc.constantFrom('evil.example', 'a b', '[::1', 'x:99999', '127.0.0.1:1', '\u00ff', '..', 'a/b', 'a\\b', 'a@b', '');
  return fc.oneof({ weight: 30, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: lie.map((host) => ({ host })) });
}

/** One hostile request over node:http for one route. */
function requestFor(route: FuzzRoute, ctx: FuzzContext): fc.Arbitrary<HostileRequest> {
  return fc.tuple(method(route), path(route, ctx), credentials(ctx), otherHeaders(ctx), hostLie(), fc.boolean()).chain(([m, p, creds, others, host, chunked]) => {
    const headers = { ...others, ...host, ...creds };
    const admin = Object.values(headers).some((v) => String(v).includes(ctx.tokens.admin));
    const tokens = [ctx.tokens.viewer, ctx.tokens.admin];
    const bc = { names: ctx.guests, limit: ctx.bodyLimit, tokens, xmlKinds: ctx.xmlKinds };
    const bodies = admin ? adminBody(route.body, bc) : anyBody(route.body, bc);
    const bearer = tokens.includes(/^Bearer\s+(\S+)\s*$/i.exec(String(headers.authorization ?? ''))?.[1] ?? '');
    return bodies.map((b) => new HostileRequest(m, p, headers, b, chunked && b !== undefined, admin, bearer, routeLabel(route)));
  });
}

/** Request line and headers stay under this: node's own parser answers a bigger head with a bare 431, before the app. */
export const MAX_HEAD_BYTES = 14 * 1024;

/** A hostile request to any route of either protocol. */
export function hostileRequest(ctx: FuzzContext): fc.Arbitrary<HostileRequest> {
  const routes = allRoutes().map((route) => ({ weight: route.weight ?? 1, arbitrary: requestFor(route, ctx) }));
  return fc.oneof(...routes).filter((r) => r.headBytes < MAX_HEAD_BYTES);
}
