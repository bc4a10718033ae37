// Runs and deployments are numbered per project (hello#3): the next number is read inside
// the transaction that inserts the row, so two creations never get the same one.
import type { Transaction } from 'kysely';
import type { Database } from '../schema.ts';

export async function nextNumber(tx: Transaction<Database>, table: 'runs' | 'deployments', projectId: string): Promise<number> {
  const last = await tx
    .selectFrom(table)
    .select((eb) => eb.fn.max('number').as('n'))
    .where('project_id', '=', projectId)
    .executeTakeFirst();
  return Number(last?.n ?? 0) + 1;
}
