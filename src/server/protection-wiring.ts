// What the deploy stage's protection asks of the rest of the server (deploy/config/
// protected-rules.ts, deploy/gate/approver-rules.ts): the default branch, who wrote and
// committed a commit, which accounts are people, who approves (admins and the project's
// maintainers; approval.approvers narrows it in the gate), and the audit log.
import type { GitHosting } from '../git/hosting.ts';
import { gitOrThrow } from '../git/git-exec.ts';
import type { User } from '../store/repos/users.ts';
import { defaultBranch } from '../triggers/git-refs.ts';
import type { DeployServiceOptions } from '../deploy/service.ts';
import type { AuditEvent } from '../deploy/gate/audit-event.ts';
import type { Access } from '../auth/access.ts';
import type { AuditLog } from '../auth/audit.ts';
import type { Store } from '../store/store.ts';

interface ProtectionWiring {
  git: GitHosting;
  store: Store;
  access: Access;
  audit: AuditLog;
}

/** Accounts that are not people: the built-in runner's old account, and a job's or deployment's stand-in (`job:…`, `deploy:…`). */
const isServiceAccount = (user: User) => user.name === 'builtin-runner' || user.name.includes(':');

export function protectionOptions(w: ProtectionWiring): Pick<DeployServiceOptions, 'approvers' | 'defaultBranch' | 'audit'> {
  return {
    defaultBranch: (project) => defaultBranch(w.git, project),
    approvers: {
      isPerson: (user: User) => !isServiceAccount(user),
      async isApprover(user: User, project: string) {
        if (user.role === 'admin') return true;
        const p = await w.store.projects.get(project);
        return p !== undefined && (await w.access.roleIn(user, p)) === 'maintainer';
      },
      async commitPeople(project, sha) {
        if (!/^[0-9a-f]{40}$/.test(sha)) throw new Error(`not a commit id: ${sha}`);
        const out = await gitOrThrow(w.git.repoPath(project), ['log', '-1', '--format=%an%x00%ae%x00%cn%x00%ce', sha, '--']);
        const [an = '', ae = '', cn = '', ce = ''] = out.toString('utf8').trim().split('\0');
        return { author: { name: an, email: ae }, committer: { name: cn, email: ce } };
      },
    },
    audit: async (e: AuditEvent) => {
      await w.audit.record({ actor: e.actor, action: e.action === 'deploy.forced' ? 'deploy.force' : 'protection.change', project: e.project, target: e.environment, detail: { event: e.action, ...e.detail } });
    },
  };
}
