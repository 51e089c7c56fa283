-- The audit log: one row per request, written as 'pending' when it arrives and completed when it
-- ends. Rows left 'pending' by a crash are marked 'interrupted' at the next start.
-- Times are epoch milliseconds. JSON columns hold objects (params never carry tokens or secrets).
-- AUTOINCREMENT: ids are never reused, even after old rows are deleted, so an `id < cursor` page
-- boundary stays stable while new records arrive.
CREATE TABLE audit (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  request_id    TEXT    NOT NULL,
  received_at   INTEGER NOT NULL,
  finished_at   INTEGER,
  duration_ms   INTEGER,
  actor         TEXT    NOT NULL,
  remote_addr   TEXT,
  user_agent    TEXT,
  protocol      TEXT    NOT NULL CHECK (protocol IN ('seed', 'rest')),
  action        TEXT    NOT NULL,
  domain        TEXT,
  target        TEXT,
  params        TEXT    NOT NULL CHECK (json_valid(params)),
  http_status   INTEGER,
  outcome       TEXT    NOT NULL CHECK (outcome IN ('pending', 'succeeded', 'failed', 'rejected', 'interrupted')),
  error_code    TEXT,
  error_message TEXT,
  libvirt_code  INTEGER,
  result        TEXT    CHECK (result IS NULL OR json_valid(result))
) STRICT;

-- History is read newest first (ORDER BY id DESC, `id < cursor` for the next page). Each equality
-- filter's index is read in id order, so a page costs its own rows, not a sort of every match.
-- audit_by_outcome also serves the startup lookup of 'pending' rows.
CREATE INDEX audit_by_domain ON audit (domain, id DESC);
CREATE INDEX audit_by_action ON audit (action, id DESC);
CREATE INDEX audit_by_outcome ON audit (outcome, id DESC);
CREATE INDEX audit_by_actor ON audit (actor, id DESC);
-- A time range cannot be read in id order from any index (id DESC after a range column orders only
-- ties), so this one just finds the window; SQLite sorts the window's ids, or, for `since` alone,
-- walks ids from the newest and stops at the page's end.
CREATE INDEX audit_by_received_at ON audit (received_at);
