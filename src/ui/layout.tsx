/** The page frame every dashboard page shares: landmarks, navigation, the stylesheet and script. */
import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import type { Caller } from '../model/audit.ts';

/** What the frame needs to know about the page and the caller. */
export interface FrameProps {
  title: string;
  /** Which navigation entry is current. */
  current?: 'overview' | 'history' | 'login';
  /** null: nobody signed in (or no tokens: the anonymous admin). */
  caller: Caller | null;
  /** Whether the agent has tokens (then there is a session to end). */
  withTokens: boolean;
  /** Load the live script (the overview). */
  script?: boolean;
  children?: Child;
}

/** The HTML document around a page. */
export function Frame(p: FrameProps) {
  const nav = (key: FrameProps['current'], href: string, label: string) => (
    <li><a href={href} aria-current={p.current === key ? 'page' : undefined}>{label}</a></li>
  );
  return (
    <>{raw('<!DOCTYPE html>')}<html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${p.title} · govirthost`}</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href="/ui/assets/app.css" />
        {p.script && <script src="/ui/assets/app.js" defer></script>}
      </head>
      <body>
        <a class="skip" href="#main">Skip to content</a>
        <header class="top">
          <span class="brand">govirthost</span>
          <nav aria-label="Main">
            <ul>
              {nav('overview', '/ui', 'Overview')}
              {nav('history', '/ui/history', 'History')}
            </ul>
          </nav>
          {p.caller && (
            <div class="who">
              <span>{p.caller.name} ({p.caller.role})</span>
              {p.withTokens && (
                <form method="post" action="/ui/logout"><button type="submit">Sign out</button></form>
              )}
            </div>
          )}
        </header>
        <main id="main" tabindex={-1}>{p.children}</main>
      </body>
    </html></>
  );
}
