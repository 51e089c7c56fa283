/**
 * The whole XML document of an audited action: what a define or create was given (kept beside its
 * record, within the documents cap), or what an undefine removed.
 */
import * as v from 'valibot';
import { AppError } from '../errors.ts';
import { defineAction } from './types.ts';

export default defineAction({
  name: 'history-xml',
  kind: 'read',
  role: 'viewer',
  summary: 'The XML an audited define or create was given, or an undefine removed, while the audit log keeps it',
  input: v.strictObject({ id: v.pipe(v.string(), v.regex(/^\d{1,15}$/, 'must be a record id'), v.transform(Number)) }),
  async run(input, { deps }) {
    const xml = deps.audit.document(input.id, 'xml') ?? deps.definitions.removedBy(input.id);
    if (xml === null) {
      throw new AppError('NOT_FOUND', `no XML document is kept for audit record ${input.id}`, { fields: [{ field: 'id', message: 'has no kept document' }] });
    }
    return { data: xml };
  },
});
