-- The order in which audit records end, for collectors that pull the log incrementally
-- (`/v1/history?after=SEQ`) and for the audit lines on stdout. Ids are given on receipt and records
-- end in another order (a console session runs for hours), so a collector that followed ids would
-- either wait for the oldest open record or miss it. finished_seq is given when a record ends:
-- strictly increasing, never reused (the counter survives pruning), one per finished record.
ALTER TABLE audit ADD COLUMN finished_seq INTEGER;

CREATE TABLE audit_finish_counter (
  id   INTEGER PRIMARY KEY CHECK (id = 1),
  last INTEGER NOT NULL
) STRICT;

-- Records that ended before this migration get their sequence in id order.
UPDATE audit SET finished_seq = id WHERE outcome NOT IN ('pending', 'running');
INSERT INTO audit_finish_counter (id, last) VALUES (1, coalesce((SELECT max(finished_seq) FROM audit), 0));

-- How far each exporter of finished records got (the audit lines on stdout: 'lines'), so that a
-- restart goes on where it stopped instead of repeating or skipping.
CREATE TABLE audit_export_cursors (
  name  TEXT    PRIMARY KEY,
  after INTEGER NOT NULL
) STRICT;

CREATE UNIQUE INDEX audit_by_finished_seq ON audit (finished_seq) WHERE finished_seq IS NOT NULL;

-- Triggers number every ending, whatever writes it: a finish, a refusal inserted finished, the
-- interrupted records marked at start (one number each, per row).
CREATE TRIGGER audit_number_finish AFTER UPDATE OF outcome ON audit
WHEN OLD.outcome IN ('pending', 'running') AND NEW.outcome NOT IN ('pending', 'running')
BEGIN
  UPDATE audit_finish_counter SET last = last + 1 WHERE id = 1;
  UPDATE audit SET finished_seq = (SELECT last FROM audit_finish_counter WHERE id = 1) WHERE id = NEW.id;
END;

CREATE TRIGGER audit_number_finished_insert AFTER INSERT ON audit
WHEN NEW.outcome NOT IN ('pending', 'running')
BEGIN
  UPDATE audit_finish_counter SET last = last + 1 WHERE id = 1;
  UPDATE audit SET finished_seq = (SELECT last FROM audit_finish_counter WHERE id = 1) WHERE id = NEW.id;
END;
