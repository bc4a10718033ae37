// What a run's steps left besides logs: annotations, step summaries (Markdown) and
// artifacts (listed, and downloaded as the tar.gz the runner uploaded: streamed from the
// object store, or with `storage.redirect` a 307 to a presigned URL of the bucket).
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import type { Router } from '../http/router.ts';
import { sendJson } from '../http/reply.ts';
import type { Store } from '../../store/store.ts';
import { findRun } from '../run-view.ts';
import { SlipwayError } from '../../core/errors.ts';
import { runParams } from './fields.ts';
import type { StorageDriver } from '../../storage/driver.ts';
import { isValidKey } from '../../storage/key.ts';
import { readOutput } from '../../runner/protocol/output-objects.ts';

interface RunOutputsDeps {
  store: Store;
  /** The object store artifacts are in (runner/protocol/output-objects.ts). */
  storage: StorageDriver;
  /** The data dir: artifacts from before the object store are files in it. */
  dataDir: string;
}


export function registerRunOutputs(router: Router, deps: RunOutputsDeps): void {
  const { store } = deps;
  router
    .route(
      { method: 'GET', path: '/api/runs/:run/annotations', summary: "Annotations the run's steps wrote (::error, ::warning, ::notice)", permission: 'runs.read', params: runParams },
      async ({ res, params }) => {
        const run = await findRun(store, params.run);
        const rows = await store.runOutputs.annotations(run.id);
        sendJson(res, 200, rows.map((a) => ({
          job: a.job_key, step: a.step_number, level: a.level, message: a.message, title: a.title,
          file: a.file, line: a.line, endLine: a.end_line, column: a.col, endColumn: a.end_column, createdAt: a.created_at,
        })));
      },
    )
    .route({ method: 'GET', path: '/api/runs/:run/summary', summary: "The run's step summaries (Markdown)", permission: 'runs.read', params: runParams }, async ({ res, params }) => {
      const run = await findRun(store, params.run);
      const rows = await store.runOutputs.summaries(run.id);
      sendJson(res, 200, {
        // Every step's Markdown in job and step order, as GitHub shows the run's summary page.
        markdown: rows.map((s) => s.markdown.replace(/\n*$/, '\n')).join('\n'),
        steps: rows.map((s) => ({ job: s.job_key, jobName: s.job_name, step: s.step_number, markdown: s.markdown })),
      });
    })
    .route({ method: 'GET', path: '/api/runs/:run/artifacts', summary: 'The artifacts the run uploaded', permission: 'runs.read', params: runParams }, async ({ res, params }) => {
      const run = await findRun(store, params.run);
      const rows = await store.runOutputs.artifacts(run.id);
      sendJson(res, 200, rows.map((a) => ({ name: a.name, size: a.size, createdAt: a.created_at })));
    })
    .route(
      { method: 'GET', path: '/api/runs/:run/artifacts/:name', summary: 'Download one artifact (application/gzip)', permission: 'runs.read', params: runParams.extend({ name: z.string().describe('artifact name') }) },
      async ({ req, res, params }) => {
        const run = await findRun(store, params.run);
        const a = await store.runOutputs.artifact(run.id, params.name);
        if (!a) throw new SlipwayError('NOT_FOUND', `run ${run.id} has no artifact named "${params.name}"`);
        const headers = { 'content-type': 'application/gzip', 'content-disposition': `attachment; filename="${encodeURIComponent(a.name)}.tgz"` };
        // After the permission check: the URL lets its holder read this one object for minutes. Never logged.
        // (An archive from before the object store is a file in the data dir: streamed below.)
        if (req.method === 'GET' && deps.storage.downloadUrl && isValidKey(a.path) && (await deps.storage.stat(a.path))) {
          const location = await deps.storage.downloadUrl(a.path, { contentType: headers['content-type'], contentDisposition: headers['content-disposition'] });
          return void res.writeHead(307, { location, 'cache-control': 'no-store' }).end();
        }
        const archive = req.method === 'HEAD' ? undefined : await readOutput({ storage: deps.storage, legacyDir: deps.dataDir }, a.path);
        if (req.method !== 'HEAD' && !archive) throw new SlipwayError('NOT_FOUND', `the archive of artifact "${a.name}" of run ${run.id} is gone`);
        res.writeHead(200, { ...headers, 'content-length': a.size });
        if (!archive) return void res.end();
        await pipeline(archive, res);
      },
    );
}
