/** What operating the agent adds to its dependencies: readiness checks, metrics, running actions, the stop flag. */
import type { InFlight } from './inflight.ts';
import type { AgentMetrics } from './metrics.ts';
import type { ReadinessCheck } from './readiness.ts';

/** Built in main.ts; tests that need none of it leave `deps.ops` out. */
export interface Ops {
  /** /readyz runs these; later features add theirs (a snapshot age bound, say) to this list. */
  readiness: ReadinessCheck[];
  /** null: no /metrics (it answers 404). */
  metrics: AgentMetrics | null;
  inFlight: InFlight;
  /** True once shutdown has begun: new requests get 503 SHUTTING_DOWN. */
  stopping(): boolean;
}
