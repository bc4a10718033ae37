// A stop waits for running jobs at most shutdownTimeoutSeconds: then it kills them (every
// process of the job) and ends their attempt, so the restarted server runs them again as
// their next attempt.
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { run } from '../../src/exec/run.ts';
import { commitAndPush, git, removeDir, startHarness, waitFor, type Harness } from '../support/harness.ts';
import type { RunView } from '../support/api-views.ts';

let h: Harness | undefined;
let work: string | undefined;
after(async () => {
  await h?.stop();
  if (h) await removeDir(h.dataDir);
  if (work) await removeDir(work);
});

/** Whether a process whose whole command line is `marker` runs. */
const alive = async (marker: string) => (await run(['pgrep', '-f', '-x', marker])).exitCode === 0;

test('a stop kills a job still running after the shutdown timeout; after the restart it runs again', async () => {
  h = await startHarness({ env: { SLIPWAY_SHUTDOWN_TIMEOUT_SECONDS: '1' } });
  // A sleep of an unusual length: its command line tells this job's process from any other.
  const marker = `sleep ${3000 + randomBytes(2).readUInt16BE() % 5000}`;
  work = await mkdtemp(join(tmpdir(), 'slipway-shutdown-'));
  await mkdir(join(work, '.slipway/workflows'), { recursive: true });
  await writeFile(join(work, '.slipway/workflows/ci.yml'), `on: push\njobs:\n  long:\n    runs-on: self-hosted\n    steps:\n      - run: echo started; ${marker}\n`);
  await git(work, 'init', '-q', '-b', 'main');
  await commitAndPush(work, h, 'long', 'a long job', 'main');
  const runId = await waitFor('the job to start', async () => {
    const [r] = await h!.api<RunView[]>('/api/runs?project=long');
    return r?.jobs?.[0]?.status === 'running' && (await alive(marker)) ? r.id : undefined;
  }, 60_000);

  const started = Date.now();
  await h.stop();
  const took = Date.now() - started;
  assert.ok(took < 8000, `the stop took ${took} ms with a 1 s shutdown timeout`);
  assert.equal(await alive(marker), false, 'the job left a process running');

  await h.restart();
  const again = await waitFor('the job to run again', async () => {
    const r = await h!.api<RunView>(`/api/runs/${runId}`);
    return r.jobs?.[0]?.status === 'running' && (await alive(marker)) ? r : undefined;
  }, 60_000);
  assert.equal(again.status, 'running');
  // The stopped attempt keeps its log, marked; the job runs again as attempt 2 with a log of its own.
  const job = again.jobs[0]!;
  assert.equal(job.attempt, 2);
  assert.deepEqual(job.interruptedAttempts.map((a) => [a.attempt, a.status]), [[1, 'interrupted']]);
  const log = await (await fetch(`${h.slipway.url}/api/runs/${runId}/jobs/${job.id}/logs?attempt=1`, { headers: { authorization: `Bearer ${h.slipway.adminToken}` } })).text();
  assert.match(log, /The runner stopped before this job finished \(shutdown timeout\); it will run again\.\n##\[error\]Attempt 1 interrupted by a server stop \(the shutdown timeout ran out\); the job runs again as attempt 2\.\n$/);
  await h.api(`/api/runs/${runId}/cancel`, { method: 'POST' });
  await waitFor('the cancel', async () => ((await h!.api<RunView>(`/api/runs/${runId}`)).status === 'cancelled' ? true : undefined), 60_000);
  assert.equal(await alive(marker), false);
});
