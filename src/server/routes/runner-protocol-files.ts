// The runner protocol's artifacts and caches: tar.gz archives as streamed request and
// response bodies (never held in memory), for jobs the runner holds.
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import type { Router } from '../http/router.ts';
import { sendJson } from '../http/reply.ts';
import { SlipwayError } from '../../core/errors.ts';
import { jobParams, runnerOf, type RunnerProtocolDeps } from './runner-protocol-caller.ts';
import { requireHeld } from '../../runner/protocol/job-hold.ts';

const artifactParams = jobParams.extend({ name: z.string().max(255).describe('the artifact name') });
const cacheKeyQuery = z.object({ key: z.string().min(1).max(512).describe('the cache key') });
const archiveType = 'application/gzip';

async function sendArchive(res: ServerResponse, archive: NodeJS.ReadableStream, headers: Record<string, string> = {}): Promise<void> {
  res.writeHead(200, { 'content-type': archiveType, ...headers });
  await pipeline(archive as Readable, res);
}

export function registerRunnerProtocolFiles(router: Router, { store, apiFor }: RunnerProtocolDeps): void {
  /** The runner's RunnerApi, once it is known to hold the job. */
  const held = async (principal: Parameters<typeof runnerOf>[0], jobId: string) => {
    const runner = runnerOf(principal);
    await requireHeld(store, runner, jobId);
    return apiFor(runner);
  };
  router
    .route({ method: 'PUT', path: '/api/runner/jobs/:job/artifacts/:name', summary: "Runner protocol: upload the run's artifact (a tar.gz body)", params: artifactParams }, async ({ req, res, principal, params }) => {
      const api = await held(principal, params.job);
      sendJson(res, 201, await api.uploadArtifact(params.job, params.name, req));
    })
    .route({ method: 'GET', path: '/api/runner/jobs/:job/artifacts', summary: "Runner protocol: the run's artifacts so far", params: jobParams }, async ({ res, principal, params }) => {
      sendJson(res, 200, await (await held(principal, params.job)).listArtifacts(params.job));
    })
    .route({ method: 'GET', path: '/api/runner/jobs/:job/artifacts/:name', summary: "Runner protocol: download the run's artifact (tar.gz)", params: artifactParams }, async ({ res, principal, params }) => {
      const archive = await (await held(principal, params.job)).downloadArtifact(params.job, params.name);
      if (!archive) throw new SlipwayError('NOT_FOUND', `no artifact named "${params.name}" in the run of job ${params.job}`);
      await sendArchive(res, archive);
    })
    .route(
      {
        method: 'POST', path: '/api/runner/jobs/:job/caches/restore', summary: "Runner protocol: the project's cache for the first key that exists (exact, then prefix); 204 when none",
        params: jobParams, body: { schema: z.strictObject({ keys: z.array(z.string().min(1).max(512)).min(1).max(32) }), expected: '{"keys": ["<key>"]}' },
      },
      async ({ res, principal, params, body }) => {
        const hit = await (await held(principal, params.job)).restoreCache(params.job, body.keys);
        if (!hit) {
          res.writeHead(204).end();
          return;
        }
        await sendArchive(res, hit.archive, { 'x-slipway-cache-key': encodeURIComponent(hit.key) });
      },
    )
    .route({ method: 'PUT', path: '/api/runner/jobs/:job/caches', summary: 'Runner protocol: save a cache under ?key= (a tar.gz body; the first save of a key wins)', params: jobParams, query: cacheKeyQuery }, async ({ req, res, principal, params, query }) => {
      await (await held(principal, params.job)).saveCache(params.job, query.key, req);
      sendJson(res, 200, {});
    });
}
