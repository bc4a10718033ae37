// Code hosted elsewhere (issue 12 item 5). `forge_links`: the one forge a project mirrors
// (GitHub, GitLab or Gitea/Forgejo), its clone URL, the webhook secret and an optional API
// token for commit statuses, both encrypted like project secrets. `forge_deliveries`: each
// webhook delivery id once, with the push event it recorded, so a redelivery triggers
// nothing. `notification_hooks`: outgoing webhooks (generic JSON or Slack-compatible) per
// project. `outgoing_deliveries`: the log of every status and notification sent out.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('forge_links')
    .addColumn('project_id', 'text', (c) => c.primaryKey().references('projects.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('api_url', 'text')
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('token', 'text')
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('forge_deliveries')
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('delivery_id', 'text', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('push_event_id', 'text')
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('forge_deliveries_pk', ['project_id', 'delivery_id'])
    .execute();

  await db.schema
    .createTable('notification_hooks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('outgoing_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('response_code', 'integer')
    .addColumn('error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('outgoing_deliveries_project').on('outgoing_deliveries').columns(['project_id', 'created_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['outgoing_deliveries', 'notification_hooks', 'forge_deliveries', 'forge_links']) await db.schema.dropTable(t).execute();
}
