// The store: one repository per aggregate over one database.
import type { Db } from './database.ts';
import { projectsRepo } from './repos/projects.ts';
import { usersRepo } from './repos/users.ts';
import { runsRepo } from './repos/runs.ts';
import { logsRepo } from './repos/logs.ts';
import { releasesRepo } from './repos/releases.ts';
import { deploymentsRepo } from './repos/deployments.ts';
import { runOutputsRepo } from './repos/run-outputs.ts';
import { environmentLocksRepo } from './repos/environment-locks.ts';
import { secretsRepo } from './repos/secrets.ts';
import { approvalsRepo } from './repos/approvals.ts';
import { knownHostsRepo } from './repos/known-hosts.ts';
import { deploymentHostsRepo } from './repos/deployment-hosts.ts';
import { pushEventsRepo } from './repos/push-events.ts';
import { protectedBranchesRepo } from './repos/protected-branches.ts';
import { membersRepo } from './repos/members.ts';
import { grantTokensRepo } from './repos/grant-tokens.ts';
import { auditRepo } from './repos/audit.ts';
import { environmentRulesRepo } from './repos/environment-rules.ts';
import { sessionsRepo } from './repos/sessions.ts';
import { forgesRepo } from './repos/forges.ts';
import { notificationsRepo } from './repos/notifications.ts';
import { runnersRepo } from './repos/runners.ts';
import { runActionsRepo } from './repos/run-actions.ts';
import { runnerCredentialsRepo } from './repos/runner-credentials.ts';
import { RunnerCache } from './repos/runner-cache.ts';
import { scheduleFiresRepo } from './repos/schedule-fires.ts';
import { serversRepo } from './repos/servers.ts';
import { registryDigestsRepo } from './repos/registry-digests.ts';
import { installationSettingsRepo } from './repos/installation-settings.ts';
import type { StorageDriver } from '../storage/driver.ts';

/** `objects`: the object store ended logs are archived to (logs.ts); without it they stay in the database. */
export function createStore(db: Db, options: { objects?: StorageDriver } = {}) {
  // One per server: what it keeps of runners' credentials and states (relayed: relayRunnerChanges).
  const runnerCache = new RunnerCache();
  return {
    db,
    projects: projectsRepo(db),
    users: usersRepo(db),
    runs: runsRepo(db),
    logs: logsRepo(db, options.objects),
    releases: releasesRepo(db),
    deployments: deploymentsRepo(db),
    runOutputs: runOutputsRepo(db),
    environmentLocks: environmentLocksRepo(db),
    secrets: secretsRepo(db),
    approvals: approvalsRepo(db),
    knownHosts: knownHostsRepo(db),
    deploymentHosts: deploymentHostsRepo(db),
    pushEvents: pushEventsRepo(db),
    protectedBranches: protectedBranchesRepo(db),
    members: membersRepo(db),
    grantTokens: grantTokensRepo(db),
    audit: auditRepo(db),
    environmentRules: environmentRulesRepo(db),
    sessions: sessionsRepo(db),
    forges: forgesRepo(db),
    notifications: notificationsRepo(db),
    runners: runnersRepo(db, runnerCache),
    runActions: runActionsRepo(db),
    runnerCredentials: runnerCredentialsRepo(db, runnerCache),
    runnerCache,
    scheduleFires: scheduleFiresRepo(db),
    servers: serversRepo(db),
    registryDigests: registryDigestsRepo(db),
    installationSettings: installationSettingsRepo(db),
  };
}

export type Store = ReturnType<typeof createStore>;
