// Steering runners (issue 13 "admins … pause/drain and remove them"): each runner's state
// as an admin set it (`active`, `paused`: claims answer empty; `draining`: claims answer
// empty and a remote runner exits once idle), and what the runner said of itself when it
// connected (how many jobs it runs at once, its Slipway version).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('runners').addColumn('state', 'text', (c) => c.notNull().defaultTo('active')).execute();
  await db.schema.alterTable('runners').addColumn('concurrency', 'integer').execute();
  await db.schema.alterTable('runners').addColumn('version', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('runners').dropColumn('version').execute();
  await db.schema.alterTable('runners').dropColumn('concurrency').execute();
  await db.schema.alterTable('runners').dropColumn('state').execute();
}
