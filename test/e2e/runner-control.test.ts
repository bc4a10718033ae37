// Admins steering remote runners against a real started server (no built-in runner):
// `slipway runners pause|resume|drain|rm` and the list, seen through the HTTP client a
// runner uses and through real `slipway runner` processes (a drained one exits 0 saying
// why; a removed one is refused at its next call and exits 1 saying why).
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { freePort, git, startHarness, waitFor, workingCopy, type Harness } from '../support/harness.ts';
import { gitAuthEnv } from '../../src/git/client.ts';
import { jobLogStream } from '../../src/store/repos/logs.ts';
import { connectHttpRunnerApi } from '../../src/runner/protocol/http-client.ts';
import { mainTs, runCli } from '../support/cli.ts';
import { startRun } from '../../src/scheduler/start-run.ts';
import { parseWorkflow } from '../../src/workflow/parse/parse-workflow.ts';
import { job, wf } from '../../src/scheduler/test-support.ts';
import type { SlipwayError } from '../../src/core/errors.ts';

let h: Harness;
let home: string;
before(async () => {
  home = await mkdtemp(join(tmpdir(), 'slipway-runner-control-'));
  h = await startHarness({ env: { SLIPWAY_RUNNER_ENABLED: 'false' } });
});
after(async () => {
  await h?.stop();
  await rm(home, { recursive: true, force: true });
});

const cli = (...args: string[]) => runCli([...args, '--server', h.slipway.url], { env: { PATH: process.env.PATH, HOME: home, SLIPWAY_TOKEN: h.slipway.adminToken } });

/** Queues a run of one `runs-on: local` job, as a trigger would; returns the job's id. */
async function queueJob(id: string): Promise<string> {
  const file = '.slipway/workflows/ci.yml';
  const { workflow } = parseWorkflow(file, wf(job(id)));
  const { store, events, scheduler } = h.slipway;
  const trigger = { project: 'demo', ref: 'refs/heads/main', sha: 'a'.repeat(40), event: 'push', payload: {} };
  const created = await startRun({ git: { readFile: async () => undefined }, store, events, scheduler, log: () => {} }, trigger, file, workflow!);
  return (await store.runs.jobs(created.id))[0]!.id;
}

/** A registered runner's HTTP client, with what it heard of its state and refusals. */
async function connect(name: string, concurrency = 1) {
  const { token } = await h.slipway.store.runnerCredentials.create(name);
  await h.slipway.store.runners.seen(name, ['local']);
  const heard = { states: [] as string[], refused: [] as SlipwayError[] };
  const api = await connectHttpRunnerApi({
    server: h.slipway.url, credential: token, about: { concurrency, version: '9.9.9-test' },
    onState: (s) => heard.states.push(s), onRefused: (e) => heard.refused.push(e),
  });
  return { api, heard, token };
}

interface Listed { name: string; state: string; concurrency: number | null; version: string | null; jobs: { id: string; project: string }[] }
const listed = async (name: string) => ((await h.api<Listed[]>('/api/runners')).find((r) => r.name === name));

test('pause: claims answer empty while the held job keeps its lease; resume: the next claim takes the job; list shows state, concurrency, version, jobs', async () => {
  const { api, heard } = await connect('steer-1', 3);
  const first = await queueJob('first');
  assert.equal((await api.claim(['local']))?.id, first);
  assert.deepEqual(heard.states, ['active'], 'the hello answers the state');

  const paused = await cli('runners', 'pause', 'steer-1');
  assert.equal(paused.code, 0, paused.stderr);
  assert.match(paused.stdout, /paused runner steer-1/);
  const second = await queueJob('second');
  assert.equal(await api.claim(['local']), undefined, 'a paused runner is given nothing');
  assert.equal(heard.states.at(-1), 'paused');
  assert.equal(await api.heartbeat(first), true, 'what it holds keeps its lease');
  const view = await listed('steer-1');
  assert.deepEqual([view?.state, view?.concurrency, view?.version, view?.jobs.map((j) => [j.id, j.project])], ['paused', 3, '9.9.9-test', [[first, 'demo']]]);
  const table = await cli('runners', 'list');
  assert.match(table.stdout, /steer-1\s+online, paused\s+local\s+.*1\/3\s+9\.9\.9-test\s+demo\/\d+\/first/, table.stdout);

  assert.equal((await cli('runners', 'resume', 'steer-1')).code, 0);
  assert.equal((await api.claim(['local']))?.id, second);
  await api.completeJob(first, 'success', {});
  await api.completeJob(second, 'success', {});
  const audited = (await h.slipway.store.audit.list({ limit: 20 })).filter((e) => e.target === 'steer-1').map((e) => e.action);
  assert.deepEqual(audited.sort(), ['runner.pause', 'runner.resume']);
});

test('only admins steer runners: a project member is refused naming runners.manage; an unknown runner is 404', async () => {
  const { token } = await h.api<{ token: string }>('/api/users', { method: 'POST', body: JSON.stringify({ name: 'mo' }) });
  await h.api('/api/projects/demo/members/mo', { method: 'PUT', body: JSON.stringify({ role: 'maintainer' }) });
  for (const [method, path] of [['POST', '/api/runners/steer-1/pause'], ['POST', '/api/runners/steer-1/drain'], ['POST', '/api/runners/steer-1/resume'], ['DELETE', '/api/runners/steer-1']] as const) {
    const r = await fetch(`${h.slipway.url}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
    assert.equal(r.status, 403, path);
    assert.match(await r.text(), /runners\.manage/, path);
  }
  const unknown = await cli('runners', 'drain', 'nobody');
  assert.notEqual(unknown.code, 0);
  assert.match(unknown.stderr, /no runner nobody/);
  const builtin = await cli('runners', 'rm', 'builtin-somewhere');
  assert.notEqual(builtin.code, 0);
  assert.match(builtin.stderr, /built-in runner, which has no credential to revoke: pause or drain it/);
});

test('rm: the job the runner holds loses its lease and is re-queued; its next call is refused naming why; it leaves the list', async () => {
  const { api, heard } = await connect('doomed');
  const id = await queueJob('doomed-job');
  assert.equal((await api.claim(['local']))?.id, id);
  const removed = await cli('runners', 'rm', 'doomed');
  assert.equal(removed.code, 0, removed.stderr);
  assert.match(removed.stdout, /removed runner doomed: its credential is revoked, 1 job\(s\) it ran re-queued/);
  const row = (await h.slipway.store.runs.job(id))!;
  assert.deepEqual([row.status, row.attempt, row.runner], ['queued', 2, null]);
  await assert.rejects(api.heartbeat(id), /401 .*runner credential of runner doomed was revoked .*register it again/);
  assert.equal(heard.refused.length, 1);
  assert.equal(await listed('doomed'), undefined);
  const audit = (await h.slipway.store.audit.list({ limit: 20 })).find((e) => e.action === 'runner.remove' && e.target === 'doomed');
  assert.deepEqual(audit?.detail, { credentialsRevoked: 1, jobsRequeued: 1 });
  // Take it out of the queue for the tests after this one.
  await h.slipway.scheduler.cancelRun(row.run_id);
});

/** A registered `slipway runner` process (real CLI), with its output; `servers` are its --server flags (default: the one server). */
async function runnerProcess(name: string, o: { labels?: string; servers?: string[] } = {}) {
  const made = await cli('runners', 'token', 'create', '--json');
  const { token } = JSON.parse(made.stdout) as { token: string };
  const dir = join(home, name);
  const servers = (o.servers ?? [h.slipway.url]).flatMap((s) => ['--server', s]);
  const reg = await runCli(['runner', 'register', ...servers, '--token', token, '--name', name, '--labels', o.labels ?? 'nothing-queued', '--concurrency', '2', '--data', dir], { env: { PATH: process.env.PATH, HOME: home } });
  assert.equal(reg.code, 0, reg.stderr);
  const child = spawn(process.execPath, [mainTs, 'runner', '--data', dir], { env: { PATH: process.env.PATH, HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out.stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (out.stderr += d));
  await waitFor(`${name} to connect`, async () => ((await listed(name))?.version ? true : undefined), 20_000);
  return { child, out, exited: once(child, 'exit') as Promise<[number | null, string | null]> };
}

test('a drained runner process exits 0 once idle and says why; a removed one exits 1 naming why', { timeout: 90_000 }, async () => {
  // Its first server is gone (a closed port): registering and connecting go on to the next.
  const dead = `http://127.0.0.1:${await freePort()}`;
  const drained = await runnerProcess('drain-me', { servers: [dead, h.slipway.url] });
  assert.equal((await listed('drain-me'))?.concurrency, 2, 'register stored --concurrency');
  assert.equal((await cli('runners', 'drain', 'drain-me')).code, 0);
  const [code] = await drained.exited;
  assert.equal(code, 0, drained.out.stderr);
  assert.match(drained.out.stdout, /runner drain-me drained: its jobs are finished, exiting/);

  const removed = await runnerProcess('remove-me');
  assert.equal((await cli('runners', 'rm', 'remove-me')).code, 0);
  const [rmCode] = await removed.exited;
  assert.equal(rmCode, 1);
  assert.match(removed.out.stderr, /runner remove-me stops: the server refused its credential \(.*was revoked at .*\); an admin removed it/);
});

test('rm of a draining runner process under a running job: the job is re-queued at once, the process kills it, exits 1 and leaves nothing', { timeout: 240_000 }, async () => {
  const exec = promisify(execFile);
  const removed = await runnerProcess('busy', { labels: 'busy-label' });
  const work = await workingCopy('slipway-runner-control-wc-', { '.slipway/workflows/ci.yml': 'on: push\njobs:\n  long:\n    runs-on: busy-label\n    steps:\n      - run: echo started; sleep 120; echo finished\n' });
  await git(work, 'add', '-A');
  await git(work, 'commit', '-q', '-m', 'ci');
  await exec('git', ['push', '-q', `${h.slipway.url}/git/busy.git`, 'HEAD:refs/heads/main'], { cwd: work, env: { ...gitAuthEnv(h.slipway.adminToken), HOME: home } });
  await rm(work, { recursive: true, force: true });
  const jobId = await waitFor('the job to start on busy', async () => {
    const project = await h.slipway.store.projects.get('busy');
    const [run] = project ? await h.slipway.store.runs.list({ projectId: project.id, limit: 1 }) : [];
    const job = run ? (await h.slipway.store.runs.jobs(run.id))[0] : undefined;
    if (!job) return undefined;
    assert.ok(job.status === 'queued' || job.status === 'running', `${job.status} ${job.error ?? ''}`);
    const log = (await h.slipway.store.logs.read(jobLogStream(job.id, 1))).map((c) => c.text).join('');
    return log.includes('started') ? job.id : undefined;
  }, 180_000);
  assert.equal((await listed('busy'))?.jobs[0]?.id, jobId);
  // Draining first: it finishes what it runs (it has room for a second job, so it hears of the drain at its next claim) ...
  assert.equal((await cli('runners', 'drain', 'busy')).code, 0);
  await waitFor('busy to hear it drains', async () => (removed.out.stdout.includes('runner busy is draining') ? true : undefined), 20_000);
  assert.equal((await h.slipway.store.runs.job(jobId))!.status, 'running');
  // ... and removed meanwhile, it stops waiting for the job, which went back to the queue.
  const at = Date.now();
  const out = await cli('runners', 'rm', 'busy');
  assert.match(out.stdout, /1 job\(s\) it ran re-queued/);
  const job = (await h.slipway.store.runs.job(jobId))!;
  assert.deepEqual([job.status, job.attempt], ['queued', 2], 'the job went back to the queue at once');
  const [code] = await removed.exited;
  console.log(`rm → runner process exited ${code} after ${((Date.now() - at) / 1000).toFixed(1)} s`);
  assert.equal(code, 1);
  assert.match(removed.out.stderr, /runner busy stops: the server refused its credential/);
  const log = (await h.slipway.store.logs.read(jobLogStream(jobId, 1))).map((c) => c.text).join('');
  assert.match(log, /Attempt 1 interrupted: an admin removed its runner \(slipway runners rm\); the job runs again as attempt 2/);
  assert.doesNotMatch(log, /^finished$/m);
  const left = await exec('podman', ['ps', '-a', '--filter', `label=slipway.job=${jobId}`, '--format', '{{.Names}}']);
  assert.equal(left.stdout.trim(), '', 'the killed job left no container');
  await h.slipway.scheduler.cancelRun(job.run_id);
});
