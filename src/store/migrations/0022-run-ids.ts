// GitHub's run numbering (docs.github.com "Variables reference": GITHUB_RUN_ID "a unique
// number for each workflow run within a repository", numeric; GITHUB_RUN_NUMBER "a unique
// number for each run of a particular workflow"). Slipway's run ids are text (`run_…`) and
// its run numbers count per project (hello#3), so two numbers are kept beside them:
// `github_run_id`, unique in the installation, and `workflow_number`, counting per project
// and workflow file. Existing runs are numbered in creation order. `github_trigger` keeps
// what the trigger knew that the `github` context carries beside the event payload (actor,
// whether the ref is protected), JSON.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('runs').addColumn('github_run_id', 'integer').execute();
  await db.schema.alterTable('runs').addColumn('workflow_number', 'integer').execute();
  await db.schema.alterTable('runs').addColumn('github_trigger', 'text').execute();
  await sql`UPDATE runs SET
    github_run_id = (SELECT COUNT(*) FROM runs r WHERE r.created_at < runs.created_at OR (r.created_at = runs.created_at AND r.id <= runs.id)),
    workflow_number = (SELECT COUNT(*) FROM runs r WHERE r.project_id = runs.project_id AND r.workflow = runs.workflow AND r.number <= runs.number)`.execute(db);
  await db.schema.createIndex('runs_github_run_id').unique().on('runs').column('github_run_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('runs_github_run_id').execute();
  await db.schema.alterTable('runs').dropColumn('github_trigger').execute();
  await db.schema.alterTable('runs').dropColumn('workflow_number').execute();
  await db.schema.alterTable('runs').dropColumn('github_run_id').execute();
}
