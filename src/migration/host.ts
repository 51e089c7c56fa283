/** What the migration modules need of the agent: the source's libvirt, their settings and the log. */
import type { Logger } from 'pino';
import type { Libvirt } from '../libvirt/index.ts';
import type { DestinationSettings } from './options.ts';

/** The agent as migration sees it (the actions' Deps fits it). */
export interface MigrationHost {
  libvirt: Libvirt;
  settings: DestinationSettings & { migrateCheckTimeoutMs: number };
  log: Logger;
}
