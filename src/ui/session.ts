/**
 * How the dashboard knows who is looking. The agent's API takes `Authorization: Bearer`; a browser
 * cannot send that header with a page load or an EventSource, so the token an operator types into
 * the login form is kept in a session cookie: HttpOnly (page scripts never see it, so a script
 * injected into a page cannot carry it off), SameSite=Strict and Path=/ui (sent only by pages of
 * this agent under /ui), no Max-Age or Expires (gone when the browser session ends), Secure over
 * TLS. The cookie is only ever read under /ui. Mutations under /ui must also carry the header
 * `X-GVH-UI: 1`, which another site's form cannot send and a cross-site script cannot add without a
 * CORS preflight this agent never grants: a second guard against forged requests.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { AppError } from '../errors.ts';
import type { AppEnv } from '../http/context.ts';

/** The session cookie's name. */
export const SESSION_COOKIE = 'gvh_session';
/** The header every state-changing request under /ui must carry. */
export const UI_HEADER = 'x-gvh-ui';

/** Sets `caller` from the session cookie when tokens are configured and no bearer token was presented. */
export function sessionCaller(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const tokens = c.get('deps').tokens;
    if (tokens && !c.get('caller')) {
      const presented = getCookie(c, SESSION_COOKIE);
      if (presented) c.set('caller', tokens.verify(presented));
    }
    await next();
  };
}

/** Refuses state-changing requests without the UI header (the login and logout forms excepted, which check the origin). */
export function csrfGuard(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const isForm = c.req.path === '/ui/login' || c.req.path === '/ui/logout';
    if (isForm ? !sameOrigin(c) : c.req.header(UI_HEADER) !== '1') {
      throw new AppError('FORBIDDEN', 'cross-site request refused');
    }
    await next();
  };
}

/** Whether the request's Origin (when the browser sends one) is this agent. */
function sameOrigin(c: Context<AppEnv>): boolean {
  const origin = c.req.header('origin');
  if (origin === undefined || origin === 'null') return origin === undefined;
  return origin === new URL(c.req.url).origin;
}

/** Verifies `token` and, when valid, stores it in the session cookie; returns whether it was valid. */
export function startSession(c: Context<AppEnv>, token: string): boolean {
  const identity = c.get('deps').tokens?.verify(token.trim());
  if (!identity) return false;
  setCookie(c, SESSION_COOKIE, token.trim(), {
    path: '/ui', httpOnly: true, sameSite: 'Strict', secure: new URL(c.req.url).protocol === 'https:',
  });
  return true;
}

/** Removes the session cookie. */
export function endSession(c: Context<AppEnv>): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/ui' });
}
