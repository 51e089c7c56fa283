/** One audit record by id. */
import * as v from 'valibot';
import { AppError } from '../errors.ts';
import { defineAction } from './types.ts';

export default defineAction({
  name: 'history-get',
  kind: 'read',
  role: 'viewer',
  summary: 'One audit record',
  input: v.strictObject({ id: v.pipe(v.string(), v.regex(/^\d{1,15}$/, 'must be a record id'), v.transform(Number)) }),
  async run(input, { deps }) {
    const record = deps.audit.get(input.id);
    if (!record) throw new AppError('NOT_FOUND', `no audit record ${input.id}`, { fields: [{ field: 'id', message: 'no such record' }] });
    return { data: record };
  },
});
