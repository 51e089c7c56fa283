/**
 * The whole XML document of an audited action: what a define or create was given (kept beside its
 * record, within the documents cap), or what an undefine removed.
 */
import { AppError } from '../errors.ts';
import { RecordId } from './query-schemas.ts';
import { defineAction } from './types.ts';

export default defineAction({
  name: 'history-xml',
  kind: 'read',
  role: 'viewer',
  summary: 'The XML an audited define or create was given, or an undefine removed, while the audit log keeps it',
  input: RecordId('a record'),
  async run(input, { deps }) {
    const xml = deps.audit.document(input.id, 'xml') ?? deps.definitions.removedBy(input.id);
    if (xml === null) {
      throw new AppError('NOT_FOUND', `no XML document is kept for audit record ${input.id}`, { fields: [{ field: 'id', message: 'has no kept document' }] });
    }
    return { data: xml };
  },
});
