-- Inventory snapshots: the host's figures and every domain, taken on a schedule and after changes.
-- Times are epoch milliseconds.
--
-- Size: a snapshot is taken every 30 s (86,400 in 30 days), so per-snapshot bytes decide the size
-- of the database. Most of a domain's figures (state, reason, id, vCPUs, memory, persistence,
-- autostart) stay the same from one snapshot to the next, so `snapshot_domains` keeps one row per
-- run of identical figures, spanning first_snapshot_id..last_snapshot_id (NULL while the run is
-- still open), and a snapshot writes rows only for what changed. Only the CPU time of running
-- domains changes every time; it is kept per snapshot in one compact BLOB (`cpu_times`,
-- src/inventory/cpu-codec.ts). bench/snapshot-bench.ts measures the result.

-- libvirt's node info (but its CPU frequency, which scaling moves) and connection facts change
-- rarely: each distinct value is stored once.
CREATE TABLE host_infos (
  id   INTEGER PRIMARY KEY,
  info TEXT    NOT NULL UNIQUE CHECK (json_valid(info))
) STRICT;

-- One row per snapshot run, failed ones too (ok = 0, with the error, and no figures).
-- AUTOINCREMENT: ids are never reused after pruning, so paging cursors and runs stay valid.
CREATE TABLE snapshots (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  taken_at       INTEGER NOT NULL,
  duration_ms    INTEGER NOT NULL,
  ok             INTEGER NOT NULL CHECK (ok IN (0, 1)),
  error          TEXT,
  domain_count   INTEGER,
  host_info_id   INTEGER REFERENCES host_infos (id),
  node_mhz       INTEGER,
  -- The seed's `metal` figures (sysinfo): uptime in whole seconds, loads, RAM and swap in kB.
  uptime_s       INTEGER,
  load1          REAL,
  load5          REAL,
  load15         REAL,
  procs          INTEGER,
  total_ram      INTEGER,
  free_ram       INTEGER,
  shared_ram     INTEGER,
  buffer_ram     INTEGER,
  total_swap     INTEGER,
  free_swap      INTEGER,
  total_high_ram INTEGER,
  free_high_ram  INTEGER,
  cpu_times      BLOB,
  CHECK ((ok = 1 AND error IS NULL) OR (ok = 0 AND error IS NOT NULL))
) STRICT;

CREATE INDEX snapshots_by_taken_at ON snapshots (taken_at);

-- Every domain ever seen, by UUID: a small key for runs and CPU times.
CREATE TABLE inventory_domains (
  id   INTEGER PRIMARY KEY,
  uuid BLOB    NOT NULL UNIQUE CHECK (length(uuid) = 16)
) STRICT;

-- A domain's figures over a run of consecutive successful snapshots in which they did not change;
-- last_snapshot_id is NULL while the run is open (it goes on to the newest snapshot).
CREATE TABLE snapshot_domains (
  id                INTEGER PRIMARY KEY,
  domain_id         INTEGER NOT NULL REFERENCES inventory_domains (id),
  first_snapshot_id INTEGER NOT NULL,
  last_snapshot_id  INTEGER CHECK (last_snapshot_id >= first_snapshot_id),
  name              TEXT    NOT NULL,
  libvirt_id        INTEGER NOT NULL,
  state             INTEGER NOT NULL,
  reason            INTEGER NOT NULL,
  vcpus             INTEGER,
  memory_kib        INTEGER,
  max_memory_kib    INTEGER,
  persistent        INTEGER CHECK (persistent IN (0, 1)),
  autostart         INTEGER CHECK (autostart IN (0, 1))
) STRICT;

-- Reading snapshot S: runs with first_snapshot_id <= S and last_snapshot_id NULL or >= S.
CREATE INDEX snapshot_domains_by_last ON snapshot_domains (last_snapshot_id, first_snapshot_id);
-- At most one open run per domain; also how the open runs are found when the agent starts.
CREATE UNIQUE INDEX snapshot_domains_open ON snapshot_domains (domain_id) WHERE last_snapshot_id IS NULL;
