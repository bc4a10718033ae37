import { test } from 'node:test';
import assert from 'node:assert/strict';
import { progressLines } from './follow-run.ts';
import type { RunView } from './commands/runs.ts';

type Job = RunView['jobs'][number];
const job = (key: string, status: string, steps: Job['steps']): Job => ({ id: `job_${key}`, key, name: 't', status, attempt: 1, interruptedAttempts: [], steps });
const run = (jobs: RunView['jobs']): RunView => ({ id: 'run_1', project: 'p', number: 1, workflow: 'ci.yml', name: 'ci', ref: 'refs/heads/main', sha: 'a'.repeat(40), status: 'running', error: null, createdAt: '', startedAt: null, finishedAt: null, jobs });

test('prints each job and step state once, as it changes; matrix legs by their keys', () => {
  const seen = new Map<string, string>();
  assert.deepEqual(progressLines(run([job('t (1)', 'queued', []), job('t (2)', 'queued', [])]), seen), ['  t (1): queued', '  t (2): queued']);
  assert.deepEqual(progressLines(run([job('t (1)', 'running', [{ number: 1, name: 'echo hi', status: 'running' }]), job('t (2)', 'queued', [])]), seen), ['  t (1): running', '  t (1) › 1 echo hi: running']);
  assert.deepEqual(progressLines(run([job('t (1)', 'running', [{ number: 1, name: 'echo hi', status: 'running' }]), job('t (2)', 'queued', [])]), seen), [], 'nothing changed');
  assert.deepEqual(progressLines(run([job('t (1)', 'success', [{ number: 1, name: 'echo hi', status: 'success' }]), job('t (2)', 'queued', [])]), seen), ['  t (1): success', '  t (1) › 1 echo hi: success']);
});
