// Every route of the JSON API on one router, and its OpenAPI document at
// GET /api/openapi.json (for any signed-in caller). Each route's permission is checked by
// the guard before its input is read.
import type { RegistryMaintenance } from '../registry-maintenance.ts';
import { registerRegistryApi } from './registry-api.ts';
import type { Store } from '../../store/store.ts';
import type { Scheduler } from '../../scheduler/scheduler.ts';
import type { EventBus } from '../../core/events.ts';
import type { Secrets } from '../../auth/secrets.ts';
import type { DeployService } from '../../deploy/service.ts';
import type { StartRunDeps } from '../../scheduler/start-run.ts';
import type { Access } from '../../auth/access.ts';
import { routeGuard } from '../route-guard.ts';
import { registerMembersApi } from './members-api.ts';
import type { AuditLog } from '../../auth/audit.ts';
import { Router } from '../http/router.ts';
import { sendJson } from '../http/reply.ts';
import { openApiDocument } from '../http/openapi.ts';
import { registerApi } from './api.ts';
import { registerDeployApi } from './deploy-api.ts';
import { registerApprovalApi } from './approval-api.ts';
import { registerJobApprovalApi } from './job-approval-api.ts';
import type { JobApprovals } from '../../deploy/gate/job-approvals.ts';
import { registerApprovalRightsApi } from './approval-rights-api.ts';
import { registerEnvironmentsApi } from './environments-api.ts';
import { registerUsersApi } from './users-api.ts';
import { registerHostsApi } from './hosts-api.ts';
import { registerRunnersApi } from './runners-api.ts';
import { registerRunnerProtocolApi } from './runner-protocol-api.ts';
import { registerRunnerProtocolActions } from './runner-protocol-actions.ts';
import { registerRunnerRegistrationApi } from './runner-registration-api.ts';
import { registerRunnerControlApi } from './runner-control-api.ts';
import type { RunnerApi } from '../../runner/protocol/runner-api.ts';
import { registerRunControl } from './run-control.ts';
import { registerRunOutputs } from './run-outputs.ts';
import { registerProtectedBranchesApi, type ProtectedBranchesApiDeps } from './protected-branches-api.ts';
import { registerSecretsApi } from './secrets-api.ts';
import { registerTokensApi } from './tokens-api.ts';
import { registerAuditApi } from './audit-api.ts';
import { registerSessionApi } from './session-api.ts';
import { registerEventsApi } from './events-api.ts';
import { registerMetricsApi, type MetricsApiDeps } from './metrics-api.ts';
import type { FailedAuthLimiter } from '../http/failed-auth-limiter.ts';
import { registerForgeApi, type ForgeApiDeps } from './forge-api.ts';
import { registerActionsApi } from './actions-api.ts';
import type { ActionSources } from '../../git/actions/action-sources.ts';
import { registerPrometheusApi } from './prometheus-api.ts';
import { PrometheusMetrics } from '../metrics/prometheus.ts';

export interface ApiRouterDeps {
  store: Store;
  scheduler: Scheduler;
  /** Decisions on jobs waiting at an environment's gate. */
  jobApprovals: JobApprovals;
  events: EventBus;
  secrets: Secrets;
  /** A getter: the deploy service starts after the HTTP server (it needs the server's port). */
  deploys: () => DeployService;
  /** What dispatches need to start runs. */
  runStarter: StartRunDeps;
  dataDir: string;
  version: string;
  /** Protected branches (src/git's BranchProtection) and whether a project exists. */
  protectedBranches: ProtectedBranchesApiDeps;
  /** Who may do what: every route's permission is checked through it (route-guard.ts). */
  access: Access;
  audit: AuditLog;
  /** Failed sign-ins count with failed token authentications (app.ts holds the same one). */
  limiter: FailedAuthLimiter;
  log: (message: string) => void;
  commitTimes: MetricsApiDeps['commitTimes'];
  /** Forge webhooks in, forge links, notification webhooks and the delivery log. */
  forge: Omit<ForgeApiDeps, 'store' | 'audit'>;
  /** Remote actions' sources: mirrors and resolution (absent in tests of other routes). */
  actionSources?: ActionSources;
  /** Registry garbage collection and retention. */
  registry: RegistryMaintenance;
  /** GET /metrics (default: figures read from the store only, nothing followed: unit tests). */
  prometheus?: PrometheusMetrics;
  /** The runner protocol for remote runners: the RunnerApi of the runner named so (absent: no /api/runner routes). */
  runnerApiFor?: (runnerName: string) => RunnerApi;
}

export function apiRouter(deps: ApiRouterDeps): Router {
  const { store, dataDir } = deps;
  const router = new Router({ guard: routeGuard(store, deps.access), audit: (entry) => deps.audit.record(entry) });
  registerDeployApi(router, { store, secrets: deps.secrets, deploys: deps.deploys, access: deps.access, audit: deps.audit });
  registerApprovalApi(router, { store, deploys: deps.deploys });
  registerJobApprovalApi(router, { store, jobApprovals: deps.jobApprovals });
  registerApprovalRightsApi(router, { store, deploys: deps.deploys });
  registerEnvironmentsApi(router, { store, deploys: deps.deploys });
  registerUsersApi(router, { store });
  registerHostsApi(router, { store, dataDir });
  registerRunnersApi(router, { store, onlineMs: () => deps.scheduler.leaseMs });
  registerRunnerRegistrationApi(router, { store, audit: deps.audit });
  registerRunnerControlApi(router, { store, audit: deps.audit, scheduler: deps.scheduler });
  if (deps.runnerApiFor) registerRunnerProtocolApi(router, { store, events: deps.events, apiFor: deps.runnerApiFor });
  if (deps.runnerApiFor && deps.actionSources) registerRunnerProtocolActions(router, { store, events: deps.events, apiFor: deps.runnerApiFor, sources: deps.actionSources });
  registerApi(router, { store, scheduler: deps.scheduler, events: deps.events, access: deps.access, version: deps.version });
  registerMembersApi(router, { store, access: deps.access });
  registerRunControl(router, deps.runStarter);
  registerRunOutputs(router, { store, dataDir });
  registerProtectedBranchesApi(router, deps.protectedBranches);
  registerSecretsApi(router, { secrets: deps.secrets });
  registerTokensApi(router, { store, audit: deps.audit });
  registerAuditApi(router, { audit: deps.audit });
  registerSessionApi(router, { store, audit: deps.audit, limiter: deps.limiter, log: deps.log });
  registerEventsApi(router, { events: deps.events, store, access: deps.access });
  registerMetricsApi(router, { store, commitTimes: deps.commitTimes });
  registerForgeApi(router, { ...deps.forge, store, audit: deps.audit });
  registerActionsApi(router, { store, access: deps.access, sources: deps.actionSources });
  registerRegistryApi(router, { maintenance: () => deps.registry });
  registerPrometheusApi(router, deps.prometheus ?? new PrometheusMetrics({ store, events: deps.events, onlineMs: () => deps.scheduler.leaseMs, log: deps.log, track: () => {} }));
  router.route(
    { method: 'GET', path: '/api/openapi.json', summary: 'This API as an OpenAPI 3.1 document' },
    ({ res }) => sendJson(res, 200, openApiDocument(router.routes, { title: 'Slipway API', version: deps.version })),
  );
  return router;
}
