-- Idempotency-Key (IETF httpapi draft) on mutations: the key a caller sent, scoped to that caller,
-- with the fingerprint of its first request and, once that request was answered, the answer
-- (status and body, bounded), so a retry with the same key and request gets the same answer and
-- runs nothing. audit_id is the first request's record: deleting it (retention) deletes the key.
-- Keys expire after 24 h; the store drops expired ones when a key is claimed again.
CREATE TABLE idempotency_keys (
  actor       TEXT    NOT NULL,
  key         TEXT    NOT NULL,
  fingerprint TEXT    NOT NULL,
  created_at  INTEGER NOT NULL,
  audit_id    INTEGER REFERENCES audit (id) ON DELETE CASCADE,
  status      INTEGER,
  body        TEXT,
  PRIMARY KEY (actor, key)
) STRICT;

CREATE INDEX idempotency_keys_by_created_at ON idempotency_keys (created_at);
CREATE INDEX idempotency_keys_by_audit ON idempotency_keys (audit_id);
