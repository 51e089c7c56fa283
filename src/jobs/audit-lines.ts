/**
 * Writes every finished audit record as one JSON line (model/audit-line.ts) to a sink (stdout, so
 * journald and any shipper carry it), in the order records finish, each once: its cursor (the last
 * `seq` written) is kept in the database, so a restart goes on where it stopped. Woken when a record
 * finishes, and once a second for those written without the dispatcher (refusals, interrupted).
 */
import { auditLine } from '../model/audit-line.ts';
import type { AuditStore } from '../store/types.ts';

const CURSOR = 'lines';
const BATCH = 500;

/** What the writer needs. */
export interface AuditLinesOptions {
  audit: AuditStore;
  write(line: string): void;
  host: string;
  agentVersion: string;
  /** How often it looks for records it was not told of (default 1 s). */
  intervalMs?: number;
  /** Told when a pump fails (the database closed under it, say). */
  onError?: (err: unknown) => void;
}

/** The audit-lines exporter. */
export class AuditLines {
  #after = 0;
  #timer: NodeJS.Timeout | undefined;
  #scheduled = false;

  constructor(private readonly o: AuditLinesOptions) {}

  /** Starts from the saved cursor (the first time: from now, not the whole history). */
  start(): void {
    const saved = this.o.audit.exportCursor(CURSOR);
    this.#after = saved ?? this.o.audit.lastSeq();
    if (saved === null) this.o.audit.saveExportCursor(CURSOR, this.#after);
    this.#timer = setInterval(() => this.#pumpSafely(), this.o.intervalMs ?? 1_000);
    this.#timer.unref();
    this.#pumpSafely();
  }

  /** Asks for a pump soon (a record finished). */
  poke(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => { this.#scheduled = false; this.#pumpSafely(); });
  }

  /** Writes what finished since the cursor. */
  pump(): void {
    for (;;) {
      const page = this.o.audit.query({ after: this.#after, limit: BATCH });
      if (page.records.length === 0) return;
      for (const record of page.records) this.o.write(auditLine(record, this.o));
      this.#after = page.nextAfter ?? this.#after;
      this.o.audit.saveExportCursor(CURSOR, this.#after);
      if (page.records.length < BATCH) return;
    }
  }

  /** Writes what is left and stops. */
  stop(): void {
    clearInterval(this.#timer);
    this.#pumpSafely();
  }

  #pumpSafely(): void {
    try {
      this.pump();
    } catch (err) {
      this.o.onError?.(err);
    }
  }
}
