// The runner protocol over HTTP against a real started server (no built-in runner): the
// RunnerApi contract suite through the HTTP client, and what only HTTP has — who a runner
// credential reaches, jobs a runner does not hold, log chunks retried across a server
// restart, and how soon a long-polling runner hears of a runnable job.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { existsSync } from 'node:fs';
import { chmod, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { commitAndPush, removeDir, startHarness, waitFor, workingCopy, type Harness } from '../support/harness.ts';
import { connectHttpRunnerApi } from '../../src/runner/protocol/http-client.ts';
import { ActionTreeCache } from '../../src/runner/protocol/http-action-trees.ts';
import { runRunnerApiContract } from '../../src/runner/protocol/runner-api.contract.ts';
import type { RunnerApi } from '../../src/runner/protocol/runner-api.ts';
import { startRun } from '../../src/scheduler/start-run.ts';
import { parseWorkflow } from '../../src/workflow/parse/parse-workflow.ts';
import { job, wf } from '../../src/scheduler/test-support.ts';
import { isSlipwayError } from '../../src/core/errors.ts';
import { jobLogStream } from '../../src/store/repos/logs.ts';
import { runnerWakesOf } from '../../src/server/routes/runner-wakes.ts';

const startServer = () => startHarness({ env: { SLIPWAY_RUNNER_ENABLED: 'false' } });

/** Queues a run of one `runs-on: local` job (`extra`: more of its keys) on the harness's server, as a trigger would; returns the job's id. */
async function queueJob(h: Harness, id: string, project = 'demo', extra = ''): Promise<string> {
  const file = '.slipway/workflows/ci.yml';
  const { workflow } = parseWorkflow(file, wf(job(id, extra)));
  const { store, events, scheduler } = h.slipway;
  const trigger = { project, ref: 'refs/heads/main', sha: 'a'.repeat(40), event: 'push', payload: {} };
  const created = await startRun({ git: { readFile: async () => undefined }, store, events, scheduler, log: () => {} }, trigger, file, workflow!);
  return (await store.runs.jobs(created.id))[0]!.id;
}

async function runnerApi(h: Harness, name: string, options: { backoffMs?: number } = {}): Promise<{ api: RunnerApi; credential: string }> {
  const { token } = await h.slipway.store.runnerCredentials.create(name);
  // The runner's action cache next to the server's data (a runner of its own, on the same disk).
  const actionTrees = new ActionTreeCache(async () => join(h.dataDir, 'runner-actions', name));
  return { api: await connectHttpRunnerApi({ server: h.slipway.url, credential: token, actionTrees, ...options }), credential: token };
}

/** Pushes `files` (`*.sh` executable) to `project` on branch main: the runs of that project may use it as `local/<project>@main`. */
async function hostAction(h: Harness, project: string, files: Record<string, string>): Promise<{ uses: string; sha: string }> {
  const work = await workingCopy('slipway-http-action-', files);
  for (const name of Object.keys(files)) if (name.endsWith('.sh')) await chmod(join(work, name), 0o755);
  const sha = await commitAndPush(work, h, project, 'action', 'main');
  await removeDir(work);
  return { uses: `local/${project}@main`, sha };
}

async function logOf(h: Harness, jobId: string): Promise<string> {
  const row = await h.slipway.store.runs.job(jobId);
  return (await h.slipway.store.logs.read(jobLogStream(jobId, row!.attempt))).map((c) => c.text).join('');
}

runRunnerApiContract('HTTP against a started server', async () => {
  const h = await startServer();
  const { api } = await runnerApi(h, 'contract');
  return {
    api,
    queueJob: (id) => queueJob(h, id),
    async job(jobId) {
      const row = await h.slipway.store.runs.job(jobId);
      return { status: row!.status, outputs: row!.outputs ? (JSON.parse(row!.outputs) as Record<string, string>) : {} };
    },
    log: (jobId) => logOf(h, jobId),
    async cancel(jobId) {
      await h.slipway.scheduler.cancelRun((await h.slipway.store.runs.job(jobId))!.run_id);
    },
    hostAction: (files) => hostAction(h, 'demo', files),
    close: () => h.stop(),
  };
});

describe('runner protocol over HTTP', () => {
  let h: Harness;
  before(async () => {
    h = await startServer();
  });
  after(() => h.stop());

  const call = (path: string, token: string | undefined, init: RequestInit = {}) =>
    fetch(`${h.slipway.url}${path}`, { ...init, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json', ...init.headers } });

  test('a runner credential reaches the runner protocol only; nothing else reaches the runner protocol', async () => {
    const { credential } = await runnerApi(h, 'scoped');
    for (const path of ['/api/projects', '/api/runners', '/v2/_catalog', '/v2/demo/app/tags/list']) {
      const r = await call(path, credential);
      assert.equal(r.status, 403, path);
      assert.match(await r.text(), /runner credential of runner scoped may not .*missing scope; a runner credential reaches the runner protocol/, path);
    }
    const git = await fetch(`${h.slipway.url}/git/demo.git/info/refs?service=git-upload-pack`, { headers: { authorization: `Bearer ${credential}` } });
    assert.equal(git.status, 403, 'no repository fetch with a runner credential');
    const asAdmin = await call('/api/runner/claim', h.slipway.adminToken, { method: 'POST', body: '{"labels":["local"]}' });
    assert.equal(asAdmin.status, 403);
    assert.match(((await asAdmin.json()) as { error: { message: string } }).error.message, /missing scope runner/);
    assert.equal((await call('/api/runner/claim', undefined, { method: 'POST', body: '{"labels":[]}' })).status, 401);
    await h.slipway.store.runnerCredentials.revokeName('scoped');
    const revoked = await call('/api/runner/claim', credential, { method: 'POST', body: '{"labels":[]}' });
    assert.equal(revoked.status, 401);
    assert.match(await revoked.text(), /runner credential of runner scoped was revoked/);
  });

  test('a registration token registers a runner and reaches nothing else; revoked or expired it registers none', async () => {
    const admin = h.slipway.adminToken;
    const made = await call('/api/runners/registration-tokens', admin, { method: 'POST', body: '{"expiresIn":"1h"}' });
    assert.equal(made.status, 201);
    const { id, token } = (await made.json()) as { id: string; token: string };
    assert.match(token, /^slpg_/);
    for (const [path, init] of [['/api/projects', {}], ['/api/runner/claim', { method: 'POST', body: '{"labels":[]}' }]] as const) {
      const r = await call(path, token, init);
      assert.equal(r.status, 403, path);
      assert.match(await r.text(), /registration token .* may not .*: missing scope; a registration token only registers a runner/);
    }
    const bad = await call('/api/runner/register', token, { method: 'POST', body: '{"name":"builtin-x"}' });
    assert.deepEqual([bad.status, ((await bad.json()) as { error: { code: string } }).error.code], [400, 'INVALID_NAME'], 'the built-in runner\'s names are not for remote runners');
    const asAdmin = await call('/api/runner/register', admin, { method: 'POST', body: '{"name":"sneaky"}' });
    assert.equal(asAdmin.status, 403);
    assert.match(await asAdmin.text(), /missing scope register/);
    const registered = await call('/api/runner/register', token, { method: 'POST', body: '{"name":"reg-1","labels":["gpu"]}' });
    assert.equal(registered.status, 201);
    const { credential } = (await registered.json()) as { credential: string };
    assert.equal((await call('/api/runner/claim', credential, { method: 'POST', body: '{"labels":["gpu"]}' })).status, 200);
    // Registering the name again (a re-installed machine) revokes the old credential.
    const again = (await (await call('/api/runner/register', token, { method: 'POST', body: '{"name":"reg-1"}' })).json()) as { credential: string };
    assert.equal((await call('/api/runner/claim', credential, { method: 'POST', body: '{"labels":[]}' })).status, 401);
    assert.equal((await call('/api/runner/claim', again.credential, { method: 'POST', body: '{"labels":[]}' })).status, 200);
    assert.equal((await call(`/api/runners/registration-tokens/${id}`, admin, { method: 'DELETE' })).status, 200);
    const revoked = await call('/api/runner/register', token, { method: 'POST', body: '{"name":"reg-2"}' });
    assert.equal(revoked.status, 401);
    assert.match(await revoked.text(), /registration token .* was revoked/);
    const short = (await (await call('/api/runners/registration-tokens', admin, { method: 'POST', body: '{"expiresIn":"1m"}' })).json()) as { id: string; token: string };
    await h.slipway.store.db.updateTable('runner_registration_tokens').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('id', '=', short.id).execute();
    assert.match(await (await call('/api/runner/register', short.token, { method: 'POST', body: '{"name":"reg-3"}' })).text(), /expired at/);
    const audited = (await h.slipway.store.audit.list({ limit: 50 })).map((e) => e.action);
    for (const action of ['runner.token.create', 'runner.register', 'runner.token.revoke']) assert.ok(audited.includes(action), action);
    assert.equal((await call('/api/runners/reg-1/credential', admin, { method: 'DELETE' })).status, 200);
    assert.equal((await call('/api/runner/claim', again.credential, { method: 'POST', body: '{"labels":[]}' })).status, 401, 'a revoked runner is refused');
  });

  test("a runner cannot act on another runner's job, and a late heartbeat of a lost lease is refused", async () => {
    const a = (await runnerApi(h, 'runner-a')).api;
    const b = (await runnerApi(h, 'runner-b')).api;
    const id = await queueJob(h, 'held');
    assert.equal((await a.claim(['local']))?.id, id);
    await assert.rejects(b.appendLog(id, 1, 'not mine\n'), (err) => isSlipwayError(err, 'LEASE_LOST'));
    await assert.rejects(b.completeJob(id, 'success', {}), (err) => isSlipwayError(err, 'LEASE_LOST'));
    await assert.rejects(b.uploadArtifact(id, 'x', Readable.from(['data'])), (err) => isSlipwayError(err, 'LEASE_LOST'));
    assert.equal(await b.heartbeat(id), false);
    // runner-a's lease runs out: the job is re-queued and runner-b takes it; runner-a's heartbeat comes late.
    await h.slipway.store.runs.setJob(id, { lease_expires_at: new Date(Date.now() - 1000).toISOString() });
    await h.slipway.scheduler.requeueExpired();
    assert.equal((await b.claim(['local']))?.id, id);
    assert.equal(await a.heartbeat(id), false, 'the late heartbeat is refused');
    await assert.rejects(a.appendLog(id, 1, 'late\n'), (err) => isSlipwayError(err, 'LEASE_LOST'));
    // Steps too: the hold is checked in the same statement as the write.
    await assert.rejects(a.startStep(id, 1, 'late'), (err) => isSlipwayError(err, 'LEASE_LOST'));
    await assert.rejects(a.skipStep(id, 2, 'late'), (err) => isSlipwayError(err, 'LEASE_LOST'));
    const step = await b.startStep(id, 1, 'mine');
    await assert.rejects(a.finishStep(step, 'failure', 1), (err) => isSlipwayError(err, 'LEASE_LOST'));
    await assert.rejects(a.completeJob(id, 'failure', {}), (err) => isSlipwayError(err, 'LEASE_LOST'));
    await b.finishStep(step, 'success', 0);
    assert.deepEqual((await h.slipway.store.runs.steps(id, 2)).map((s) => [s.name, s.status]), [['mine', 'success']]);
    assert.equal(await b.heartbeat(id), true);
    await b.completeJob(id, 'success', {});
  });

  test('artifacts and caches travel as streamed bodies', async () => {
    const { api } = await runnerApi(h, 'files');
    const id = await queueJob(h, 'files');
    await api.claim(['local']);
    const big = Buffer.alloc(3 * 1024 * 1024, 'x');
    assert.deepEqual(await api.uploadArtifact(id, 'dist', Readable.from([big])), { size: big.length });
    assert.deepEqual(await api.listArtifacts(id), [{ name: 'dist', size: big.length }]);
    assert.equal((await text((await api.downloadArtifact(id, 'dist'))!)).length, big.length);
    assert.equal(await api.downloadArtifact(id, 'missing'), undefined);
    assert.equal(await api.restoreCache(id, ['deps-']), undefined);
    await api.saveCache(id, 'deps-1 é', Readable.from(['cached']));
    const hit = await api.restoreCache(id, ['deps-']);
    assert.equal(hit?.key, 'deps-1 é');
    assert.equal(await text(hit.archive), 'cached');
    await api.completeJob(id, 'success', {});
  });

  test('a runner downloads only the trees its own job resolved, by SHA', async () => {
    const { api, credential } = await runnerApi(h, 'trees');
    const { uses, sha } = await hostAction(h, 'demo', { 'action.yml': 'name: t\nruns: { using: composite, steps: [] }\n' });
    const id = await queueJob(h, 'trees');
    await api.claim(['local']);
    const before = await call(`/api/runner/jobs/${id}/actions/${sha}`, credential);
    assert.equal(before.status, 404, 'not before the job resolved it');
    assert.match(await before.text(), new RegExp(`job ${id} resolved no action to commit ${sha}`));
    assert.equal((await api.resolveAction(id, uses)).sha, sha);
    const after = await call(`/api/runner/jobs/${id}/actions/${sha}`, credential);
    assert.deepEqual([after.status, after.headers.get('content-type')], [200, 'application/gzip']);
    await after.body?.cancel();
    const other = await queueJob(h, 'trees-other');
    await api.claim(['local']);
    assert.equal((await call(`/api/runner/jobs/${other}/actions/${sha}`, credential)).status, 404, "another job of the runner that did not resolve it gets nothing");
    await api.completeJob(id, 'success', {});
    await api.completeJob(other, 'success', {});
  });

  test('log chunks are retried until acknowledged across a server restart, never doubled', { timeout: 60_000 }, async () => {
    const { api } = await runnerApi(h, 'restart', { backoffMs: 50 });
    const id = await queueJob(h, 'restart');
    await api.claim(['local']);
    await api.appendLog(id, 1, 'before\n');
    await h.stop();
    const during = api.appendLog(id, 2, 'during\n'); // Refused connections: retried.
    await h.restart();
    await during;
    await api.appendLog(id, 2, 'during\n'); // A retry whose first answer was lost.
    await api.appendLog(id, 3, 'after\n');
    assert.equal(await logOf(h, id), 'before\nduring\nafter\n');
    assert.equal(await api.heartbeat(id), true, 'a remote runner keeps its lease across a server restart');
    await api.completeJob(id, 'success', {});
  });

  test("after a server restart, what a remote runner reports is still stored masked, with the job's secrets read from the store; its checkout keeps its token", { timeout: 60_000 }, async () => {
    const projectSecret = 'restart-project-secret-4711';
    const envSecret = 'restart-staging-secret-0815';
    await hostAction(h, 'masked', { 'README.md': 'a repository, so its deploy.yml can be read (none: staging has no gate)\n' });
    const id = await queueJob(h, 'unmasked', 'masked', '    environment: staging\n');
    const put = (path: string, value: string) => h.api(path, { method: 'PUT', body: JSON.stringify({ value }) });
    await put('/api/projects/masked/secrets/RESTART_TOKEN', projectSecret);
    await put('/api/projects/masked/environments/staging/secrets/STAGE_ONLY', envSecret);
    const { api } = await runnerApi(h, 'unmasked', { backoffMs: 50 });
    const claimed = await api.claim(['local']);
    assert.equal(claimed?.id, id, JSON.stringify(await h.slipway.store.runs.job(id)));
    assert.deepEqual([claimed.contexts.secrets.RESTART_TOKEN, claimed.contexts.secrets.STAGE_ONLY], [projectSecret, envSecret]);
    await api.appendLog(id, 1, `before ${projectSecret}\n`);
    const source = await api.source(id);
    await h.restart();
    assert.deepEqual(await api.source(id), source, "the job's checkout still carries its own token");
    // This runner masks nothing (one that forgot to, or lies): whatever is masked below, the server masked alone,
    // in a process that never handed the job out and so knew none of its secrets.
    const b64 = Buffer.from(projectSecret).toString('base64').replace(/=+$/, '');
    await api.appendLog(id, 2, `after ${projectSecret} ${envSecret} ${b64}\n`);
    await api.addAnnotation(id, { level: 'error', message: `m ${projectSecret}`, title: `t ${envSecret}` });
    await api.setStepSummary(id, 1, `# ${envSecret}`);
    await api.completeJob(id, 'failure', { out: projectSecret }, `failed with ${envSecret}`);
    const log = await logOf(h, id);
    assert.match(log, /^before \*\*\*\nafter \*\*\* \*\*\* \*\*\*[A-Za-z0-9+/]?\n$/, log);
    const row = (await h.slipway.store.runs.job(id))!;
    assert.deepEqual([JSON.parse(row.outputs!), row.error], [{ out: '***' }, 'failed with ***']);
    const [annotation] = await h.slipway.store.runOutputs.annotations(row.run_id);
    assert.deepEqual([annotation?.message, annotation?.title], ['m ***', 't ***']);
    const [summary] = await h.slipway.store.runOutputs.summaries(row.run_id);
    assert.equal(summary?.markdown, '# ***');
  });

  test('a claim with waitMs is a long-poll: it answers with the job queued while it waited', { timeout: 30_000 }, async () => {
    const { credential } = await runnerApi(h, 'long-poll');
    const listening = h.slipway.events.listenerCount('jobs-available');
    const claiming = call('/api/runner/claim', credential, { method: 'POST', body: JSON.stringify({ labels: ['local'], waitMs: 20_000 }) });
    while (h.slipway.events.listenerCount('jobs-available') === listening) await new Promise((resolve) => setImmediate(resolve));
    const id = await queueJob(h, 'long-poll');
    const answer = (await (await claiming).json()) as { job: { id: string } | null };
    assert.equal(answer.job?.id, id);
    const { api } = await runnerApi(h, 'long-poll');
    assert.equal(await api.heartbeat(id), true, 'the job is held by the runner that long-polled');
    await api.completeJob(id, 'success', {});
  });

  test('a waiting runner hears of a runnable job within 100 ms (median of 5)', { timeout: 60_000 }, async () => {
    const { api } = await runnerApi(h, 'latency');
    const figures: number[] = [];
    while (figures.length < 5) {
      assert.equal(await api.claim(['local']), undefined); // As the runner does: an empty claim, then a wait.
      const wakes = runnerWakesOf(h.slipway.events);
      const listening = wakes.waiting;
      let answered = false;
      const waiting = api.waitForWork(25_000, new AbortController().signal).finally(() => (answered = true));
      // Queued once the server holds this wait (so the figure is the notification's, not a race's);
      // a wait answered at once (news since the claim) is simply asked again.
      while (!answered && wakes.waiting === listening) await new Promise((resolve) => setImmediate(resolve));
      if (answered) continue;
      const queuedAt = performance.now();
      const id = await queueJob(h, `latency-${figures.length}`);
      await waiting;
      const claimed = await api.claim(['local']);
      figures.push(performance.now() - queuedAt);
      assert.equal(claimed?.id, id);
      await api.completeJob(id, 'success', {});
    }
    figures.sort((x, y) => x - y);
    console.log(`runnable → claimed over HTTP, ms: ${figures.map((f) => f.toFixed(1)).join(' ')}`);
    assert.ok(figures[2]! <= 100, `median ${figures[2]!.toFixed(1)} ms`);
  });
});

describe('remote actions over HTTP: bounded trees', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ env: { SLIPWAY_RUNNER_ENABLED: 'false', SLIPWAY_ACTIONS_MAX_TREE_BYTES: '4096' } });
  });
  after(async () => {
    await h.stop();
    await removeDir(h.dataDir);
  });

  test('a tree larger than actions.maxTreeBytes is refused with ACTION_TOO_LARGE, saying the limit', async () => {
    const { api } = await runnerApi(h, 'big');
    const { uses, sha } = await hostAction(h, 'demo', { 'action.yml': 'name: big\nruns: { using: composite, steps: [] }\n', 'blob.txt': 'x'.repeat(8192) });
    const id = await queueJob(h, 'big');
    await api.claim(['local']);
    await assert.rejects(api.resolveAction(id, uses), (err) => isSlipwayError(err, 'ACTION_TOO_LARGE') && err.message.includes(`the tree of commit ${sha} holds more than 4096 bytes (actions.maxTreeBytes)`));
    await api.completeJob(id, 'failure', {});
  });

  test('a server prunes cached trees and archives unused for actions.cacheMaxAge when it starts', { timeout: 60_000 }, async () => {
    const { api } = await runnerApi(h, 'prune');
    const { uses, sha } = await hostAction(h, 'pruned', { 'action.yml': 'name: small\nruns: { using: composite, steps: [] }\n' });
    const id = await queueJob(h, 'prune', 'pruned');
    await api.claim(['local']);
    await api.resolveAction(id, uses);
    await api.completeJob(id, 'success', {});
    const tree = join(h.dataDir, 'actions/cache', sha);
    const archive = join(h.dataDir, 'actions/archives', `${sha}.tar.gz`);
    const old = new Date(Date.now() - 31 * 24 * 3_600_000);
    for (const path of [tree, archive]) await utimes(path, old, old);
    await h.restart();
    await waitFor('the unused tree and archive to be pruned', async () => (!existsSync(tree) && !existsSync(archive) ? true : undefined), 20_000);
    assert.ok(h.logs.some((l) => /action cache: removed 1 tree\(s\) unused for 720h/.test(l)), h.logs.join('\n'));
  });
});
