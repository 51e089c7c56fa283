/** One inventory snapshot with its host figures and every domain it saw. */
import { AppError } from '../errors.ts';
import { RecordId } from './query-schemas.ts';
import { defineAction } from './types.ts';

export default defineAction({
  name: 'snapshot-get',
  kind: 'read',
  role: 'viewer',
  summary: 'One inventory snapshot with its domains',
  input: RecordId('a snapshot'),
  async run(input, { deps }) {
    const snapshot = deps.inventory.snapshots.get(input.id, true);
    if (!snapshot) throw new AppError('NOT_FOUND', `no snapshot ${input.id}`, { fields: [{ field: 'id', message: 'no such snapshot' }] });
    return { data: snapshot };
  },
});
