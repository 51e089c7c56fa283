-- The XML of each domain the agent undefined, as it was just before, so a later `define` without
-- XML can bring the domain back. Several rows per name: the newest wins.
-- ON DELETE SET NULL: trimming old audit rows must neither fail on nor delete a kept definition.
CREATE TABLE undefined_domains (
  id           INTEGER PRIMARY KEY,
  name         TEXT    NOT NULL,
  xml          TEXT    NOT NULL,
  audit_id     INTEGER REFERENCES audit (id) ON DELETE SET NULL,
  undefined_at INTEGER NOT NULL
) STRICT;

CREATE INDEX undefined_domains_by_name ON undefined_domains (name, undefined_at DESC, id DESC);
-- Lets a delete from audit find the rows that point at it without scanning this table.
CREATE INDEX undefined_domains_by_audit ON undefined_domains (audit_id);
