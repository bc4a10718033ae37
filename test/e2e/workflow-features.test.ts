// Workflow features end to end: a push to a real server runs a matrix (2x2 with exclude and
// include), a job with a service container reached from its steps, outputs passed through
// `needs`, a failing step with continue-on-error, an always() cleanup step after a failure;
// then a dispatched run is cancelled mid-step: its always() step still runs and the step's
// process is gone. Everything is checked through the API.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, commitAndPush, waitFor, removeDir, pushRun, removeJobContainers, workingCopy, type Harness } from '../support/harness.ts';
import { finished, type RunView } from '../support/api-views.ts';
import { ensureBusyboxImage } from '../../src/build/base-image.ts';
import { webService } from '../support/workflow-snippets.ts';
import { sleepers, uniqueSeconds } from '../../src/runner/executors/contract-support.ts';

const features = `name: features
on: push
jobs:
  matrix:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        os: [a, b]
        v: [1, 2]
        exclude:
          - os: b
            v: 2
        include:
          - os: c
            v: 9
    steps:
      - run: echo "leg \${{ matrix.os }}-\${{ matrix.v }} of \${{ strategy.job-total }}"
  service:
    runs-on: ubuntu-latest
    services:
      web:
${webService}
    steps:
      # The job runs in a container on the job's network: the service answers by name.
      - name: reach the service
        run: test "$(wget -q -O - http://web/hostname)" = websvc
  produce:
    runs-on: ubuntu-latest
    outputs:
      greeting: \${{ steps.make.outputs.greeting }}
    steps:
      - id: make
        run: echo "greeting=hello-from-produce" >> "$GITHUB_OUTPUT"
  consume:
    needs: produce
    runs-on: ubuntu-latest
    outputs:
      seen: \${{ steps.check.outputs.seen }}
    steps:
      - name: allowed to fail
        continue-on-error: true
        run: exit 7
      - id: check
        run: |
          test "\${{ needs.produce.outputs.greeting }}" = hello-from-produce
          echo "seen=\${{ needs.produce.outputs.greeting }}" >> "$GITHUB_OUTPUT"
  cleanup:
    runs-on: ubuntu-latest
    steps:
      - name: breaks
        run: exit 1
      - name: cleanup
        if: always()
        run: echo cleaned up
      - name: never
        run: echo unreachable
`;

// The job runs in a container, so the test finds its sleep among the host's processes by a
// duration nobody else uses, and reads the always() step's effect in the run's log.
const napSeconds = uniqueSeconds();
const cancelled = `name: long
on: workflow_dispatch
jobs:
  nap:
    runs-on: ubuntu-latest
    steps:
      - name: sleep
        run: |
          exec sleep ${napSeconds}
      - name: always
        if: always()
        run: echo "always step $((40 + 2))"
`;

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('workflow features, end to end', () => {
  let h: Harness;
  let repo: string;
  let run: RunView;

  before(async () => {
    await ensureBusyboxImage();
    h = await startHarness();
    repo = await workingCopy('slipway-features-', { '.slipway/workflows/features.yml': features, '.slipway/workflows/long.yml': cancelled });
    const sha = await commitAndPush(repo, h, 'features', 'features', 'main');
    run = await pushRun(h, 'features', sha);
  });

  after(async () => {
    await h?.stop();
    // Service containers carry the job's label; remove any a failure left behind.
    await removeJobContainers(run?.jobs ?? []);
    await removeDir(repo);
    if (h) await removeDir(h.dataDir);
  });

  const jobOf = (key: string) => {
    const j = run.jobs.find((x) => x.key === key);
    assert.ok(j, `job ${key} in ${run.jobs.map((x) => x.key).join(', ')}`);
    return j;
  };

  it('runs every matrix leg (2x2, minus the excluded one, plus the included one)', async () => {
    const legs = run.jobs.filter((j) => j.key.startsWith('matrix'));
    assert.deepEqual(legs.map((j) => [j.key, j.status]).sort(), [['matrix (a, 1)', 'success'], ['matrix (a, 2)', 'success'], ['matrix (b, 1)', 'success'], ['matrix (c, 9)', 'success']]);
    const plan = await h.api<{ jobs: { key: string; matrix: Record<string, unknown> | null }[] }>(`/api/runs/${run.id}/plan`);
    assert.deepEqual(plan.jobs.find((j) => j.key === 'matrix (c, 9)')?.matrix, { os: 'c', v: 9 });
    const log = await (await fetch(`${h.slipway.url}/api/runs/${run.id}/logs`, { headers: { authorization: `Bearer ${h.slipway.adminToken}` } })).text();
    assert.match(log, /leg c-9 of 4/);
  });

  it('reaches a service container from the job', () => {
    const j = jobOf('service');
    assert.deepEqual(j.steps.find((s) => s.name === 'reach the service')?.status, 'success', JSON.stringify(j));
    assert.equal(j.status, 'success');
  });

  it('passes outputs through needs; a failing continue-on-error step does not fail the job', () => {
    assert.equal(jobOf('produce').outputs.greeting, 'hello-from-produce');
    const consume = jobOf('consume');
    assert.equal(consume.status, 'success');
    assert.equal(consume.steps.find((s) => s.name === 'allowed to fail')?.status, 'failure');
    assert.equal(consume.outputs.seen, 'hello-from-produce');
  });

  it('runs an always() step after a failure and skips the rest; the run fails', () => {
    const cleanup = jobOf('cleanup');
    assert.equal(cleanup.status, 'failure');
    assert.deepEqual(cleanup.steps.map((s) => [s.name, s.status]), [['breaks', 'failure'], ['cleanup', 'success'], ['never', 'skipped']]);
    assert.equal(run.status, 'failure');
  });

  it('cancels a run mid-step: the step process is gone, the always() step ran, the run is cancelled', async () => {
    const dispatched = await h.api<RunView>('/api/projects/features/workflows/long.yml/dispatches', { method: 'POST', body: JSON.stringify({ ref: 'main' }), headers: { 'content-type': 'application/json' } });
    const pid = await waitFor('the sleep to start', async () => (await sleepers(napSeconds))[0], 30_000);
    assert.ok(alive(pid));
    await h.api(`/api/runs/${dispatched.id}/cancel`, { method: 'POST' });
    const done = await waitFor('the cancelled run to finish', async () => {
      const r = await h.api<RunView>(`/api/runs/${dispatched.id}`);
      return finished(r.status) ? r : undefined;
    }, 20_000);
    assert.equal(done.status, 'cancelled');
    assert.deepEqual(done.jobs[0]!.steps.map((s) => [s.name, s.status]), [['sleep', 'cancelled'], ['always', 'success']]);
    const log = await (await fetch(`${h.slipway.url}/api/runs/${dispatched.id}/logs`, { headers: { authorization: `Bearer ${h.slipway.adminToken}` } })).text();
    assert.match(log, /always step 42/);
    assert.equal(alive(pid), false, `sleep (pid ${pid}) is still running`);
  });
});
