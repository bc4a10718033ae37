// Two `slipway up` processes, one installation (issue 13, "several servers"): one throwaway
// PostgreSQL, one s3rver bucket for the registry, one git directory and one secrets key,
// each server with its own data dir. A push to server A runs on A's built-in runner; server
// B, started while that job runs, leaves it alone and follows it live (its API, /api/events,
// the job's log stream, `slipway logs -f`); A is killed with SIGKILL mid-job, the job is
// re-queued when its lease runs out and runs to the end on B as attempt 2, its log whole.
// An image pushed to A is pulled from B.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { startPostgres, type TestPostgres } from '../../src/store/test-postgres.ts';
import { busyboxImage, ensureBusyboxImage } from '../../src/build/base-image.ts';
import { containerToolEnv } from '../../src/core/tool-env.ts';
import { registryS3Env, startTestS3, type TestS3 } from '../support/s3rver.ts';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { git, removeDir, removeJobContainers, waitFor } from '../support/harness.ts';
import { runCli, type ProcessResult } from '../support/cli.ts';
import type { RunView } from '../support/api-views.ts';

const exec = promisify(execFile);

// A first step that outlasts server B's start (its end on A is an event B must hear), then
// ticks a second apart: long enough to kill A mid-way, short enough for attempt 2.
const ticks = 15;
const workflow = `on: push
jobs:
  slow:
    runs-on: self-hosted
    steps:
      - run: echo warming; sleep 10
      - run: for i in $(seq 1 ${ticks}); do echo "tick-$i"; sleep 1; done; echo finished-line
`;

void describe('two servers on one PostgreSQL, one bucket and one git directory', () => {
  let pg: TestPostgres;
  let s3: TestS3;
  let shared: string;
  let work: string;
  let env: NodeJS.ProcessEnv;
  let a: ServerProcess;
  let b: ServerProcess;
  let run: RunView;
  const jobs: { id: string }[] = [];

  before(async () => {
    pg = await startPostgres();
    s3 = await startTestS3('slipway-replicas');
    shared = await mkdtemp(join(tmpdir(), 'slipway-replicas-'));
    work = join(shared, 'work');
    await mkdir(join(work, '.slipway/workflows'), { recursive: true });
    await writeFile(join(work, '.slipway/workflows/ci.yml'), workflow);
    await git(work, 'init', '-q', '-b', 'main');
    await git(work, 'add', '-A');
    await git(work, '-c', 'user.name=T', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'slow');
    env = {
      SLIPWAY_DATABASE_URL: await pg.database(),
      SLIPWAY_GIT_ROOT: join(shared, 'git'),
      SLIPWAY_SECRETS_KEY_FILE: join(shared, 'secrets.key'),
      SLIPWAY_LEASE_SECONDS: '5',
      ...registryS3Env(s3),
    };
    a = await startServerProcess({ dataDir: join(shared, 'a'), env });
  });
  after(async () => {
    await a?.kill();
    await b?.stop();
    await removeJobContainers(jobs).catch((err: Error) => console.error(`removing job containers: ${err.message}`));
    await s3?.close();
    await pg?.stop();
    await removeDir(shared);
  });

  const runOn = (server: ServerProcess) => server.json<RunView>(`/api/runs/${run.id}`);

  it('a push to A runs on A; B starts meanwhile and leaves the job alone', async () => {
    await a.push(work, 'app');
    run = await waitFor('the push to start a run', async () => (await a.json<RunView[]>('/api/runs?project=app'))[0]);
    jobs.push(...run.jobs);
    await waitFor('the job to start on A', async () => ((await (await a.get(`/api/runs/${run.id}/logs`)).text()).includes('warming') ? true : undefined), 180_000);
    b = await startServerProcess({ dataDir: join(shared, 'b'), env });
    assert.match(b.output(), /other servers on this database: .*start-up recovery leaves their work alone/);
    const seen = await runOn(b);
    assert.deepEqual(seen.jobs.map((j) => [j.status, j.attempt, j.interruptedAttempts.length]), [['running', 1, 0]], 'B did not take A\'s live job for a crash');
  });

  let follower: Promise<ProcessResult>;
  it('B follows the job A runs: its log stream and /api/events carry what happens on A', async () => {
    const events = await fetch(`${b.url}/api/events`, { headers: { authorization: `Bearer ${b.token}` } });
    assert.equal((await runOn(b)).jobs[0]!.steps.find((st) => st.number === 2)?.status ?? 'pending', 'pending', 'B listens before A moves to step 2');
    const log = await fetch(`${b.url}/api/runs/${run.id}/logs?follow&attempt=1`, { headers: { authorization: `Bearer ${b.token}` } });
    follower = runCli(['logs', run.id, '-f'], { env: { PATH: process.env.PATH, HOME: shared, SLIPWAY_URL: b.url, SLIPWAY_TOKEN: b.token, NO_COLOR: '1' } });
    const read = async (res: Response, until: RegExp) => {
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      let text = '';
      while (!until.test(text)) {
        const { value, done } = await reader.read();
        if (done) break;
        text += value;
      }
      await reader.cancel();
      return text;
    };
    // A's job moving to its second step, and ticks written after B's streams opened, come
    // live from A through PostgreSQL.
    const changes = await read(events, new RegExp(run.jobs[0]!.id));
    assert.match(changes, /"type":"job-updated"/);
    const streamed = await read(log, /tick-3\\n/); // JSON: the newline is escaped
    assert.match(streamed, /event: log\n/);
  });

  it('A killed mid-job: the job runs again on B as attempt 2 and the run succeeds, its log whole', async () => {
    const beforeKill = await runOn(b);
    assert.equal(beforeKill.jobs[0]!.status, 'running', 'still running on A when it is killed');
    await a.kill('SIGKILL');
    const killedAt = Date.now();
    await waitFor('attempt 2 to start on B', async () => ((await runOn(b)).jobs[0]!.attempt === 2 ? true : undefined), 60_000);
    console.log(`# attempt 2 queued ${Date.now() - killedAt} ms after server A was killed (leaseSeconds 5)`);
    const done = await waitFor('the run to finish on B', async () => {
      const r = await runOn(b);
      return r.status === 'success' || r.status === 'failure' ? r : undefined;
    }, 120_000);
    const [job] = done.jobs;
    assert.equal(done.status, 'success', (await (await b.get(`/api/runs/${run.id}/logs`)).text()) + b.output());
    assert.equal(job!.attempt, 2);
    assert.deepEqual(job!.interruptedAttempts.map((x) => [x.attempt, x.reason]), [[1, 'interrupted: its runner stopped reporting (the lease expired)']]);
    const second = await (await b.get(`/api/runs/${run.id}/jobs/${job!.id}/logs`)).text();
    for (let i = 1; i <= ticks; i++) assert.equal(second.split(`tick-${i}\n`).length - 1, 1, `tick-${i} once in attempt 2:\n${second}`);
    assert.match(second, /finished-line/);
    const first = await (await b.get(`/api/runs/${run.id}/jobs/${job!.id}/logs?attempt=1`)).text();
    assert.match(first, /tick-1\n/);
    assert.match(first, /Attempt 1 interrupted: its runner stopped reporting \(the lease expired\); the job runs again as attempt 2\./);
    // `slipway logs -f` on B followed attempt 1 as A ran it, until that attempt ended.
    const followed = await follower;
    assert.match(followed.stdout, /tick-1\n/, followed.stderr);
    const printed = await runCli(['logs', run.id], { env: { PATH: process.env.PATH, HOME: shared, SLIPWAY_URL: b.url, SLIPWAY_TOKEN: b.token, NO_COLOR: '1' } });
    assert.equal(printed.code, 0, printed.stderr);
    assert.match(printed.stdout, /finished-line/);
  });

  it('an image pushed to A (restarted) is pulled from B', async () => {
    a = await startServerProcess({ dataDir: join(shared, 'a'), env, port: a.port });
    await ensureBusyboxImage();
    const tool = (args: string[]) => exec('skopeo', args, { env: containerToolEnv(), timeout: 180_000, maxBuffer: 16 << 20 }).then((r) => r.stdout);
    await tool(['copy', '--dest-tls-verify=false', '--dest-creds', `x:${a.token}`, `containers-storage:${busyboxImage}`, `docker://${new URL(a.url).host}/app/busybox:v1`]);
    const out = join(shared, 'pulled');
    await tool(['copy', '--src-tls-verify=false', '--src-creds', `x:${b.token}`, `docker://${new URL(b.url).host}/app/busybox:v1`, `oci:${out}:v1`]);
    const index = JSON.parse(await readFile(join(out, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    assert.equal(index.manifests.length, 1);
    // Neither server's periodic work across servers went wrong along the way.
    for (const s of [a, b]) assert.doesNotMatch(s.output(), /sweep of other servers|events: relaying|events: NOTIFY|lease sweep:/, s.output());
  });
});
