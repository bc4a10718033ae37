// Issue 13's runner end to end: three `slipway runner` processes with different labels take
// a matrix workflow's legs, each leg on a runner offering its label. kill -9 of one mid-job
// re-queues its leg, within 30 s, to another runner that has the label (one of two jobs it
// runs at once); then the server (`slipway up`, a process of its own) is killed -9 while
// jobs run and started again on the same data dir and port: the runners reconnect and every
// leg finishes with a complete, undoubled log. Everything is read as a user would, over the API.
import assert from 'node:assert/strict';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { git, removeDir, waitFor, workingCopy } from '../support/harness.ts';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import type { RunView } from '../support/api-views.ts';
import { mainTs, runCli } from '../support/cli.ts';

const exec = promisify(execFile);
const ticks = 45;
// Short enough that kill -9 of a runner re-queues its job well within 30 s (the sweep runs
// every half lease), long enough that the server's own restart does not look like dead runners.
const leaseSeconds = 12;
let server: ServerProcess;
let home: string;
let dataDir: string;
const children = new Map<string, ChildProcess>();

const env = () => ({ PATH: process.env.PATH, HOME: home });
const serverEnv = { SLIPWAY_RUNNER_ENABLED: 'false', SLIPWAY_LEASE_SECONDS: String(leaseSeconds) };

async function startRunner(name: string, labels: string, extra: string[] = []): Promise<ChildProcess> {
  const created = await runCli(['runners', 'token', 'create', '--json', '--server', server.url], { env: { ...env(), SLIPWAY_TOKEN: server.token } });
  assert.equal(created.code, 0, created.stderr);
  const dir = join(home, name);
  const { token } = JSON.parse(created.stdout) as { token: string };
  const r = await runCli(['runner', 'register', '--server', server.url, '--token', token, '--name', name, '--labels', labels, '--data', dir, ...extra], { env: env() });
  assert.equal(r.code, 0, r.stderr);
  const child = spawn(process.execPath, [mainTs, 'runner', '--data', dir, '--heartbeat-seconds', '1'], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
  for (const s of [child.stdout!, child.stderr!]) s.setEncoding('utf8').on('data', (d: string) => process.stderr.write(`[${name}] ${d}`));
  children.set(name, child);
  return child;
}

const workflow = `name: matrix
on: push
jobs:
  leg:
    strategy:
      matrix:
        leg: [leg-a, leg-b, leg-c]
    runs-on: \${{ matrix.leg }}
    steps:
      - run: |
          echo "start-\${{ matrix.leg }} on-$RUNNER_NAME"
          i=1
          while [ $i -le ${ticks} ]; do echo "tick-$i"; i=$((i+1)); sleep 1; done
          echo "end-\${{ matrix.leg }}"
`;

type Leg = 'a' | 'b' | 'c';
type JobView = RunView['jobs'][number];

const logOf = async (runId: string, jobId: string, attempt: number) => (await server.get(`/api/runs/${runId}/jobs/${jobId}/logs?attempt=${attempt}`)).text();
const count = (log: string, line: string) => log.split('\n').filter((l) => l === line).length;

/** Every line the leg's step prints, each exactly once, on `runner`. */
function assertComplete(log: string, leg: string, runner: string, what: string): void {
  const lines = [`start-${leg} on-${runner}`, ...Array.from({ length: ticks }, (_, i) => `tick-${i + 1}`), `end-${leg}`];
  assert.deepEqual(lines.map((l) => count(log, l)), lines.map(() => 1), `${what}: ${log}`);
  assert.doesNotMatch(log, /heartbeat failed/, `${what}: its heartbeats rode out the server's absence`);
}

before(async () => {
  home = await mkdtemp(join(tmpdir(), 'slipway-runners-matrix-'));
  dataDir = await mkdtemp(join(tmpdir(), 'slipway-runners-matrix-data-'));
  server = await startServerProcess({ dataDir, env: serverEnv });
});

after(async () => {
  for (const c of children.values()) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await server?.kill();
  await rm(home, { recursive: true, force: true });
  await removeDir(dataDir);
});

test('three labelled runners take a matrix; kill -9 of one re-queues its leg to another with the label; kill -9 of the server under running jobs loses nothing', { timeout: 280_000 }, async () => {
  await startRunner('r-a', 'leg-a');
  await startRunner('r-b', 'leg-b');
  const work = await workingCopy('slipway-runners-matrix-wc-', { '.slipway/workflows/ci.yml': workflow });
  await git(work, 'add', '-A');
  await git(work, 'commit', '-q', '-m', 'matrix');
  await server.push(work, 'matrix');
  await rm(work, { recursive: true, force: true });
  const runId = await waitFor('the run of the push', async () => (await server.json<RunView[]>('/api/runs?project=matrix'))[0]?.id, 30_000);
  const legs = async () => {
    const { jobs } = await server.json<RunView>(`/api/runs/${runId}`);
    const of = (leg: Leg) => jobs.find((j) => j.matrix?.leg === `leg-${leg}`);
    return { a: of('a'), b: of('b'), c: of('c') } as Record<Leg, JobView | undefined>;
  };
  /** The leg once its attempt's log says it started on `runner`. */
  const started = (leg: Leg, attempt: number, runner: string) => async () => {
    const job = (await legs())[leg];
    if (!job || job.attempt !== attempt) return undefined;
    assert.ok(job.status === 'queued' || job.status === 'running', `leg ${leg}: ${job.status} ${job.error ?? ''}`);
    const log = await logOf(runId, job.id, attempt);
    const on = /^start-leg-\w on-(\S+)$/m.exec(log)?.[1];
    if (on === undefined) return undefined;
    assert.equal(on, runner, `leg ${leg} attempt ${attempt} ran on ${on}`);
    return job;
  };
  const a1 = await waitFor('leg a to start on r-a', started('a', 1, 'r-a'), 180_000);
  await waitFor('leg b to start on r-b', started('b', 1, 'r-b'), 60_000);
  // The third runner offers leg-c and leg-a, two jobs at once: it takes leg c now, and leg a once r-a dies.
  await startRunner('r-c', 'leg-c,leg-a', ['--concurrency', '2']);
  const c = await waitFor('leg c to start on r-c', started('c', 1, 'r-c'), 60_000);

  const killedAt = Date.now();
  children.get('r-a')!.kill('SIGKILL');
  const a2 = await waitFor('leg a to be re-queued and start on r-c', started('a', 2, 'r-c'), 60_000);
  const requeue = (Date.now() - killedAt) / 1000;
  console.log(`kill -9 of r-a → leg a started again on r-c: ${requeue.toFixed(1)} s (lease ${leaseSeconds} s; load ${(await exec('cat', ['/proc/loadavg'])).stdout.trim()})`);
  assert.ok(requeue <= 30, `${requeue} s`);
  assert.equal(a2.id, a1.id);
  const listed = await server.json<{ name: string; concurrency: number; jobs: { id: string }[] }[]>('/api/runners');
  const rc = listed.find((r) => r.name === 'r-c')!;
  assert.deepEqual([rc.concurrency, rc.jobs.map((j) => j.id).sort()], [2, [a2.id, c.id].sort()], 'r-c runs two jobs at once, each with its own lease');

  // The server dies (kill -9) while b, c and a's second attempt run, and comes back on the same port and data dir.
  const running = await legs();
  assert.deepEqual([running.a?.status, running.b?.status, running.c?.status], ['running', 'running', 'running'], 'the kill comes under running jobs');
  const downAt = Date.now();
  await server.kill('SIGKILL');
  server = await startServerProcess({ dataDir, port: server.port, env: serverEnv });
  console.log(`server killed -9 under three running jobs and up again in ${((Date.now() - downAt) / 1000).toFixed(1)} s`);

  const done = await waitFor('the run to finish', async () => {
    const run = await server.json<RunView>(`/api/runs/${runId}`);
    return run.status !== 'queued' && run.status !== 'running' ? run : undefined;
  }, 120_000);
  const end = await legs();
  assert.equal(done.status, 'success', JSON.stringify(done.jobs.map((j) => [j.name, j.status, j.error])));
  assert.deepEqual([end.a?.attempt, end.b?.attempt, end.c?.attempt], [2, 1, 1], 'only the leg whose runner was killed ran twice');
  assertComplete(await logOf(runId, a1.id, 2), 'leg-a', 'r-c', 'leg a, attempt 2 (re-queued)');
  assertComplete(await logOf(runId, end.b!.id, 1), 'leg-b', 'r-b', 'leg b (across the server kill)');
  assertComplete(await logOf(runId, end.c!.id, 1), 'leg-c', 'r-c', 'leg c (across the server kill)');
  const killed = await logOf(runId, a1.id, 1);
  assert.equal(count(killed, 'start-leg-a on-r-a'), 1, killed);
  assert.equal(count(killed, 'end-leg-a'), 0, 'the killed attempt never finished');
  for (const name of ['r-b', 'r-c']) assert.equal(children.get(name)!.exitCode, null, `${name} survived the server's death`);
  const left = await exec('podman', ['ps', '-a', '--filter', `label=slipway.job=${a1.id}`, '--format', '{{.Names}}']);
  assert.equal(left.stdout.trim(), '', 'nothing of either attempt of leg a is left');
});
