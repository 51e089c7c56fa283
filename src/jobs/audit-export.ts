/**
 * Hands every finished audit record to a sink, in the order records finish, each once: the JSON
 * lines on stdout (model/audit-line.ts) and, when configured, OpenTelemetry logs over OTLP/HTTP
 * (otlp.ts). Each exporter keeps its cursor (the last `seq` handed over) in the database, so a
 * restart goes on where it stopped. Woken when a record finishes, and once a second for those
 * written without the dispatcher (refusals, interrupted records).
 */
import type { AuditRecord } from '../model/audit.ts';
import type { AuditStore } from '../store/types.ts';

const BATCH = 500;

/** What an exporter needs. */
export interface AuditExportOptions {
  audit: AuditStore;
  /** The cursor's name in the database: one per sink ('lines', 'otlp'). */
  cursor: string;
  /** Takes one finished record. */
  send(record: AuditRecord): void;
  /** How often it looks for records it was not told of (default 1 s). */
  intervalMs?: number;
  /** Told when a pump fails (the database closed under it, say). */
  onError?: (err: unknown) => void;
}

/** One audit exporter. */
export class AuditExport {
  #after = 0;
  #timer: NodeJS.Timeout | undefined;
  #scheduled = false;

  constructor(private readonly o: AuditExportOptions) {}

  /** Starts from the saved cursor (the first time: from now, not the whole history). */
  start(): void {
    const saved = this.o.audit.exportCursor(this.o.cursor);
    this.#after = saved ?? this.o.audit.lastSeq();
    if (saved === null) this.o.audit.saveExportCursor(this.o.cursor, this.#after);
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

  /** Hands over what finished since the cursor. */
  pump(): void {
    for (;;) {
      const page = this.o.audit.query({ after: this.#after, limit: BATCH });
      if (page.records.length === 0) return;
      for (const record of page.records) this.o.send(record);
      this.#after = page.nextAfter ?? this.#after;
      this.o.audit.saveExportCursor(this.o.cursor, this.#after);
      if (page.records.length < BATCH) return;
    }
  }

  /** Hands over what is left and stops. */
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
