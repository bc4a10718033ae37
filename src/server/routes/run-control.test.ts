// Run control over HTTP against a real server (in-process, temp data dir, real git and the
// built-in shell runner): workflow_dispatch, repository_dispatch, schedule, re-run with
// attempts, the plan graph and cancel.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { mkdir, writeFile } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHarness, commitAndPush, git, waitFor, removeDir, type Harness } from '../../../test/support/harness.ts';
import { runScheduled, everyMinute } from '../../triggers/schedule.ts';
import type { Clock } from '../../core/clock.ts';
import { Scheduler } from '../../scheduler/scheduler.ts';
import { GitHosting } from '../../git/hosting.ts';

interface RunView {
  id: string;
  number: number;
  event: string;
  title: string;
  status: string;
  attempt: number;
  attempts: number;
  inputs: Record<string, unknown>;
  jobs: { key: string; status: string; runAttempt: number; reusedFrom: string | null; steps: { name: string; status: string }[] }[];
}

const files: Record<string, string> = {
  'dispatch.yml': `name: manual
run-name: Deploy \${{ inputs.target }} x\${{ inputs.count }}
on:
  workflow_dispatch:
    inputs:
      target: { type: choice, options: [staging, production], required: true }
      count: { type: number, default: 1 }
jobs:
  go:
    runs-on: ubuntu-latest
    steps:
      - run: echo "target=\${{ inputs.target }} count=\${{ inputs.count }}"
`,
  'repo.yml': `name: on-event
on:
  repository_dispatch:
    types: [deploy]
jobs:
  go:
    runs-on: ubuntu-latest
    steps:
      - run: echo "payload=\${{ github.event.client_payload.version }}"
`,
  'nightly.yml': `name: nightly
on:
  schedule:
    - cron: '0 3 * * *'
jobs:
  go:
    runs-on: ubuntu-latest
    steps:
      - run: echo nightly
`,
  'ci.yml': `name: ci
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo build
  flaky:
    runs-on: ubuntu-latest
    needs: build
    steps:
      # Fails the first time only: a job cannot see the host's files, so its attempt number says.
      - run: test "$GITHUB_RUN_ATTEMPT" -ge 2
`,
  'sleeper.yml': `name: sleeper
on: workflow_dispatch
jobs:
  nap:
    runs-on: ubuntu-latest
    steps:
      - run: sleep 600
      - if: always()
        run: echo cleaned
`,
};

describe('run control API', () => {
  let h: Harness;
  let repo: string;
  let pushRun: RunView;
  const post = <T>(path: string, body: unknown) => h.api<T>(path, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  const raw = (path: string, body: unknown) =>
    fetch(`${h.slipway.url}${path}`, { method: 'POST', body: JSON.stringify(body), headers: { authorization: `Bearer ${h.slipway.adminToken}`, 'content-type': 'application/json' } });
  const finished = (id: string, attempt?: number) =>
    waitFor(`run ${id} to finish`, async () => {
      const r = await h.api<RunView>(`/api/runs/${id}${attempt ? `?attempt=${attempt}` : ''}`);
      return ['success', 'failure', 'cancelled'].includes(r.status) ? r : undefined;
    }, 30_000);

  before(async () => {
    h = await startHarness();
    repo = await mkdtemp(join(tmpdir(), 'slipway-runctl-'));
    await mkdir(join(repo, '.slipway/workflows'), { recursive: true });
    for (const [name, text] of Object.entries(files)) await writeFile(join(repo, '.slipway/workflows', name), text);
    await git(repo, 'init', '-q', '-b', 'main');
    const sha = await commitAndPush(repo, h, 'ctl', 'workflows', 'main');
    const run = await waitFor('push run', async () => (await h.api<RunView[]>('/api/runs?project=ctl').catch(() => [])).find((r) => r.event === 'push'), 30_000);
    pushRun = await finished(run.id);
    assert.ok(sha);
  });

  after(async () => {
    await h?.stop();
    await removeDir(repo);
    await removeDir(h.dataDir);
  });

  test('workflow_dispatch types the inputs, evaluates run-name and runs', async () => {
    const run = await post<RunView>('/api/projects/ctl/workflows/dispatch.yml/dispatches', { ref: 'main', inputs: { target: 'staging', count: '3' } });
    assert.equal(run.event, 'workflow_dispatch');
    assert.equal(run.title, 'Deploy staging x3');
    assert.deepEqual(run.inputs, { target: 'staging', count: 3 });
    // The dispatcher is GitHub's sender: the deploy gate refuses them as an approver of what it builds.
    assert.deepEqual((JSON.parse((await h.slipway.store.runs.get(run.id))!.event_payload!) as { sender: { login: string } }).sender.login, 'admin');
    const done = await finished(run.id);
    assert.equal(done.status, 'success');
    const log = await (await fetch(`${h.slipway.url}/api/runs/${run.id}/logs`, { headers: { authorization: `Bearer ${h.slipway.adminToken}` } })).text();
    assert.match(log, /target=staging count=3/);
  });

  test('workflow_dispatch errors: a bad input is 422 naming it; unknown workflow 404; no trigger 422; bad ref 404', async () => {
    const bad = await raw('/api/projects/ctl/workflows/dispatch.yml/dispatches', { inputs: { target: 'prod' } });
    assert.equal(bad.status, 422);
    assert.match(await bad.text(), /input `target`/);
    const missing = await raw('/api/projects/ctl/workflows/dispatch.yml/dispatches', { inputs: {} });
    assert.equal(missing.status, 422);
    assert.match(await missing.text(), /missing required input `target`/);
    assert.equal((await raw('/api/projects/ctl/workflows/nope.yml/dispatches', {})).status, 404);
    const noTrigger = await raw('/api/projects/ctl/workflows/ci.yml/dispatches', {});
    assert.equal(noTrigger.status, 422);
    assert.match(await noTrigger.text(), /workflow_dispatch/);
    assert.equal((await raw('/api/projects/ctl/workflows/dispatch.yml/dispatches', { ref: 'no-such-branch', inputs: { target: 'staging' } })).status, 404);
    assert.equal((await raw('/api/projects/ctl/workflows/dispatch.yml/dispatches', { ref: 'main~1' })).status, 400);
  });

  test('repository_dispatch starts the workflows whose types match, with the payload as github.event', async () => {
    const runs = await post<RunView[]>('/api/projects/ctl/dispatches', { event_type: 'deploy', client_payload: { version: '1.2.3' } });
    assert.equal(runs.length, 1);
    assert.equal(runs[0]!.event, 'repository_dispatch');
    await finished(runs[0]!.id);
    const log = await (await fetch(`${h.slipway.url}/api/runs/${runs[0]!.id}/logs`, { headers: { authorization: `Bearer ${h.slipway.adminToken}` } })).text();
    assert.match(log, /payload=1\.2\.3/);
    assert.deepEqual(await post<RunView[]>('/api/projects/ctl/dispatches', { event_type: 'other' }), []);
    assert.equal((await raw('/api/projects/ctl/dispatches', { client_payload: {} })).status, 400);
  });

  test('schedule: a workflow whose cron matches the minute runs on the default branch', async () => {
    const { slipway } = h;
    // A second view of the server's repositories: the trigger reads workflows through GitHosting.
    const withGit = { git: new GitHosting({ root: join(h.dataDir, 'git'), log: () => {} }), store: slipway.store, events: slipway.events, scheduler: new Scheduler({ store: slipway.store, events: slipway.events, leaseMs: 30_000 }), log: () => {} };
    assert.deepEqual(await runScheduled(withGit, new Date('2030-01-01T03:01:00Z')), []);
    const runs = await runScheduled(withGit, new Date('2030-01-01T03:00:00Z'));
    assert.deepEqual(runs.map((r) => [r.workflow, r.event, r.ref]), [['.slipway/workflows/nightly.yml', 'schedule', 'refs/heads/main']]);
    await finished(runs[0]!.id);
    // Several servers tick the same minute: it fires once (schedule_fires), however they race.
    assert.deepEqual(await runScheduled(withGit, new Date('2030-01-01T03:00:00Z'), 'server-b'), []);
    const raced = await Promise.all(['server-a', 'server-b', 'server-c'].map((s) => runScheduled(withGit, new Date('2030-01-02T03:00:30Z'), s)));
    assert.deepEqual(raced.map((r) => r.length).sort(), [0, 0, 1]);
    await finished(raced.flat()[0]!.id);
  });

  test('everyMinute ticks at each minute boundary of the injected clock', () => {
    let now = Date.parse('2030-01-01T02:59:30Z');
    const timers: { at: number; fn: () => void }[] = [];
    const clock: Clock = { now: () => now, setTimeout: (fn, ms) => (timers.push({ at: now + ms, fn }), {}), clearTimeout: () => {} };
    const ticks: string[] = [];
    const stop = everyMinute(clock, (at) => ticks.push(at.toISOString()));
    for (let i = 0; i < 2; i++) {
      const t = timers.shift()!;
      now = t.at;
      t.fn();
    }
    stop();
    assert.deepEqual(ticks, ['2030-01-01T03:00:00.000Z', '2030-01-01T03:01:00.000Z']);
  });

  test('re-run failed jobs makes attempt 2; attempt 1 stays readable; the plan shows the graph', async () => {
    assert.equal(pushRun.status, 'failure');
    assert.deepEqual(pushRun.jobs.map((j) => [j.key, j.status]), [['build', 'success'], ['flaky', 'failure']]);
    const rerun = await post<RunView>(`/api/runs/${pushRun.id}/rerun`, { jobs: 'failed' });
    assert.equal(rerun.attempt, 2);
    const done = await finished(pushRun.id);
    assert.equal(done.status, 'success');
    assert.equal(done.attempts, 2);
    const build = done.jobs.find((j) => j.key === 'build')!;
    assert.ok(build.reusedFrom, 'build kept its attempt-1 result');
    assert.equal(build.steps.length, 1);
    assert.equal(done.jobs.find((j) => j.key === 'flaky')?.status, 'success');
    const first = await h.api<RunView>(`/api/runs/${pushRun.id}?attempt=1`);
    assert.equal(first.status, 'failure');
    assert.equal(first.jobs.find((j) => j.key === 'flaky')?.status, 'failure');
    const plan = await h.api<{ attempt: number; jobs: { key: string; needs: string[]; status: string }[] }>(`/api/runs/${pushRun.id}/plan`);
    assert.equal(plan.attempt, 2);
    assert.deepEqual(plan.jobs.map((j) => [j.key, j.needs, j.status]), [['build', [], 'success'], ['flaky', ['build'], 'success']]);
    assert.equal((await raw(`/api/runs/${pushRun.id}/rerun`, { jobs: 'nope' })).status, 400);
    assert.equal((await raw(`/api/runs/${pushRun.id}/rerun`, { jobs: 'failed' })).status, 409);
  });

  test('cancel stops a running job within seconds and ends the run cancelled', async () => {
    const run = await post<RunView>('/api/projects/ctl/workflows/sleeper.yml/dispatches', {});
    await waitFor('the sleep step to start', async () => {
      const r = await h.api<RunView>(`/api/runs/${run.id}`);
      return r.jobs[0]?.steps.some((st) => st.status === 'running') ? r : undefined;
    }, 30_000);
    const started = Date.now();
    const cancelled = await post<RunView>(`/api/runs/${run.id}/cancel`, {});
    assert.ok(['running', 'cancelled'].includes(cancelled.status));
    const done = await finished(run.id);
    assert.equal(done.status, 'cancelled');
    assert.equal(done.jobs[0]?.status, 'cancelled');
    assert.ok(Date.now() - started < 15_000, `cancel took ${Date.now() - started} ms`);
    assert.equal(done.jobs[0]?.steps[0]?.status, 'cancelled');
  });
});
