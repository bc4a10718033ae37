// The `secrets` context a claim carries: the project's secrets in the run's own jobs, only
// what the caller passes in a called workflow's jobs (inherit or a mapping), and the
// environment's on top when the store gives them.
import test from 'node:test';
import assert from 'node:assert/strict';
import { setup, job, wf } from './test-support.ts';
import { Scheduler } from './scheduler.ts';
import type { JobSecretsRequest } from './job-secrets.ts';

const calledYaml = (declared: string) => `name: lib\non:\n  workflow_call:\n    secrets:\n${declared}jobs:\n${job('inner', '    environment: prod\n')}`;

async function claims(yaml: string, called: Record<string, string>) {
  const s = await setup();
  const scheduler = new Scheduler({
    store: s.store, events: s.events, leaseMs: 60_000,
    secretsFor: async (r: JobSecretsRequest) => ({ secrets: { API: 'api-value', OTHER: 'other-value' }, environment: r.environment ? { ENV_ONLY: `${r.environment}-value` } : undefined, notes: [] }),
  });
  await s.createRun(yaml, { called });
  const out: Record<string, Record<string, string>> = {};
  for (let c = await scheduler.claim('r', ['local']); c; c = await scheduler.claim('r', ['local'])) {
    out[c.job.key] = c.secrets;
    await scheduler.completeJob(c.job.id, 'r', 'success', {});
  }
  return out;
}

test("a called workflow's job sees what its caller passes, plus its own environment's secrets", async () => {
  const yaml = wf(
    job('own'),
    '  mapped:\n    uses: ./.slipway/workflows/lib.yml\n    secrets:\n      TOKEN: ${{ secrets.API }}\n',
    '  inherited:\n    uses: ./.slipway/workflows/lib.yml\n    secrets: inherit\n',
    '  none:\n    uses: ./.slipway/workflows/lib.yml\n',
  );
  const got = await claims(yaml, { '.slipway/workflows/lib.yml': calledYaml('      TOKEN:\n        required: false\n') });
  assert.deepEqual(got.own, { API: 'api-value', OTHER: 'other-value' });
  assert.deepEqual(got['mapped/inner'], { TOKEN: 'api-value', ENV_ONLY: 'prod-value' });
  assert.deepEqual(got['inherited/inner'], { API: 'api-value', OTHER: 'other-value', ENV_ONLY: 'prod-value' });
  assert.deepEqual(got['none/inner'], { ENV_ONLY: 'prod-value' });
});
