-- The full XML documents of the actions that need them (define, create): the audit row itself keeps
-- only each document's SHA-256 and size (src/store/bound.ts), so a record stays small whatever a
-- caller sends. This table has a size cap of its own: the store deletes the oldest documents once
-- their total passes it. Deleting an audit row (retention) deletes its documents.
CREATE TABLE audit_documents (
  id       INTEGER PRIMARY KEY,
  audit_id INTEGER NOT NULL REFERENCES audit (id) ON DELETE CASCADE,
  field    TEXT    NOT NULL,
  sha256   TEXT    NOT NULL,
  bytes    INTEGER NOT NULL,
  body     TEXT    NOT NULL,
  UNIQUE (audit_id, field)
) STRICT;
