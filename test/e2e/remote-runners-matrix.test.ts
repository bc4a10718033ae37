// Issue 13's runner end to end: three `slipway runner` processes with different labels take
// a matrix workflow's legs, each leg on a runner offering its label. kill -9 of one mid-job
// re-queues its leg, within 30 s, to another runner that has the label (one of two jobs it
// runs at once); then the server restarts (stopped and started on the same data dir and
// port) while jobs run: the runners reconnect and every leg finishes with a complete,
// undoubled log.
import assert from 'node:assert/strict';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { git, startHarness, waitFor, workingCopy, type Harness } from '../support/harness.ts';
import { gitAuthEnv } from '../../src/git/client.ts';
import { mainTs, runCli } from '../support/cli.ts';
import { jobLogStream } from '../../src/store/repos/logs.ts';
import type { Job } from '../../src/store/repos/runs.ts';

const exec = promisify(execFile);
const ticks = 25;
let h: Harness;
let home: string;
const children = new Map<string, ChildProcess>();

const env = () => ({ PATH: process.env.PATH, HOME: home });

async function startRunner(name: string, labels: string, extra: string[] = []): Promise<ChildProcess> {
  const created = await runCli(['runners', 'token', 'create', '--json', '--server', h.slipway.url], { env: { ...env(), SLIPWAY_TOKEN: h.slipway.adminToken } });
  assert.equal(created.code, 0, created.stderr);
  const dir = join(home, name);
  const { token } = JSON.parse(created.stdout) as { token: string };
  const r = await runCli(['runner', 'register', '--server', h.slipway.url, '--token', token, '--name', name, '--labels', labels, '--data', dir, ...extra], { env: env() });
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
          echo "start-\${{ matrix.leg }}"
          i=1
          while [ $i -le ${ticks} ]; do echo "tick-$i"; i=$((i+1)); sleep 1; done
          echo "end-\${{ matrix.leg }}"
`;

const logOf = async (jobId: string, attempt: number) => (await h.slipway.store.logs.read(jobLogStream(jobId, attempt))).map((c) => c.text).join('');
const count = (log: string, line: string) => log.split('\n').filter((l) => l === line).length;

/** Every line the leg's step prints, each exactly once. */
function assertComplete(log: string, leg: string, what: string): void {
  const lines = [`start-${leg}`, ...Array.from({ length: ticks }, (_, i) => `tick-${i + 1}`), `end-${leg}`];
  assert.deepEqual(lines.map((l) => count(log, l)), lines.map(() => 1), `${what}: ${log}`);
}

before(async () => {
  home = await mkdtemp(join(tmpdir(), 'slipway-runners-matrix-'));
  h = await startHarness({ env: { SLIPWAY_RUNNER_ENABLED: 'false', SLIPWAY_LEASE_SECONDS: '5' } });
});

after(async () => {
  for (const c of children.values()) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await h?.stop();
  await rm(home, { recursive: true, force: true });
});

test('three labelled runners take a matrix; kill -9 of one re-queues its leg to another with the label; a server restart under running jobs loses nothing', { timeout: 280_000 }, async () => {
  await startRunner('r-a', 'leg-a');
  await startRunner('r-b', 'leg-b');
  const work = await workingCopy('slipway-runners-matrix-wc-', { '.slipway/workflows/ci.yml': workflow });
  await git(work, 'add', '-A');
  await git(work, 'commit', '-q', '-m', 'matrix');
  await exec('git', ['push', '-q', `${h.slipway.url}/git/matrix.git`, 'HEAD:refs/heads/main'], { cwd: work, env: { ...gitAuthEnv(h.slipway.adminToken), HOME: home } });
  await rm(work, { recursive: true, force: true });
  const runId = await waitFor('the run of the push', async () => {
    const project = await h.slipway.store.projects.get('matrix');
    return project ? (await h.slipway.store.runs.list({ projectId: project.id, limit: 1 }))[0]?.id : undefined;
  }, 30_000);
  const legs = async () => {
    const jobs = await h.slipway.store.runs.jobs(runId);
    const of = (leg: string) => jobs.find((j) => j.name.includes(leg));
    return { a: of('leg-a'), b: of('leg-b'), c: of('leg-c') } as Record<'a' | 'b' | 'c', Job | undefined>;
  };
  const started = (leg: 'a' | 'b' | 'c', attempt: number) => async () => {
    const job = (await legs())[leg];
    if (!job || job.attempt !== attempt) return undefined;
    assert.ok(job.status === 'queued' || job.status === 'running', `leg ${leg}: ${job.status} ${job.error ?? ''}`);
    return (await logOf(job.id, attempt)).includes(`start-leg-${leg}`) ? job : undefined;
  };
  const a1 = await waitFor('leg a to start on r-a', started('a', 1), 180_000);
  const b = await waitFor('leg b to start on r-b', started('b', 1), 60_000);
  assert.deepEqual([a1.runner, b.runner], ['r-a', 'r-b']);
  // The third runner offers leg-c and leg-a, two jobs at once: it takes leg c now, and leg a once r-a dies.
  await startRunner('r-c', 'leg-c,leg-a', ['--concurrency', '2']);
  const c = await waitFor('leg c to start on r-c', started('c', 1), 60_000);
  assert.equal(c.runner, 'r-c');

  const killedAt = Date.now();
  children.get('r-a')!.kill('SIGKILL');
  const a2 = await waitFor('leg a to be re-queued and start on r-c', started('a', 2), 60_000);
  const figure = (Date.now() - killedAt) / 1000;
  console.log(`kill -9 of r-a → leg a started again on ${a2.runner}: ${figure.toFixed(1)} s (lease 5 s)`);
  assert.ok(figure <= 30, `${figure} s`);
  assert.equal(a2.runner, 'r-c');
  const listed = await h.api<{ name: string; concurrency: number; jobs: { id: string }[] }[]>('/api/runners');
  const rc = listed.find((r) => r.name === 'r-c')!;
  assert.deepEqual([rc.concurrency, rc.jobs.map((j) => j.id).sort()], [2, [a2.id, c.id].sort()], 'r-c runs two jobs at once, each with its own lease');

  // The server goes away and comes back on the same port and data dir while b, c and a's second attempt run.
  const running = (await legs());
  assert.deepEqual([running.a?.status, running.b?.status, running.c?.status], ['running', 'running', 'running'], 'the restart comes under running jobs');
  await h.restart();
  console.log('server restarted under three running jobs');

  const done = await waitFor('the run to finish', async () => {
    const run = await h.slipway.store.runs.require(runId);
    return run.status !== 'queued' && run.status !== 'running' ? run : undefined;
  }, 120_000);
  const end = await legs();
  assert.equal(done.status, 'success', JSON.stringify(Object.values(end).map((j) => [j?.name, j?.status, j?.error])));
  assert.deepEqual([end.a?.runner, end.a?.attempt, end.b?.runner, end.b?.attempt, end.c?.runner, end.c?.attempt], ['r-c', 2, 'r-b', 1, 'r-c', 1], 'each leg finished on a runner offering its label');
  assertComplete(await logOf(end.a!.id, 2), 'leg-a', 'leg a, attempt 2 (re-queued)');
  assertComplete(await logOf(end.b!.id, 1), 'leg-b', 'leg b (across the restart)');
  assertComplete(await logOf(end.c!.id, 1), 'leg-c', 'leg c (across the restart)');
  const killed = await logOf(end.a!.id, 1);
  assert.equal(count(killed, 'start-leg-a'), 1, killed);
  assert.equal(count(killed, 'end-leg-a'), 0, 'the killed attempt never finished');
  for (const name of ['r-b', 'r-c']) assert.equal(children.get(name)!.exitCode, null, `${name} survived the restart`);
  const left = await exec('podman', ['ps', '-a', '--filter', `label=slipway.job=${end.a!.id}`, '--format', '{{.Names}}']);
  assert.equal(left.stdout.trim(), '', 'nothing of either attempt of leg a is left');
});
