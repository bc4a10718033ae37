// Per-project roles (issue 9): who holds which role in which project, and whether a project
// is public (anonymous clone, pull and read). The creator of a project is its maintainer:
// for projects made before this, the user who pushed first (push_events, 0006), where that
// push was recorded and its user still exists; other projects start without members, and an
// admin adds the first maintainer.
import type { Kysely } from 'kysely';
import { sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('project_members')
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('project_members_pk', ['project_id', 'user_id'])
    .execute();
  await db.schema.createIndex('project_members_user').on('project_members').columns(['user_id']).execute();
  await db.schema.alterTable('projects').addColumn('public', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await sql`
    insert into project_members (project_id, user_id, role, created_at, updated_at)
    select p.id, u.id, 'maintainer', p.created_at, p.created_at
    from projects p
    join push_events e on e.project = p.name
    join users u on u.name = e.pusher
    where e.received_at = (select min(f.received_at) from push_events f where f.project = p.name)
    on conflict do nothing
  `.execute(db);
}
