// The token a claim carries (ClaimedJob.token), over a real scheduler and store: it is a job
// of its project, not a user; a lost lease kills it (the re-queued job's next claim gets a
// new one) and so does completing the job.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup, wf, job } from '../../scheduler/test-support.ts';
import { inProcessRunnerApi } from './in-process.ts';
import { resolveToken } from '../../auth/tokens.ts';
import { checkScope } from '../../auth/token-scope.ts';
import { isSlipwayError } from '../../core/errors.ts';

test("a claimed job's token is its project's job token until its lease is lost or it completes", async () => {
  const s = await setup(60_000);
  const api = inProcessRunnerApi({ runnerName: 'r1', scheduler: s.scheduler, store: s.store, events: s.events, sourceOf: (p) => `http://127.0.0.1:1/git/${p}.git`, registry: { host: '', insecure: true } });
  const run = await s.createRun(wf(job('build')));
  const first = (await api.claim(['local']))!;
  const r = await resolveToken(s.store, first.token);
  assert.ok(r.ok && r.principal.kind === 'job');
  assert.deepEqual(r.principal.job, { id: first.id, runId: run.id, project: 'demo', projectId: run.project_id });
  checkScope(r.principal, { kind: 'git', project: 'demo', access: 'fetch' });
  checkScope(r.principal, { kind: 'registry', repository: 'demo/app', access: 'push' });
  checkScope(r.principal, { kind: 'api', method: 'GET', route: '/api/runs/:run/artifacts', params: { run: run.id } });
  assert.throws(() => checkScope(r.principal, { kind: 'api', method: 'GET', route: '/api/runs/:run/artifacts', params: { run: 'run_other' } }), (err) => isSlipwayError(err, 'FORBIDDEN'));
  // checkout fetches over HTTP with it, in a header (never in the URL).
  const source = await api.source(first.id);
  assert.equal(source.url, 'http://127.0.0.1:1/git/demo.git');
  assert.equal(source.authorization, `Basic ${Buffer.from(`job:${first.token}`).toString('base64')}`);

  // The lease runs out: the job is re-queued, the old token is dead, the next claim gets another.
  assert.equal(await s.scheduler.requeueExpired(Date.now() + 120_000), 1);
  assert.deepEqual(await resolveToken(s.store, first.token), { ok: false, reason: 'the job token of project demo is no longer valid: its job has ended' });
  const second = (await api.claim(['local']))!;
  assert.equal(second.id, first.id);
  assert.notEqual(second.token, first.token);
  assert.equal((await resolveToken(s.store, second.token)).ok, true);
  assert.equal((await resolveToken(s.store, first.token)).ok, false, 'a newer claim does not revive an older token');

  await api.completeJob(second.id, 'success', {});
  assert.equal((await resolveToken(s.store, second.token)).ok, false);
});
