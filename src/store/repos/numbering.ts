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

/**
 * GitHub's two run numbers (0022): GITHUB_RUN_ID, unique in the installation, and
 * GITHUB_RUN_NUMBER, counting the runs of one workflow file in a project.
 */
export async function nextGithubRunNumbers(tx: Transaction<Database>, projectId: string, workflow: string): Promise<{ githubRunId: number; workflowNumber: number }> {
  const id = await tx.selectFrom('runs').select((eb) => eb.fn.max('github_run_id').as('n')).executeTakeFirst();
  const wf = await tx.selectFrom('runs').select((eb) => eb.fn.max('workflow_number').as('n')).where('project_id', '=', projectId).where('workflow', '=', workflow).executeTakeFirst();
  return { githubRunId: Number(id?.n ?? 0) + 1, workflowNumber: Number(wf?.n ?? 0) + 1 };
}
