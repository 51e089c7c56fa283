-- Each running guest's counters per snapshot, for its performance history: one compact BLOB per
-- snapshot (src/store/counters-codec.ts). Disk and NIC counters are kept as their increase since
-- the previous successful snapshot (rates need nothing else, and an idle guest's increases are
-- zeros of one byte each); memory as the current actual and used KiB. CPU time stays in
-- snapshots.cpu_times. Device names (vda, vnet0) are kept once in counter_devices.
ALTER TABLE snapshots ADD COLUMN guest_counters BLOB;

CREATE TABLE counter_devices (
  id   INTEGER PRIMARY KEY,
  name TEXT    NOT NULL UNIQUE
) STRICT;
