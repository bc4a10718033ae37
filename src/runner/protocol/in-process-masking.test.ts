// The server side of masking: what a runner reports is stored masked with the job's secrets
// even if the runner did not mask it, and the scheduler asks for the secrets of the job's
// environment (evaluated) or of none.
import test from 'node:test';
import assert from 'node:assert/strict';
import { setup, job, wf } from '../../scheduler/test-support.ts';
import { Scheduler } from '../../scheduler/scheduler.ts';
import type { JobSecretsRequest } from '../../scheduler/job-secrets.ts';
import { inProcessRunnerApi } from './in-process.ts';

const secret = 'pa55word-of-the-job';

test("a runner's reports are stored masked with the job's secrets; the environment asked for is the job's", async () => {
  const s = await setup();
  const asked: (string | undefined)[] = [];
  const scheduler = new Scheduler({
    store: s.store, events: s.events, leaseMs: 60_000,
    secretsFor: async (r: JobSecretsRequest) => {
      asked.push(r.environment);
      return { secrets: { TOKEN: secret }, notes: r.environment ? [`note for ${r.environment}`] : [] };
    },
  });
  const api = inProcessRunnerApi({ runnerName: 'r', scheduler, store: s.store, events: s.events, sourceOf: () => '', registry: { host: '', insecure: true } });
  const run = await s.createRun(wf(job('build', "    environment: ${{ format('st{0}', 'aging') }}\n")));
  const claimed = await api.claim(['local']);
  assert.ok(claimed);
  assert.deepEqual(asked, ['staging']);
  assert.deepEqual(claimed.notes, ['note for staging']);
  assert.deepEqual(claimed.contexts.secrets, { TOKEN: secret });

  const b64 = Buffer.from(secret).toString('base64');
  await api.appendLog(claimed.id, 0, `plain ${secret} b64 ${b64}\n`);
  await api.addAnnotation(claimed.id, { level: 'error', message: `m ${secret}`, title: `t ${secret}` });
  await api.setStepSummary(claimed.id, 1, `# ${secret}`);
  await api.completeJob(claimed.id, 'failure', { out: secret }, `failed with ${secret}`);

  // The last base64 digit and the padding stay: they also depend on the byte after the secret.
  assert.match((await s.store.logs.read(`job:${claimed.id}`)).map((c) => c.text).join(''), /^plain \*\*\* b64 \*\*\*[A-Za-z0-9+/]?=*\n$/);
  const [annotation] = await s.store.runOutputs.annotations(run.id);
  assert.deepEqual([annotation?.message, annotation?.title], ['m ***', 't ***']);
  const [summary] = await s.store.runOutputs.summaries(run.id);
  assert.equal(summary?.markdown, '# ***');
  const row = await s.store.runs.job(claimed.id);
  assert.deepEqual(JSON.parse(row!.outputs!), { out: '***' });
  assert.equal(row!.error, 'failed with ***');
});

test('a RunnerApi that did not hand the job out (a restarted server) masks with the secrets read again, its environment\'s included', async () => {
  const s = await setup();
  const envSecret = 'only-after-the-gate';
  const scheduler = new Scheduler({
    store: s.store, events: s.events, leaseMs: 60_000,
    // As jobSecretsFor: the environment's secrets only for a job that got through its gate.
    secretsFor: async (r: JobSecretsRequest) => ({ secrets: { TOKEN: secret }, ...(r.approved ? { environment: { ENV: envSecret } } : {}), notes: [] }),
  });
  const options = { runnerName: 'r', scheduler, store: s.store, events: s.events, sourceOf: () => '', registry: { host: '', insecure: true } };
  await s.createRun(wf(job('build', '    environment: staging\n')));
  const claimed = await inProcessRunnerApi(options).claim(['local']);
  assert.ok(claimed);
  assert.deepEqual(claimed.contexts.secrets, { TOKEN: secret });
  const restarted = inProcessRunnerApi(options);
  await restarted.appendLog(claimed.id, 0, `${secret} ${envSecret}\n`);
  await restarted.completeJob(claimed.id, 'failure', { out: envSecret }, `failed with ${secret}`);
  assert.equal((await s.store.logs.read(`job:${claimed.id}`)).map((c) => c.text).join(''), '*** ***\n', 'masked with more than the claim gave, never less');
  const row = await s.store.runs.job(claimed.id);
  assert.deepEqual([JSON.parse(row!.outputs!), row!.error], [{ out: '***' }, 'failed with ***']);
});
