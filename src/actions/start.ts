/** Starts a defined domain. */
import { domainAction } from './domain.ts';

export default domainAction('start', 'operator', 'Start a defined domain', (lv, dom) => lv.start(dom));
