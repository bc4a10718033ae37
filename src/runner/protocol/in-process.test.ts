import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setup, job, wf } from '../../scheduler/test-support.ts';
import { gitOk } from '../../git/test-support.ts';
import { ActionSources, readAnything } from '../../git/actions/action-sources.ts';
import { inProcessRunnerApi } from './in-process.ts';
import { runRunnerApiContract } from './runner-api.contract.ts';

runRunnerApiContract('in-process', async () => {
  const s = await setup();
  const root = await mkdtemp(join(tmpdir(), 'slipway-in-process-contract-'));
  const actionRepo = join(root, 'tools.git');
  const sources = new ActionSources({ sources: [{ name: 'instance' }], dir: join(root, 'actions'), projectsOwner: 'local', projectRepo: (p) => (p === 'tools' ? actionRepo : undefined), timeoutMs: 5000 });
  const api = inProcessRunnerApi({
    runnerName: 'contract', scheduler: s.scheduler, store: s.store, events: s.events, sourceOf: () => '',
    registry: { host: '', insecure: true }, actions: { sources, accessFor: () => readAnything },
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
    async hostAction(files) {
      const work = join(root, 'work');
      await gitOk(root, ['init', '-q', '-b', 'main', work]);
      for (const [name, text] of Object.entries(files)) {
        await mkdir(dirname(join(work, name)), { recursive: true });
        await writeFile(join(work, name), text);
        if (name.endsWith('.sh')) await chmod(join(work, name), 0o755);
      }
      await gitOk(work, ['add', '-A']);
      await gitOk(work, ['commit', '-q', '-m', 'action']);
      await gitOk(root, ['clone', '-q', '--bare', work, actionRepo]);
      return { uses: 'local/tools@main', sha: await gitOk(work, ['rev-parse', 'HEAD']) };
    },
    close: () => rm(root, { recursive: true, force: true }),
  };
});
