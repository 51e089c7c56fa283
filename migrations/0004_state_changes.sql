-- Each domain's state timeline: when it changed state, from what, to what, and what caused it.
-- cause 'event': libvirt reported it (event names 'stopped/destroyed'); 'snapshot': a snapshot found
-- it (the event was missed, e.g. while the agent or libvirt was down). audit_id: the audited action
-- that was running on that domain when it changed. States are as virsh prints them; 'undefined'
-- when the domain did not exist. Kept as long as the audit log (the audit retention setting).
CREATE TABLE state_changes (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  domain     TEXT    NOT NULL,
  uuid       BLOB    NOT NULL CHECK (length(uuid) = 16),
  at         INTEGER NOT NULL,
  from_state TEXT    NOT NULL,
  to_state   TEXT    NOT NULL,
  reason     TEXT    NOT NULL,
  cause      TEXT    NOT NULL CHECK (cause IN ('event', 'snapshot')),
  event      TEXT,
  audit_id   INTEGER REFERENCES audit (id) ON DELETE SET NULL,
  CHECK ((cause = 'event') = (event IS NOT NULL))
) STRICT;

CREATE INDEX state_changes_by_domain ON state_changes (domain, id DESC);
CREATE INDEX state_changes_by_at ON state_changes (at);
-- Lets a delete from audit find the rows that point at it without scanning this table.
CREATE INDEX state_changes_by_audit ON state_changes (audit_id);
