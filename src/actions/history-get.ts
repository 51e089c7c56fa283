/** One audit record by id. */
import { AppError } from '../errors.ts';
import { RecordId } from './query-schemas.ts';
import { defineAction } from './types.ts';

export default defineAction({
  name: 'history-get',
  kind: 'read',
  role: 'viewer',
  summary: 'One audit record',
  input: RecordId('a record'),
  async run(input, { deps }) {
    const record = deps.audit.get(input.id);
    if (!record) throw new AppError('NOT_FOUND', `no audit record ${input.id}`, { fields: [{ field: 'id', message: 'no such record' }] });
    return { data: record };
  },
});
