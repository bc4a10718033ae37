// The runner protocol's remote actions: a runner on another host gets the tree of a job's
// `uses: owner/repo[/path]@ref` as the built-in runner does. The server resolves it with
// the run's rights (the in-process RunnerApi: action-access.ts, recorded on the run), then
// the runner downloads the commit's tree by SHA — once per runner, which caches it — and
// only a tree its job resolved.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import type { Router } from '../http/router.ts';
import { sendJson } from '../http/reply.ts';
import { SlipwayError } from '../../core/errors.ts';
import type { ActionSources } from '../../git/actions/action-sources.ts';
import { runOfJob } from '../../runner/protocol/in-process-files.ts';
import type { ActionTreeAnswer } from '../../runner/protocol/http-action-trees.ts';
import { jobParams, runnerOf, type RunnerProtocolDeps } from './runner-protocol-caller.ts';
import { requireHeld } from '../../runner/protocol/job-hold.ts';

const treeParams = jobParams.extend({ sha: z.string().regex(/^[0-9a-f]{40,64}$/).describe("the commit SHA the job's resolution answered") });

export function registerRunnerProtocolActions(router: Router, { store, apiFor, sources }: RunnerProtocolDeps & { sources: ActionSources }): void {
  router
    .route(
      {
        method: 'POST', path: '/api/runner/jobs/:job/actions/resolve', summary: "Runner protocol: resolve one of the job's remote `uses:` with the run's rights; answers the commit and its tree's archive (size, SHA-256)",
        params: jobParams, body: { schema: z.strictObject({ uses: z.string().min(1).max(1000) }), expected: '{"uses": "owner/repo[/path]@ref"}' },
      },
      async ({ res, principal, params, body }) => {
        const runner = runnerOf(principal);
        await requireHeld(store, runner, params.job);
        const resolved = await apiFor(runner).resolveAction(params.job, body.uses);
        const archive = await sources.archives.archiveOf(resolved.sha, resolved.tree);
        sendJson(res, 200, { sha: resolved.sha, source: resolved.source, archive: { bytes: archive.bytes, sha256: archive.sha256 } } satisfies ActionTreeAnswer);
      },
    )
    .route(
      { method: 'GET', path: '/api/runner/jobs/:job/actions/:sha', summary: "Runner protocol: the tree (tar.gz) of a commit one of the job's remote actions resolved to", params: treeParams },
      async ({ res, principal, params }) => {
        await requireHeld(store, runnerOf(principal), params.job);
        // Only what this job resolved, with its run's rights: a SHA is no key to another project's code.
        const run = await runOfJob(store, params.job);
        const resolved = (await store.runActions.forRun(run.id)).some((a) => a.jobId === params.job && a.sha === params.sha);
        const path = resolved ? sources.archives.pathOf(params.sha) : undefined;
        if (!path) throw new SlipwayError('NOT_FOUND', `job ${params.job} resolved no action to commit ${params.sha}: resolve it first (POST /api/runner/jobs/${params.job}/actions/resolve)`);
        res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': (await stat(path)).size });
        await pipeline(createReadStream(path), res);
      },
    );
}
