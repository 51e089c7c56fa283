/** Pauses a domain's vCPUs. */
import { domainAction } from './domain.ts';

export default domainAction('suspend', 'operator', 'Pause a running domain', (lv, dom) => lv.suspend(dom));
