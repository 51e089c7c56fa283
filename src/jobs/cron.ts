/** node-cron tasks for the agent's jobs: no overlap, and node-cron's own messages in our log. */
import cron, { type Logger as CronLogger, type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';

/** Schedules `run` on `expression`; a tick that comes while the previous run goes on is skipped. */
export function scheduleJob(expression: string, name: string, run: () => Promise<unknown>, log: Logger): ScheduledTask {
  const logger: CronLogger = {
    info: (message) => log.debug({ job: name }, message),
    // "missed execution" and "blocked by overlap prevention": expected on a busy host, not worth a warning.
    warn: (message) => log.debug({ job: name }, message),
    error: (message, err) => log.error({ job: name, err: err ?? message }, 'scheduled job failed'),
    debug: (message) => log.trace({ job: name }, String(message)),
  };
  return cron.schedule(expression, () => run(), { name, noOverlap: true, logger });
}
