// Protected branches (issue 9 item 4): per project, branch patterns on which force-push and
// deletion are refused and only the named roles may push. A project whose rules no
// maintainer ever changed has none stored: it gets the default rule (its default branch,
// maintainers push), so projects made before this migration are protected too. The first
// change stores the rules explicitly and marks the project in `protected_branch_projects`.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('protected_branches')
    // By name, as push_events: a push is checked before the project's row may exist.
    .addColumn('project', 'text', (c) => c.notNull())
    .addColumn('pattern', 'text', (c) => c.notNull())
    // JSON array of project roles besides admin that may push, e.g. ["maintainer","developer"].
    .addColumn('push_roles', 'text', (c) => c.notNull())
    .addColumn('allow_force_push', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('protected_branches_pk', ['project', 'pattern'])
    .execute();

  await db.schema
    .createTable('protected_branch_projects')
    .addColumn('project', 'text', (c) => c.primaryKey())
    .addColumn('customized_by', 'text', (c) => c.notNull())
    .addColumn('customized_at', 'text', (c) => c.notNull())
    .execute();
}
