// What the deploy stage's protection asks of the rest of the server (deploy/config/
// protected-rules.ts, deploy/gate/approver-rules.ts): the default branch, who wrote and
// committed a commit, which accounts are people, who approves, and the audit log. Until
// per-project roles and the audit log are merged, approvers are today's (anyone with
// deploy.approve) and audit events are log lines.
import type { GitHosting } from '../git/hosting.ts';
import { gitOrThrow } from '../git/git-exec.ts';
import type { User } from '../store/repos/users.ts';
import { defaultBranch } from '../triggers/git-refs.ts';
import type { DeployServiceOptions } from '../deploy/service.ts';
import type { AuditEvent } from '../deploy/gate/audit-event.ts';
import { permissions } from '../auth/permissions.ts';

export interface ProtectionWiring {
  git: GitHosting;
  /** The built-in runner's account: it is not a person and never approves. */
  runnerUserId: string;
  log: (message: string) => void;
}

export function protectionOptions(w: ProtectionWiring): Pick<DeployServiceOptions, 'approvers' | 'defaultBranch' | 'audit'> {
  const approvers: readonly string[] = permissions['deploy.approve'].roles;
  return {
    defaultBranch: (project) => defaultBranch(w.git, project),
    approvers: {
      isPerson: (user: User) => user.id !== w.runnerUserId,
      isApprover: async (user: User) => approvers.includes(user.role),
      async commitPeople(project, sha) {
        if (!/^[0-9a-f]{40}$/.test(sha)) throw new Error(`not a commit id: ${sha}`);
        const out = await gitOrThrow(w.git.repoPath(project), ['log', '-1', '--format=%an%x00%ae%x00%cn%x00%ce', sha, '--']);
        const [an = '', ae = '', cn = '', ce = ''] = out.toString('utf8').trim().split('\0');
        return { author: { name: an, email: ae }, committer: { name: cn, email: ce } };
      },
    },
    // A stand-in until the audit log (src/auth) is merged: one line per event.
    audit: (e: AuditEvent) => w.log(`audit: ${e.action} by ${e.actor} on ${e.project}${e.environment ? `/${e.environment}` : ''}${e.detail ? ` ${JSON.stringify(e.detail)}` : ''}`),
  };
}
