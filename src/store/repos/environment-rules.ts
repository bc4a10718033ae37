// Environment protection a maintainer set on the server (migration 0010), one row per
// project and environment. `block` is the environment's deploy.yml block as JSON (the keys
// of deploy.yml's `environments.<name>`, plus `secrets`); src/deploy/config/stored-rules.ts
// validates it with the deploy.yml parser every time it is read.
import type { Db } from '../database.ts';
import { now } from './time.ts';

interface StoredEnvironmentRules {
  projectId: string;
  environment: string;
  block: Record<string, unknown>;
  updatedBy: string;
  updatedAt: string;
}

export function environmentRulesRepo(db: Db) {
  const decode = (row: { project_id: string; environment: string; rules: string; updated_by: string; updated_at: string }): StoredEnvironmentRules => ({
    projectId: row.project_id,
    environment: row.environment,
    block: JSON.parse(row.rules) as Record<string, unknown>,
    updatedBy: row.updated_by,
    updatedAt: row.updated_at,
  });
  return {
    async list(projectId: string): Promise<StoredEnvironmentRules[]> {
      const rows = await db.selectFrom('environment_rules').selectAll().where('project_id', '=', projectId).orderBy('environment').execute();
      return rows.map(decode);
    },
    async get(projectId: string, environment: string): Promise<StoredEnvironmentRules | undefined> {
      const row = await db.selectFrom('environment_rules').selectAll().where('project_id', '=', projectId).where('environment', '=', environment).executeTakeFirst();
      return row && decode(row);
    },
    /** Replaces the environment's rules. */
    async set(projectId: string, environment: string, block: Record<string, unknown>, by: string): Promise<void> {
      const row = { project_id: projectId, environment, rules: JSON.stringify(block), updated_by: by, updated_at: now() };
      await db
        .insertInto('environment_rules')
        .values(row)
        .onConflict((oc) => oc.columns(['project_id', 'environment']).doUpdateSet({ rules: row.rules, updated_by: row.updated_by, updated_at: row.updated_at }))
        .execute();
    },
    /** True when there were rules to remove. */
    async remove(projectId: string, environment: string): Promise<boolean> {
      const r = await db.deleteFrom('environment_rules').where('project_id', '=', projectId).where('environment', '=', environment).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}
