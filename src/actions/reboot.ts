/** Asks the guest to reboot. */
import { domainAction } from './domain.ts';

export default domainAction('reboot', 'operator', 'Ask the guest to reboot (ACPI; a guest may ignore it)', (lv, dom) => lv.reboot(dom));
