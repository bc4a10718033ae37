// Deploys in commit order (issue 10 item 3): an automatic deployment that finds a newer
// commit serving or queued ends as `superseded` (a new status value; the column has no
// CHECK constraint) and names the release that made it so.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('deployments').addColumn('superseded_by', 'text', (c) => c.references('releases.id')).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('deployments').dropColumn('superseded_by').execute();
}
