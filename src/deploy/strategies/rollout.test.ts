// The rollout and the three strategies over fake hosts (no podman, no SSH): the order of
// start (pull, run, health check), switch and discard on each host, rolling batches, the
// automatic rollback, max_parallel, and the status reported for every host.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SlipwayError, isSlipwayError, type ErrorCode } from '../../core/errors.ts';
import type { DeployStrategy, EnvironmentConfig } from '../config/deploy-config.ts';
import type { HostSession, ReleaseRef } from '../targets/deploy-target.ts';
import { blueGreen } from './blue-green.ts';
import { recreate } from './recreate.ts';
import { rolling } from './rolling.ts';
import { rollout, type RolloutOptions } from './rollout.ts';
import type { Strategy } from './strategy.ts';

const v1: ReleaseRef = { id: 'v1', sha: '1'.repeat(40), image: 'proj/app', digest: 'sha256:1' };
const v2: ReleaseRef = { id: 'v2', sha: '2'.repeat(40), image: 'proj/app', digest: 'sha256:2' };
const strategies: Record<DeployStrategy, Strategy> = { 'blue-green': blueGreen, rolling, recreate };

/**
 * Hosts that record every step as `<step> <host> <release>` and fail the steps listed in
 * `failing` (`open <host>` for an unreachable host). Each step yields once, so steps on
 * different hosts interleave as they would over the network.
 */
function fakeHosts(failing: string[] = []) {
  const steps: string[] = [];
  const reports: string[] = [];
  const logs: string[] = [];
  const running = { now: 0, peak: 0 };
  const step = async (what: string, host: string) => {
    steps.push(what);
    running.peak = Math.max(running.peak, ++running.now);
    await new Promise((resolve) => setImmediate(resolve));
    running.now--;
    if (failing.includes(what)) throw new SlipwayError('HEALTHCHECK_FAILED', `${host}: ${what} failed`);
  };
  const open = async (host: string): Promise<HostSession> => {
    if (failing.includes(`open ${host}`)) throw new SlipwayError('HOST_UNREACHABLE', `${host}: cannot connect: ECONNREFUSED`);
    return {
      host,
      endpoint: { address: host, port: 8080 },
      async start(release, { stopOldFirst }) {
        if (stopOldFirst) steps.push(`stop-old ${host}`);
        await step(`start ${host} ${release.id}`, host);
        return { container: `${host}-${release.id}`, hostPort: 30_000, old: [] };
      },
      switch: (release) => step(`switch ${host} ${release.id}`, host),
      discard: (release) => step(`discard ${host} ${release.id}`, host),
      close: () => Promise.resolve(void steps.push(`close ${host}`)),
    };
  };
  const options = (environment: Partial<EnvironmentConfig> & { hosts: string[]; strategy: DeployStrategy }, previous: ReleaseRef | null = v1): RolloutOptions => ({
    environment: { name: 'production', ...environment },
    strategy: strategies[environment.strategy],
    release: v2,
    previous: previous ?? undefined,
    open,
    report: (host, status, fields) => Promise.resolve(void reports.push(`${host} ${status}${fields?.error ? `: ${fields.error}` : ''}`)),
    log: (line) => void logs.push(line),
  });
  /** Each host's statuses in the order reported. */
  const statuses = (host: string) => reports.filter((r) => r.startsWith(`${host} `)).map((r) => r.slice(host.length + 1));
  return { steps, reports, logs, running, options, statuses };
}

/** The rollout fails with exactly this error code and message. */
async function rejectsWith(rolling: Promise<unknown>, code: ErrorCode, message: string): Promise<void> {
  await assert.rejects(rolling, (err) => {
    assert.ok(isSlipwayError(err, code), String(err));
    assert.equal(err.message, message);
    return true;
  });
}

void test('blue-green: every host starts and passes its check before any host switches', async () => {
  const f = fakeHosts();
  const results = await rollout(f.options({ hosts: ['a', 'b', 'c'], strategy: 'blue-green' }));
  assert.deepEqual(f.steps, ['start a v2', 'start b v2', 'start c v2', 'switch a v2', 'switch b v2', 'switch c v2', 'close a', 'close b', 'close c']);
  assert.deepEqual(results.map((r) => [r.host, r.candidate.container, r.endpoint.address]), [['a', 'a-v2', 'a'], ['b', 'b-v2', 'b'], ['c', 'c-v2', 'c']]);
  for (const host of ['a', 'b', 'c']) assert.deepEqual(f.statuses(host), ['running', 'success']);
});

void test('blue-green: one unhealthy host removes the new containers everywhere; nothing switches', async () => {
  const f = fakeHosts(['start b v2']);
  await rejectsWith(rollout(f.options({ hosts: ['a', 'b', 'c'], strategy: 'blue-green' })), 'HEALTHCHECK_FAILED', 'b: start b v2 failed');
  assert.ok(!f.steps.some((s) => s.startsWith('switch')), f.steps.join('\n'));
  assert.deepEqual(f.steps.filter((s) => s.startsWith('discard')), ['discard a v2', 'discard c v2']);
  assert.deepEqual(f.statuses('a'), ['running', 'rolled_back: not switched: another host failed']);
  assert.deepEqual(f.statuses('b'), ['running', 'failure: b: start b v2 failed']);
  assert.deepEqual(f.statuses('c'), ['running', 'rolled_back: not switched: another host failed']);
});

void test('blue-green: an unreachable host fails with its own code and message, the others are discarded', async () => {
  const f = fakeHosts(['open ssh://deploy@web-2']);
  await rejectsWith(rollout(f.options({ hosts: ['ssh://deploy@web-1', 'ssh://deploy@web-2'], strategy: 'blue-green' })), 'HOST_UNREACHABLE', 'ssh://deploy@web-2: cannot connect: ECONNREFUSED');
  assert.deepEqual(f.steps, ['start ssh://deploy@web-1 v2', 'discard ssh://deploy@web-1 v2', 'close ssh://deploy@web-1']);
  assert.deepEqual(f.statuses('ssh://deploy@web-2'), ['running', 'failure: ssh://deploy@web-2: cannot connect: ECONNREFUSED']);
});

void test('blue-green: a failed switch fails the rollout and names the host; the others serve the new release', async () => {
  const f = fakeHosts(['switch b v2']);
  await assert.rejects(rollout(f.options({ hosts: ['a', 'b', 'c'], strategy: 'blue-green' })), (err) => (err as Error).message === 'b: switch b v2 failed');
  assert.deepEqual(f.statuses('a'), ['running', 'success']);
  assert.deepEqual(f.statuses('b'), ['running', 'failure: b: switch b v2 failed']);
  assert.deepEqual(f.statuses('c'), ['running', 'success']);
});

void test('rolling: one host at a time, each switched before the next starts', async () => {
  const f = fakeHosts();
  const results = await rollout(f.options({ hosts: ['a', 'b', 'c'], strategy: 'rolling' }));
  assert.deepEqual(f.steps, ['start a v2', 'switch a v2', 'start b v2', 'switch b v2', 'start c v2', 'switch c v2', 'close a', 'close b', 'close c']);
  assert.deepEqual(results.map((r) => r.host), ['a', 'b', 'c']);
  for (const host of ['a', 'b', 'c']) assert.deepEqual(f.statuses(host), ['running', 'success']);
});

void test('rolling: a failure stops the rollout and the hosts already switched go back to the previous release', async () => {
  const f = fakeHosts(['start c v2']);
  await rejectsWith(rollout(f.options({ hosts: ['a', 'b', 'c'], strategy: 'rolling' })), 'HEALTHCHECK_FAILED', 'c: start c v2 failed\nrolled back to the previous release: a, b');
  assert.deepEqual(f.steps.slice(0, 5), ['start a v2', 'switch a v2', 'start b v2', 'switch b v2', 'start c v2']);
  // The rollback: start, check and switch of the previous release on each switched host.
  assert.deepEqual(f.steps.slice(5, 9).sort(), ['start a v1', 'start b v1', 'switch a v1', 'switch b v1']);
  assert.ok(f.steps.indexOf('start a v1') < f.steps.indexOf('switch a v1'));
  assert.deepEqual(f.statuses('a'), ['running', 'success', 'rolled_back']);
  assert.deepEqual(f.statuses('b'), ['running', 'success', 'rolled_back']);
  assert.deepEqual(f.statuses('c'), ['running', 'failure: c: start c v2 failed']);
  assert.ok(f.logs.includes('stopping the rollout: c failed'), f.logs.join('\n'));
  assert.ok(f.logs.includes('rolling a, b back to release v1 (1111111)'), f.logs.join('\n'));
});

void test('rolling: batches of batch_size; the hosts of later batches are skipped after a failure', async () => {
  const f = fakeHosts(['start b v2']);
  await assert.rejects(rollout(f.options({ hosts: ['a', 'b', 'c', 'd'], strategy: 'rolling', batchSize: 2 })), /rolled back to the previous release: a$/);
  assert.deepEqual(f.steps.slice(0, 3), ['start a v2', 'start b v2', 'switch a v2']);
  assert.ok(!f.steps.some((s) => / [cd] /.test(s)), f.steps.join('\n'));
  assert.deepEqual(f.statuses('a'), ['running', 'success', 'rolled_back']);
  assert.deepEqual(f.statuses('b'), ['running', 'failure: b: start b v2 failed']);
  assert.deepEqual(f.statuses('c'), ['skipped: not started: an earlier batch failed']);
  assert.deepEqual(f.statuses('d'), ['skipped: not started: an earlier batch failed']);
});

void test('rolling: with no previous release there is nothing to roll back to', async () => {
  const f = fakeHosts(['start b v2']);
  await assert.rejects(rollout(f.options({ hosts: ['a', 'b'], strategy: 'rolling' }, null)), (err) => {
    assert.equal((err as Error).message, 'b: start b v2 failed');
    return true;
  });
  assert.deepEqual(f.statuses('a'), ['running', 'success']);
  assert.ok(f.logs.includes('no previous release to roll a back to'), f.logs.join('\n'));
});

void test('recreate: old containers stop before the new ones start, on every host, then every host switches', async () => {
  const f = fakeHosts();
  await rollout(f.options({ hosts: ['a', 'b'], strategy: 'recreate' }));
  assert.deepEqual(f.steps, ['stop-old a', 'start a v2', 'stop-old b', 'start b v2', 'switch a v2', 'switch b v2', 'close a', 'close b']);
  for (const host of ['a', 'b']) assert.deepEqual(f.statuses(host), ['running', 'success']);
});

void test('recreate: a failure brings the previous release back on every host', async () => {
  const f = fakeHosts(['start b v2']);
  await assert.rejects(rollout(f.options({ hosts: ['a', 'b', 'c'], strategy: 'recreate' })), (err) => {
    assert.equal((err as Error).message, 'b: start b v2 failed\nrolled back to the previous release: a, b, c');
    return true;
  });
  assert.ok(!f.steps.includes('switch a v2'), f.steps.join('\n'));
  for (const host of ['a', 'b', 'c']) {
    assert.ok(f.steps.indexOf(`start ${host} v1`) < f.steps.indexOf(`switch ${host} v1`), f.steps.join('\n'));
    assert.equal(f.statuses(host).at(-1), 'rolled_back');
  }
  assert.equal(f.steps.filter((s) => s.startsWith('stop-old')).length, 6, 'the rollback frees the hosts first too');
  assert.deepEqual(f.statuses('b'), ['running', 'failure: b: start b v2 failed', 'rolled_back']);
});

void test('max_parallel bounds the hosts worked on at once', async () => {
  const hosts = ['a', 'b', 'c', 'd', 'e'];
  const bounded = fakeHosts();
  await rollout(bounded.options({ hosts, strategy: 'blue-green', maxParallel: 2 }));
  assert.equal(bounded.running.peak, 2);
  const unbounded = fakeHosts();
  await rollout(unbounded.options({ hosts, strategy: 'blue-green' }));
  assert.equal(unbounded.running.peak, 5);
});

void test('one host logs without a prefix; several hosts prefix each line with the host', async () => {
  const lines: string[] = [];
  for (const hosts of [['a'], ['a', 'b']]) {
    const base = fakeHosts().options({ hosts, strategy: 'blue-green' });
    await rollout({ ...base, open: (host, log) => (log('hello'), base.open(host, log)), log: (l) => void lines.push(l) });
  }
  assert.deepEqual(lines, ['hello', '[a] hello', '[b] hello']);
});
