-- Guests' addresses in the inventory snapshots, so a cached read has them too: each run of
-- snapshot_domains keeps them as compact JSON (the NICs with their addresses and sources; NULL for
-- a guest that does not run). Addresses rarely change, so a change opens a new run like any other
-- figure, and a snapshot costs nothing more while they stay.
ALTER TABLE snapshot_domains ADD COLUMN addresses TEXT CHECK (addresses IS NULL OR json_valid(addresses));
