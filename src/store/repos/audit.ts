// The audit log's rows: appended, never updated; read newest first, per project or all.
import type { Db } from '../database.ts';
import type { AuditLogTable } from '../schema.ts';
import { newId } from '../../core/ids.ts';
import { now } from './time.ts';

/** A row as read: `detail` decoded (JSON columns are decoded inside src/store only). */
export type AuditEntry = Omit<AuditLogTable, 'detail'> & { detail: Record<string, unknown> };

const toEntry = (r: AuditLogTable): AuditEntry => ({ ...r, detail: JSON.parse(r.detail) as Record<string, unknown> });

export function auditRepo(db: Db) {
  return {
    async append(e: Omit<AuditEntry, 'id' | 'at'> & { at?: string }): Promise<AuditEntry> {
      const row: AuditLogTable = { id: newId('aud'), at: e.at ?? now(), actor: e.actor, action: e.action, project: e.project, target: e.target, address: e.address, detail: JSON.stringify(e.detail) };
      await db.insertInto('audit_log').values(row).execute();
      return toEntry(row);
    },
    /** Newest first; `projects` limits to those projects' entries (undefined = all). */
    async list(filter: { projects?: readonly string[]; action?: string; limit?: number } = {}): Promise<AuditEntry[]> {
      let q = db.selectFrom('audit_log').selectAll();
      if (filter.projects) {
        if (filter.projects.length === 0) return [];
        q = q.where('project', 'in', filter.projects);
      }
      if (filter.action) q = q.where('action', '=', filter.action);
      const rows = await q.orderBy('at', 'desc').orderBy('id', 'desc').limit(filter.limit ?? 200).execute();
      return rows.map(toEntry);
    },
  };
}
