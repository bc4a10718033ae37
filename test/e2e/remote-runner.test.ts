// Remote runners end to end: an admin makes a registration token (`slipway runners token
// create`), `slipway runner register` stores a runner credential (0600), and `slipway runner`
// processes take jobs of their own label over HTTP from a server whose built-in runner is
// off. kill -9 of one mid-job re-queues the job within the lease; a second runner finishes
// it as attempt 2, each attempt with its own log.
import assert from 'node:assert/strict';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, stat, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { git, startHarness, waitFor, workingCopy, type Harness } from '../support/harness.ts';
import { gitAuthEnv } from '../../src/git/client.ts';
import { mainTs, runCli } from '../support/cli.ts';
import { jobLogStream } from '../../src/store/repos/logs.ts';

const exec = promisify(execFile);
let h: Harness;
let home: string;
const children: ChildProcess[] = [];

const env = () => ({ PATH: process.env.PATH, HOME: home, SLIPWAY_TOKEN: h.slipway.adminToken });
const cli = (...args: string[]) => runCli(args, { env: env() });

async function register(name: string, labels: string): Promise<string> {
  const created = await cli('runners', 'token', 'create', '--json', '--server', h.slipway.url);
  assert.equal(created.code, 0, created.stderr);
  const { token } = JSON.parse(created.stdout) as { token: string };
  const dir = join(home, name);
  const r = await runCli(['runner', 'register', '--server', h.slipway.url, '--token', token, '--name', name, '--labels', labels, '--data', dir], { env: { PATH: process.env.PATH, HOME: home } });
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await stat(join(dir, 'runner.json'))).mode & 0o777, 0o600, 'the credential file is private');
  assert.match(await readFile(join(dir, 'runner.json'), 'utf8'), /"credential": "slpr_/);
  return dir;
}

function startRunner(dir: string): ChildProcess {
  const child = spawn(process.execPath, [mainTs, 'runner', '--data', dir, '--heartbeat-seconds', '1'], { env: { PATH: process.env.PATH, HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => process.stderr.write(`[runner] ${d}`));
  child.stdout!.setEncoding('utf8').on('data', (d: string) => process.stderr.write(`[runner] ${d}`));
  children.push(child);
  return child;
}

/** Pushes a repository holding `yaml` as its workflow; returns the id of the one job of the run it starts. */
async function push(yaml: string): Promise<string> {
  const work = await workingCopy('slipway-remote-runner-wc-', { '.slipway/workflows/ci.yml': yaml });
  await git(work, 'add', '-A');
  await git(work, 'commit', '-q', '-m', 'ci');
  await exec('git', ['push', '-q', `${h.slipway.url}/git/remote.git`, 'HEAD:refs/heads/main'], { cwd: work, env: { ...gitAuthEnv(h.slipway.adminToken), HOME: home } });
  await rm(work, { recursive: true, force: true });
  return waitFor('the run of the push', async () => {
    const project = await h.slipway.store.projects.get('remote');
    const [run] = project ? await h.slipway.store.runs.list({ projectId: project.id, limit: 1 }) : [];
    return run ? (await h.slipway.store.runs.jobs(run.id))[0]?.id : undefined;
  }, 30_000);
}

const logOf = async (jobId: string, attempt: number) => (await h.slipway.store.logs.read(jobLogStream(jobId, attempt))).map((c) => c.text).join('');

before(async () => {
  home = await mkdtemp(join(tmpdir(), 'slipway-remote-runner-'));
  h = await startHarness({ env: { SLIPWAY_RUNNER_ENABLED: 'false', SLIPWAY_LEASE_SECONDS: '5' } });
});

after(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await h?.stop();
  await rm(home, { recursive: true, force: true });
});

test('a remote runner with its own label takes a job; kill -9 of it re-queues the job within the lease, and another runner finishes it', { timeout: 300_000 }, async () => {
  const killed = startRunner(await register('remote-1', 'remote'));
  const jobId = await push('name: ci\non: push\njobs:\n  slow:\n    runs-on: remote\n    steps:\n      - run: echo started; sleep 4; echo finished\n');
  await waitFor('the step to start on remote-1', async () => {
    // The output line itself, not the step's `Run echo started; …` header (which comes first).
    if ((await logOf(jobId, 1)).split('\n').includes('started')) return true;
    const job = (await h.slipway.store.runs.job(jobId))!;
    assert.ok(job.status === 'queued' || job.status === 'running', `job ${job.status}: ${job.error ?? ''} ${await logOf(jobId, 1)}`);
    return undefined;
  }, 240_000);
  assert.equal((await h.slipway.store.runs.job(jobId))!.runner, 'remote-1');
  const killedAt = Date.now();
  killed.kill('SIGKILL');
  const requeued = await waitFor('the job to be re-queued', async () => {
    const job = await h.slipway.store.runs.job(jobId);
    return job && job.attempt === 2 ? job : undefined;
  }, 30_000);
  const figure = (Date.now() - killedAt) / 1000;
  console.log(`kill -9 → re-queued as attempt 2: ${figure.toFixed(1)} s (lease 5 s)`);
  assert.ok(figure <= 30, `${figure} s`);
  assert.equal(requeued.status, 'queued');

  // The killed runner's job container and network outlive it, named by the job: attempt 2 on
  // this same host takes the network over (engine-cli.ts createJobNetwork) and with it that container.
  startRunner(await register('remote-2', 'remote'));
  const done = await waitFor('attempt 2 to finish', async () => {
    const job = await h.slipway.store.runs.job(jobId);
    return job && job.status !== 'queued' && job.status !== 'running' ? job : undefined;
  }, 120_000);
  const second = await logOf(jobId, 2);
  assert.deepEqual([done.status, done.runner, done.attempt], ['success', 'remote-2', 2], second);
  const lines = (log: string, line: string) => log.split('\n').filter((l) => l === line).length;
  assert.deepEqual([lines(second, 'started'), lines(second, 'finished')], [1, 1], second);
  const left = await exec('podman', ['ps', '-a', '--filter', `label=slipway.job=${jobId}`, '--format', '{{.Names}}']);
  assert.equal(left.stdout.trim(), '', 'nothing of either attempt is left');
  const first = await logOf(jobId, 1);
  assert.deepEqual([lines(first, 'started'), lines(first, 'finished')], [1, 0], `the killed attempt keeps its own log, undoubled: ${first}`);
});
