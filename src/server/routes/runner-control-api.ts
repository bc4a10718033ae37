// Steering runners (issue 13, admins): pause (claims answer empty; what it holds keeps its
// lease), drain (the same, and a remote runner exits once idle), resume, and remove (its
// credential revoked, the jobs it holds re-queued now, so its next call is refused and it
// exits). And the one call a remote runner makes when it connects: what it is (how many
// jobs at once, its version), answered with the state an admin set.
import { z } from 'zod';
import type { Router } from '../http/router.ts';
import { sendJson } from '../http/reply.ts';
import { signedIn } from '../http/route.ts';
import type { Store } from '../../store/store.ts';
import type { AuditLog } from '../../auth/audit.ts';
import type { Scheduler } from '../../scheduler/scheduler.ts';
import type { RunnerState } from '../../store/repos/runners.ts';
import { SlipwayError } from '../../core/errors.ts';
import { runnerOf } from './runner-protocol-caller.ts';
import { builtinPrefix } from './runner-registration-api.ts';

const nameParams = z.object({ name: z.string().max(64).describe('the runner name') });

const steps = [
  { verb: 'pause', state: 'paused', summary: 'Pause a runner: it is given no new job (what it runs keeps its lease)' },
  { verb: 'resume', state: 'active', summary: 'Resume a paused or draining runner: it takes jobs again' },
  { verb: 'drain', state: 'draining', summary: 'Drain a runner: it finishes what it runs and takes nothing new; a remote runner then exits' },
] as const satisfies readonly { verb: string; state: RunnerState; summary: string }[];

export function registerRunnerControlApi(router: Router, deps: { store: Store; audit: AuditLog; scheduler: Scheduler }): void {
  const { store, audit, scheduler } = deps;
  for (const step of steps) {
    router.route({ method: 'POST', path: `/api/runners/:name/${step.verb}`, summary: step.summary, permission: 'runners.manage', params: nameParams }, async ({ req, res, user, params }) => {
      if (!(await store.runners.setState(params.name, step.state))) throw new SlipwayError('NOT_FOUND', `no runner ${params.name} (slipway runners lists them)`);
      await audit.record({ actor: signedIn(user).name, action: `runner.${step.verb}`, target: params.name, address: req.socket.remoteAddress });
      sendJson(res, 200, { name: params.name, state: step.state });
    });
  }
  router
    .route(
      { method: 'DELETE', path: '/api/runners/:name', summary: 'Remove a runner: its credential revoked, the jobs it holds re-queued; it is forgotten until it registers again', permission: 'runners.manage', params: nameParams },
      async ({ req, res, user, params }) => {
        if (params.name.startsWith(builtinPrefix)) {
          throw new SlipwayError('BAD_REQUEST', `runner ${params.name} is this server's built-in runner, which has no credential to revoke: pause or drain it, or turn it off (runner.enabled: false)`);
        }
        // The credential first: from here on the runner can report nothing, so re-queuing its jobs races with nothing it sends.
        const revoked = await store.runnerCredentials.revokeName(params.name);
        const requeued = await scheduler.releaseRunner(params.name);
        const known = await store.runners.remove(params.name);
        if (!revoked && !known && !requeued) throw new SlipwayError('NOT_FOUND', `no runner ${params.name} (slipway runners lists them)`);
        await audit.record({ actor: signedIn(user).name, action: 'runner.remove', target: params.name, address: req.socket.remoteAddress, detail: { credentialsRevoked: revoked, jobsRequeued: requeued } });
        sendJson(res, 200, { name: params.name, removed: true, jobsRequeued: requeued });
      },
    )
    .route(
      {
        method: 'POST', path: '/api/runner/hello', summary: 'Runner protocol: what a connecting runner is (jobs at once, version); answers the state an admin set',
        body: { schema: z.strictObject({ concurrency: z.number().int().min(1).max(1000), version: z.string().max(100) }), expected: '{"concurrency": 2, "version": "0.1.0"}' },
      },
      async ({ res, principal, body }) => {
        const runner = runnerOf(principal);
        await store.runners.describe(runner, body);
        sendJson(res, 200, { state: await store.runners.state(runner) });
      },
    );
}
