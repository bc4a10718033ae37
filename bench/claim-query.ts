// The claim's query (store/repos/job-queue.ts claimableJobs) alone, on SQLite and PostgreSQL:
// 10 runs of 100 jobs in chains (each needs the one before), `--done` of each chain finished,
// so 10 jobs are runnable and the rest wait for their needs. Prints the query's median time
// per page size. Usage: node bench/claim-query.ts [--done 10]
import { parseArgs } from 'node:util';
import { migrate, openDatabase } from '../src/store/database.ts';
import { createStore } from '../src/store/store.ts';
import { startPostgres } from '../src/store/test-postgres.ts';

const { values } = parseArgs({ options: { done: { type: 'string', default: '10' }, runs: { type: 'string', default: '10' }, jobs: { type: 'string', default: '100' } } });
const done = Number(values.done);
const pg = await startPostgres();
try {
  for (const [name, connect] of [['sqlite', { sqlitePath: ':memory:' }], ['postgres', { url: await pg.database() }]] as const) {
    const db = openDatabase(connect as Parameters<typeof openDatabase>[0]);
    await migrate(db);
    const store = createStore(db);
    const project = await store.projects.ensure('bench');
    const key = (i: number) => `j${String(i).padStart(4, '0')}`;
    for (let r = 0; r < Number(values.runs); r++) {
      const jobs = Array.from({ length: Number(values.jobs) }, (_, i) => ({ key: key(i), name: key(i), needs: i > 0 ? [key(i - 1)] : [], runsOn: ['scale'] }));
      const run = await store.runs.create({ projectId: project.id, workflow: 'w.yml', name: 'w', event: 'workflow_dispatch', ref: 'refs/heads/main', sha: 'a'.repeat(40), jobs });
      const chain = await store.runs.jobs(run.id);
      for (const j of chain.slice(0, done)) await store.runs.setJob(j.id, { status: 'success' });
      // As the run's advance does after a job's end (scheduler/progress.ts).
      if (chain[done]) await store.runs.markReady([chain[done].id], new Date().toISOString());
    }
    for (const limit of [1, 4, 20]) {
      const times: number[] = [];
      let found = 0;
      for (let i = 0; i < 50; i++) {
        const t = performance.now();
        found = (await store.runs.claimableJobs(['scale'], { limit, offset: 0 })).length;
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      console.log(`${name}: page ${limit}: ${found} found, median ${times[25]!.toFixed(2)} ms, p90 ${times[45]!.toFixed(2)} ms`);
    }
    await db.destroy();
  }
} finally {
  await pg.stop();
}
