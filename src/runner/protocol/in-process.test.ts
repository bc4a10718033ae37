import { setup, job, wf } from '../../scheduler/test-support.ts';
import { inProcessRunnerApi } from './in-process.ts';
import { runRunnerApiContract } from './runner-api.contract.ts';

runRunnerApiContract('in-process', async () => {
  const s = await setup();
  const api = inProcessRunnerApi({
    runnerName: 'contract', scheduler: s.scheduler, store: s.store, events: s.events, sourceOf: () => '',
    registry: { host: '', insecure: true },
  });
  return {
    api,
    async queueJob(id) {
      const run = await s.createRun(wf(job(id)));
      const [queued] = await s.store.runs.jobs(run.id);
      return queued!.id;
    },
    async job(jobId) {
      const row = await s.store.runs.job(jobId);
      return { status: row!.status, outputs: row!.outputs ? (JSON.parse(row!.outputs) as Record<string, string>) : {} };
    },
    async log(jobId) {
      return (await s.store.logs.read(`job:${jobId}`)).map((c) => c.text).join('');
    },
    async cancel(jobId) {
      await s.scheduler.cancelRun((await s.store.runs.job(jobId))!.run_id);
    },
    close: async () => {},
  };
});
