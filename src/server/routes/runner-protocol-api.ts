// The runner protocol over HTTP (issue 13): each RunnerApi call as a route under
// /api/runner/…, for a remote runner (`slipway runner`) authenticated by its runner
// credential. Only that credential reaches these routes (src/auth/token-scope.ts), and a
// runner acts only on jobs it holds. Behind each route is the same in-process RunnerApi the
// built-in runner uses, one per runner name, so both transports mean the same thing.
import { z } from 'zod';
import type { Router } from '../http/router.ts';
import { sendJson } from '../http/reply.ts';
import type { RunnerApi } from '../../runner/protocol/runner-api.ts';
import type { ClaimedJob } from '../../runner/protocol/wire.ts';
import { registerRunnerProtocolFiles } from './runner-protocol-files.ts';
import { jobParams, runnerOf, type RunnerProtocolDeps } from './runner-protocol-caller.ts';
import { requireHeld } from '../../runner/protocol/job-hold.ts';
import { runnerWakesOf } from './runner-wakes.ts';

/** The longest a claim or wait is held open: below common proxies' idle timeouts. */
export const maxWaitMs = 30_000;

const statuses = ['success', 'failure', 'cancelled', 'skipped'] as const;
const stepParams = z.object({ step: z.string().max(100).describe('a step id (stp_…) of a job this runner holds') });
const summaryParams = jobParams.extend({ number: z.coerce.number().int().min(1).max(10_000).describe('the 1-based step number') });
const labels = z.array(z.string().max(200)).max(100);
const logChunk = z.strictObject({ seq: z.number().int().min(0), text: z.string().max(512 * 1024) });
const nameNumber = z.strictObject({ number: z.number().int().min(1).max(10_000), name: z.string().max(1000) });

/** What a route over one held job gets: the runner's RunnerApi, the job's id, the body and the runner's name. */
type JobCall<B> = (api: RunnerApi, jobId: string, body: B, runner: string) => Promise<unknown>;

export function registerRunnerProtocolApi(router: Router, deps: RunnerProtocolDeps): void {
  const { store, apiFor } = deps;
  // How often work may have become available (this process's count): a claim answers the
  // count from before it looked, and a wait sent with an older count answers at once, so
  // news between a runner's empty claim and its wait is not slept through.
  let generation = 0;
  deps.events.on('jobs-available', () => generation++);
  // Waits are woken one runner at a time, passed on by claims (runner-wakes.ts).
  const wakes = runnerWakesOf(deps.events);
  const claimOnce = async (api: RunnerApi, runner: string, labels: readonly string[]) => {
    const job = await api.claim(labels);
    wakes.claimed(runner, labels, job !== undefined);
    return job;
  };
  /** A claim's answer; an empty one says the runner's state (a draining remote runner exits once idle). */
  const claimAnswer = async (runner: string, job: ClaimedJob | undefined, seen: number) => ({
    job: job ?? null,
    generation: seen,
    ...(job ? {} : { state: await store.runners.state(runner) }),
  });
  /**
   * A route over a job the runner holds; answers what `call` returns as JSON (`{}` for
   * nothing). `checks: 'api'`: the RunnerApi call refuses a job the runner does not hold
   * itself, inside its write (in-process.ts), so the route reads nothing first — these are
   * the calls every job makes.
   */
  const jobRoute = <B extends z.ZodType>(method: 'GET' | 'POST' | 'PUT', path: string, summary: string, body: { schema: B; expected: string } | undefined, call: JobCall<z.output<B>>, checks: 'route' | 'api' = 'route') =>
    router.route({ method, path: `/api/runner/jobs/:job${path}`, summary, params: jobParams, ...(body ? { body } : {}) }, async (ctx) => {
      const runner = runnerOf(ctx.principal);
      if (checks === 'route') await requireHeld(store, runner, ctx.params.job);
      sendJson(ctx.res, 200, (await call(apiFor(runner), ctx.params.job, ctx.body as z.output<B>, runner)) ?? {});
    });

  router
    .route(
      {
        method: 'POST', path: '/api/runner/claim', summary: 'Runner protocol: take a queued job with these labels, waiting up to waitMs for one (a long-poll); {job: null} when none came',
        body: { schema: z.strictObject({ labels, waitMs: z.number().int().min(0).max(maxWaitMs).optional() }), expected: '{"labels": ["<label>"], "waitMs": <ms>}' },
      },
      async ({ res, principal, body }) => {
        const runner = runnerOf(principal);
        const api = apiFor(runner);
        const gone = new AbortController();
        res.once('close', () => gone.abort());
        const deadline = Date.now() + (body.waitMs ?? 0);
        const seen = generation;
        let job = await claimOnce(api, runner, body.labels);
        // Each 'jobs-available' may be for labels this runner lacks: try again until the deadline.
        while (!job && Date.now() < deadline && !gone.signal.aborted) {
          await api.waitForWork(deadline - Date.now(), gone.signal);
          if (gone.signal.aborted) break;
          job = await claimOnce(api, runner, body.labels);
        }
        // A runner that left after its claim never heartbeats it: the lease sweep re-queues the job.
        sendJson(res, 200, await claimAnswer(runner, job, seen));
      },
    )
    .route(
      {
        method: 'POST', path: '/api/runner/wait', summary: 'Runner protocol: answers when new work may be available (at once if it was since `generation`), or after timeoutMs',
        body: {
          schema: z.strictObject({ timeoutMs: z.number().int().min(0).max(maxWaitMs), generation: z.number().int().min(0).optional().describe('the count the runner last heard (claim or wait answer)') }),
          expected: '{"timeoutMs": <ms>, "generation": <n>}',
        },
      },
      async ({ res, principal, body }) => {
        const runner = runnerOf(principal);
        if (body.generation === undefined || body.generation === generation) {
          const gone = new AbortController();
          res.once('close', () => gone.abort());
          await wakes.wait(runner, body.timeoutMs, gone.signal);
        }
        sendJson(res, 200, { generation });
      },
    )
    .route({ method: 'GET', path: '/api/runner/registry', summary: 'Runner protocol: where the built-in registry is' }, ({ res, principal }) => {
      sendJson(res, 200, apiFor(runnerOf(principal)).registry());
    })
    .route(
      { method: 'POST', path: '/api/runner/jobs/:job/heartbeat', summary: "Runner protocol: renew the job's lease; the answer says whether it still holds and whether the job was cancelled", params: jobParams },
      async ({ res, principal, params }) => {
        const runner = runnerOf(principal);
        // A late heartbeat of a lost lease is refused by the lease itself (renewLease checks the runner).
        const lease = await apiFor(runner).heartbeat(params.job);
        const job = await store.runs.job(params.job);
        sendJson(res, 200, { lease, cancel: job?.runner === runner && job.status === 'running' && job.cancel_requested === 1 });
      },
    );
  jobRoute('GET', '/log-seq', "Runner protocol: the sequence number the job attempt's log continues from", undefined, async (api, id) => ({ next: await api.nextLogSeq(id) }));
  jobRoute(
    'POST', '/logs', 'Runner protocol: one numbered log chunk; storing a sequence number twice keeps the first (retries never double)',
    { schema: logChunk, expected: '{"seq": <n>, "text": "<chunk>"}' },
    (api, id, b) => api.appendLog(id, b.seq, b.text),
    'api',
  );
  jobRoute(
    'POST', '/steps', 'Runner protocol: a step starts; answers its id',
    { schema: nameNumber.extend({ log: logChunk.optional().describe('a chunk of the log written before the step, stored first') }), expected: '{"number": <n>, "name": "<step>", "log": {"seq": <n>, "text": "<text>"}}' },
    async (api, id, b) => ({ id: await api.startStep(id, b.number, b.name, b.log) }),
    'api',
  );
  jobRoute('POST', '/skipped-steps', 'Runner protocol: a step was skipped', { schema: nameNumber, expected: '{"number": <n>, "name": "<step>"}' }, (api, id, b) => api.skipStep(id, b.number, b.name), 'api');
  jobRoute(
    'POST', '/complete', "Runner protocol: the job's result and outputs (final: a second completion changes nothing); with `next`, then a claim of the runner's next job (answered as the claim route does, under `next`)",
    {
      schema: z.strictObject({
        status: z.enum(statuses), outputs: z.record(z.string(), z.string()), error: z.string().max(64 * 1024).optional(),
        log: logChunk.optional().describe("the log's last chunk, stored before the result"), next: z.strictObject({ labels }).optional().describe("then claim the runner's next job"),
      }),
      expected: '{"status": "success", "outputs": {}, "log": {"seq": <n>, "text": "<chunk>"}, "next": {"labels": ["<label>"]}}',
    },
    async (api, id, b, runner) => {
      // The count from before the completion: a claim that finds nothing has its wait answer
      // at once if news came meanwhile (the completion's own, at worst one empty claim more).
      const seen = generation;
      const next = await api.completeJob(id, b.status, b.outputs, b.error, { ...(b.log ? { log: b.log } : {}), ...(b.next ? { next: b.next } : {}) });
      if (!b.next) return undefined;
      wakes.claimed(runner, b.next.labels, next !== undefined);
      return { next: await claimAnswer(runner, next, seen) };
    },
    'api',
  );
  jobRoute(
    'POST', '/releases', 'Runner protocol: the job pushed a release (image and digest)',
    { schema: z.strictObject({ image: z.string().max(1000), digest: z.string().max(200) }), expected: '{"image": "<ref>", "digest": "sha256:…"}' },
    (api, id, b) => api.recordRelease(id, b),
  );
  jobRoute('GET', '/source', "Runner protocol: where to fetch the run's commit, with the job token's Authorization", undefined, (api, id) => api.source(id));
  jobRoute(
    'POST', '/annotations', 'Runner protocol: an annotation (::error:: and friends)',
    {
      schema: z.strictObject({
        level: z.enum(['error', 'warning', 'notice']), message: z.string().max(64 * 1024), title: z.string().max(1000).optional(), file: z.string().max(4096).optional(),
        line: z.number().int().optional(), endLine: z.number().int().optional(), column: z.number().int().optional(), endColumn: z.number().int().optional(), step: z.number().int().optional(),
      }),
      expected: '{"level": "error", "message": "<text>"}',
    },
    (api, id, b) => api.addAnnotation(id, b),
  );
  router.route(
    {
      method: 'PUT', path: '/api/runner/jobs/:job/summaries/:number', summary: "Runner protocol: a step's $GITHUB_STEP_SUMMARY", params: summaryParams,
      body: { schema: z.strictObject({ markdown: z.string().max(1024 * 1024 - 64) }), expected: '{"markdown": "<text>"}' },
    },
    async ({ res, principal, params, body }) => {
      const runner = runnerOf(principal);
      await requireHeld(store, runner, params.job);
      await apiFor(runner).setStepSummary(params.job, params.number, body.markdown);
      sendJson(res, 200, {});
    },
  );
  router.route(
    {
      method: 'POST', path: '/api/runner/steps/:step/finish', summary: 'Runner protocol: a step ended', params: stepParams,
      body: { schema: z.strictObject({ status: z.enum(statuses), exitCode: z.number().int().nullable() }), expected: '{"status": "success", "exitCode": 0}' },
    },
    async ({ res, principal, params, body }) => {
      // The API refuses a step of a job the runner does not hold, in the same statement as the write.
      await apiFor(runnerOf(principal)).finishStep(params.step, body.status, body.exitCode);
      sendJson(res, 200, {});
    },
  );
  registerRunnerProtocolFiles(router, deps);
}
