/** Resets a domain at once, like its reset button. */
import { domainAction } from './domain.ts';

export default domainAction('reset', 'operator', 'Reset a running domain (hard, like a reset button)', (lv, dom) => lv.reset(dom));
