import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Deployment } from '../store/repos/deployments.ts';
import type { Release } from '../store/repos/releases.ts';
import { judgeReleases } from './retention.ts';

const now = Date.parse('2026-12-01T12:00:00Z');
const daysAgo = (n: number): string => new Date(now - n * 86_400_000).toISOString();
const release = (id: string, age: number, ref = 'refs/heads/main'): Release => ({ id, project_id: 'p', run_id: `run-${id}`, sha: `${id}`.padEnd(40, '0'), ref, image: 'p/app', digest: `sha256:${id.padEnd(64, '0')}`, created_at: daysAgo(age) });
let number = 0;
const deployment = (releaseId: string, environment: string, status: Deployment['status'], age: number): Deployment => ({
  id: `dep-${++number}`, project_id: 'p', number, environment, release_id: releaseId, trigger: 'auto', triggered_by: 'ci', status, error: null, created_at: daysAgo(age), started_at: null, finished_at: null, superseded_by: null,
});

test('retention keeps what serves, the last known-good, what is being deployed, the newest per branch and the young; nothing else', () => {
  const releases = [release('a1', 100), release('a2', 90), release('a3', 80), release('a4', 70), release('a5', 60), release('a6', 1), release('a7', 0), release('f1', 50, 'refs/heads/feature'), release('t1', 40, 'refs/tags/v1')];
  const deployments = [
    deployment('a1', 'production', 'success', 95),
    deployment('a3', 'production', 'failure', 75),
    deployment('a2', 'production', 'success', 85),
    deployment('a4', 'staging', 'waiting_for_approval', 65),
  ];
  const verdicts = judgeReleases({ releases, deployments, serving: new Map([['production', 'a2']]) }, { keepPerBranch: 2, keepDays: 7 }, now);
  const why = Object.fromEntries(verdicts.map((v) => [v.release.id, v.reasons]));
  assert.deepEqual(why, {
    a1: ['last known-good in production'],
    a2: ['serving in production'],
    a3: [],
    a4: ['being deployed to staging (waiting_for_approval)'],
    a5: [],
    a6: ['among the newest 2 of main', 'younger than 7 days'],
    a7: ['among the newest 2 of main', 'younger than 7 days'],
    f1: ['among the newest 2 of feature'],
    t1: ['among the newest 2 of v1'],
  });
});
