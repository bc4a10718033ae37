import type { Command } from '../command.ts';
import { clientHelp, clientOptions, clientFor, str } from '../command.ts';
import { printList } from '../output.ts';
import type { AuditEntry } from '../../store/repos/audit.ts';

/** What `GET /api/audit` answers: the store's entries as they are. */
type AuditView = AuditEntry;

export const auditCommand: Command = {
  name: 'audit',
  summary: 'show the audit log of security-relevant actions',
  usage: '[--project P] [--action A] [--limit N] [--json]',
  help: `  --project P    only project P's entries (its maintainers may read those; everything else is for admins)
  --action A     only one action, e.g. auth.failed, token.create, deploy.force
  --limit N      at most N entries, newest first (default 200)
${clientHelp}`,
  options: { ...clientOptions, project: { type: 'string' }, action: { type: 'string' }, limit: { type: 'string' } },
  async run(values) {
    const query = new URLSearchParams();
    for (const key of ['project', 'action', 'limit'] as const) {
      const v = str(values[key]);
      if (v !== undefined) query.set(key, v);
    }
    const q = query.size > 0 ? `?${query}` : '';
    const list = await clientFor(values).json<AuditView[]>('GET', `/api/audit${q}`);
    printList(list, Boolean(values.json), 'no audit entries', ['AT', 'ACTOR', 'ACTION', 'PROJECT', 'TARGET', 'ADDRESS', 'DETAIL'], (e) => [
      e.at, e.actor, e.action, e.project ?? '', e.target ?? '', e.address ?? '', JSON.stringify(e.detail),
    ]);
    return 0;
  },
};
