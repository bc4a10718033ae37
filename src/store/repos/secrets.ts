// Encrypted secret values per (project, environment, name); environment '' holds project secrets. Encryption happens in
// src/auth/secrets.ts; this repository only ever sees ciphertext.
import type { Db } from '../database.ts';
import type { SecretsTable } from '../schema.ts';
import { now } from './time.ts';

type SecretRow = SecretsTable;

export function secretsRepo(db: Db) {
  return {
    async put(projectId: string, environment: string, name: string, ciphertext: string): Promise<void> {
      const t = now();
      await db
        .insertInto('secrets')
        .values({ project_id: projectId, environment, name, ciphertext, created_at: t, updated_at: t })
        .onConflict((oc) => oc.columns(['project_id', 'environment', 'name']).doUpdateSet({ ciphertext, updated_at: t }))
        .execute();
    },
    async get(projectId: string, environment: string, name: string): Promise<SecretRow | undefined> {
      return db.selectFrom('secrets').selectAll().where('project_id', '=', projectId).where('environment', '=', environment).where('name', '=', name).executeTakeFirst();
    },
    async list(projectId: string, environment: string): Promise<Omit<SecretRow, 'ciphertext'>[]> {
      return db.selectFrom('secrets').select(['project_id', 'environment', 'name', 'created_at', 'updated_at']).where('project_id', '=', projectId).where('environment', '=', environment).orderBy('name').execute();
    },
    /** Every secret of one scope with its ciphertext (a job's `secrets` context). */
    async values(projectId: string, environment: string): Promise<Pick<SecretRow, 'name' | 'ciphertext'>[]> {
      return db.selectFrom('secrets').select(['name', 'ciphertext']).where('project_id', '=', projectId).where('environment', '=', environment).orderBy('name').execute();
    },
    /** False when there was no such secret. */
    async remove(projectId: string, environment: string, name: string): Promise<boolean> {
      const r = await db.deleteFrom('secrets').where('project_id', '=', projectId).where('environment', '=', environment).where('name', '=', name).executeTakeFirst();
      return Number(r.numDeletedRows) === 1;
    },
  };
}
