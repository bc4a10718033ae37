// The server is killed while the runner is uploading a job's log (SIGKILL right after the
// 8th log chunk is stored, before its upload is acknowledged: SLIPWAY_CRASH_AT=
// log-chunk-stored#8). After the restart the run is terminal; the interrupted attempt's log
// holds exactly what was stored, every line once and none skipped, closed and marked
// interrupted; the next attempt's log holds every line once. Host jobs (runner.host), so no
// container is involved.
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { git, removeDir, waitFor, numberedLines } from '../support/harness.ts';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import type { RunView } from '../support/api-views.ts';

const lines = 300;
const workflow = `on: push
jobs:
  t:
    runs-on: [self-hosted, host]
    steps:
      - run: |
          echo "::group::counting"
          for i in $(seq 1 ${lines}); do echo "line $i"; sleep 0.01; done
          echo "::endgroup::"
          echo "all done"
`;

const dirs: string[] = [];
let server: ServerProcess | undefined;
after(async () => {
  await server?.kill();
  for (const d of dirs) await removeDir(d);
});

const oneTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

test('a crash during log upload: the run ends; attempt 1 holds what was stored, once, closed and marked; attempt 2 is whole', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'slipway-crash-log-'));
  const work = await mkdtemp(join(tmpdir(), 'slipway-crash-log-work-'));
  dirs.push(dataDir, work);
  await mkdir(join(work, '.slipway/workflows'), { recursive: true });
  await writeFile(join(work, '.slipway/workflows/ci.yml'), workflow);
  await git(work, 'init', '-q', '-b', 'main');
  await git(work, 'add', '-A');
  await git(work, 'commit', '-q', '-m', 'count');

  const env = { SLIPWAY_RUNNER_HOST: 'true' };
  server = await startServerProcess({ dataDir, env: { ...env, SLIPWAY_CRASH_AT: 'log-chunk-stored#8' } });
  const port = server.port;
  await server.push(work, 'counting');
  // The crash point kills the server by itself, in the middle of the step's output.
  assert.equal(await server.exited, 'SIGKILL', server.output());

  server = await startServerProcess({ dataDir, env, port });
  const [queued] = await server.json<RunView[]>('/api/runs?project=counting');
  assert.ok(queued, 'the push made a run before the crash');
  const run = await waitFor('the run to finish after the restart', async () => {
    const r = await server!.json<RunView>(`/api/runs/${queued.id}`);
    return r.status === 'success' || r.status === 'failure' ? r : undefined;
  }, 120_000);
  assert.equal(run.status, 'success', server.output());
  assert.equal((await server.json<RunView[]>('/api/runs?project=counting')).length, 1, 'one run, no second one from the same push');
  const job = run.jobs[0]!;
  assert.equal(job.attempt, 2);
  assert.deepEqual(job.interruptedAttempts.map((a) => [a.attempt, a.status, a.reason]), [[1, 'interrupted', 'interrupted by a server crash']]);

  const log = async (attempt: number) => (await server!.get(`/api/runs/${run.id}/jobs/${job.id}/logs?attempt=${attempt}`)).text();
  // Attempt 1: the lines stored before the crash, from the first on, each once; then its
  // two open groups (the step's, the script's) closed and the marker.
  const first = await log(1);
  const stored = numberedLines(first);
  assert.ok(stored.length > 0 && stored.length < lines, `the crash fell inside the step's output (${stored.length} of ${lines} lines stored):\n${first}`);
  assert.deepEqual(stored, oneTo(stored.length), 'attempt 1: no line lost or doubled');
  assert.match(first, new RegExp(`\\nline ${stored.length}\\n##\\[endgroup\\]\\n##\\[endgroup\\]\\n##\\[error\\]Attempt 1 interrupted by a server crash; the job runs again as attempt 2\\.\\n$`));
  // Attempt 2: every line once, and nothing of attempt 1.
  const second = await log(2);
  assert.deepEqual(numberedLines(second), oneTo(lines), 'attempt 2: every line once');
  assert.doesNotMatch(second, /interrupted/);
  assert.match(second, /\nline 300\n##\[endgroup\]\nall done\n[\s\S]*Job success\n$/);

  await server.stop();
});
