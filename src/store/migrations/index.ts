// Migrations are registered explicitly, in order: one file per change, never edited once
// released. The map key is the name the migrator records.
import type { Migration } from 'kysely';
import * as initial from './0001-initial.ts';
import * as runOutputs from './0002-run-outputs.ts';
import * as runControl from './0003-run-control.ts';
import * as deployControl from './0004-deploy-control.ts';
import * as hostsApprovals from './0005-hosts-approvals.ts';
import * as pushEvents from './0006-push-events.ts';
import * as projectRoles from './0007-project-roles.ts';
import * as protectedBranches from './0008-protected-branches.ts';
import * as tokensAudit from './0009-tokens-audit.ts';
import * as environmentRules from './0010-environment-rules.ts';
import * as jobAttempts from './0011-job-attempts.ts';
import * as sessions from './0012-sessions.ts';
import * as deploymentSuperseded from './0013-deployment-superseded.ts';
import * as forges from './0016-forges.ts';
import * as runners from './0017-runners.ts';
import * as jobApprovals from './0018-job-approvals.ts';
import * as runActions from './0021-run-actions.ts';
import * as runIds from './0022-run-ids.ts';
import * as runnerCredentials from './0023-runner-credentials.ts';
import * as replicas from './0024-replicas.ts';
import * as logArchives from './0025-log-archives.ts';
import * as runnerControl from './0026-runner-control.ts';
import * as jobsRunKey from './0027-jobs-run-key.ts';
import * as jobsRunPrefixIndexes from './0028-jobs-run-prefix-indexes.ts';
import * as jobsReadyAt from './0029-jobs-ready-at.ts';

export const migrations: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-run-outputs': runOutputs,
  '0003-run-control': runControl,
  '0004-deploy-control': deployControl,
  '0005-hosts-approvals': hostsApprovals,
  '0006-push-events': pushEvents,
  '0007-project-roles': projectRoles,
  '0008-protected-branches': protectedBranches,
  '0009-tokens-audit': tokensAudit,
  '0010-environment-rules': environmentRules,
  '0011-job-attempts': jobAttempts,
  '0012-sessions': sessions,
  '0013-deployment-superseded': deploymentSuperseded,
  '0016-forges': forges,
  '0017-runners': runners,
  '0018-job-approvals': jobApprovals,
  '0021-run-actions': runActions,
  '0022-run-ids': runIds,
  '0023-runner-credentials': runnerCredentials,
  '0024-replicas': replicas,
  '0025-log-archives': logArchives,
  '0026-runner-control': runnerControl,
  '0027-jobs-run-key': jobsRunKey,
  '0028-jobs-run-prefix-indexes': jobsRunPrefixIndexes,
  '0029-jobs-ready-at': jobsReadyAt,
};
