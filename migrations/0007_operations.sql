-- govirthost: foreign-keys-off
-- Operations: every mutation's audit record is its operation's durable state. The record is
-- 'pending' when received, 'running' once validated and holding its domain, then ends
-- 'succeeded', 'failed', 'rejected', 'canceled' (a caller cancelled it, or it outlived
-- --max-action-time) or 'interrupted' (the agent stopped first). started_at is when it began to
-- run; progress is the last progress it reported (JSON, bounded like result).
--
-- SQLite cannot change a CHECK constraint in place, so the table is rebuilt the documented way
-- (https://www.sqlite.org/lang_altertable.html#otheralter): the first line above makes the runner
-- turn foreign keys off around this migration's transaction, so dropping the old table does not
-- cascade to the rows that reference it (documents, idempotency keys, state changes), and the
-- runner's foreign_key_check before commit proves every reference still holds.
CREATE TABLE audit_new (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  request_id    TEXT    NOT NULL,
  received_at   INTEGER NOT NULL,
  started_at    INTEGER,
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
  outcome       TEXT    NOT NULL CHECK (outcome IN ('pending', 'running', 'succeeded', 'failed', 'rejected', 'canceled', 'interrupted')),
  error_code    TEXT,
  error_message TEXT,
  libvirt_code  INTEGER,
  result        TEXT    CHECK (result IS NULL OR json_valid(result)),
  progress      TEXT    CHECK (progress IS NULL OR json_valid(progress))
) STRICT;

INSERT INTO audit_new (id, request_id, received_at, started_at, finished_at, duration_ms, actor, remote_addr, user_agent,
                       protocol, action, domain, target, params, http_status, outcome, error_code, error_message,
                       libvirt_code, result, progress)
SELECT id, request_id, received_at, NULL, finished_at, duration_ms, actor, remote_addr, user_agent,
       protocol, action, domain, target, params, http_status, outcome, error_code, error_message,
       libvirt_code, result, NULL
FROM audit;

DROP TABLE audit;
ALTER TABLE audit_new RENAME TO audit;

-- The same indexes as before (0001), recreated on the new table.
CREATE INDEX audit_by_domain ON audit (domain, id DESC);
CREATE INDEX audit_by_action ON audit (action, id DESC);
CREATE INDEX audit_by_outcome ON audit (outcome, id DESC);
CREATE INDEX audit_by_actor ON audit (actor, id DESC);
CREATE INDEX audit_by_received_at ON audit (received_at);
