/** Resumes a paused domain. */
import { domainAction } from './domain.ts';

export default domainAction('resume', 'operator', 'Resume a paused domain', (lv, dom) => lv.resume(dom));
