/** The migration pre-check on its own: every check migrate makes, reported without migrating. */
import { MigrateInput } from '../migration/options.ts';
import { precheck } from '../migration/precheck.ts';
import { defineAction } from './types.ts';

export default defineAction({
  name: 'migrate-check',
  kind: 'read',
  role: 'admin',
  summary: 'Check whether a domain can migrate to a destination (the checks migrate makes first), without migrating',
  input: MigrateInput,
  async run(input, { deps }) {
    const { report, dest } = await precheck(deps, input);
    await dest?.close();
    return { data: report };
  },
});
