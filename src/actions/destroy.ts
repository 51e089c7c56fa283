/** Powers a domain off at once. */
import { domainAction } from './domain.ts';

export default domainAction('destroy', 'operator', 'Power a running domain off at once', (lv, dom) => lv.destroy(dom));
