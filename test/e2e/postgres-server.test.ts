// The server on PostgreSQL (SLIPWAY_DATABASE_URL): a real cluster (src/store/test-postgres.ts),
// a real push, a run whose matrix legs run in containers, and a restart that finds it all
// again. The store's contract suite (src/store/store.test.ts) checks the repositories on
// both databases; this is the whole path through them.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { commitAndPush, git, pushRun, removeDir, runLog, startHarness, type Harness } from '../support/harness.ts';
import type { RunView } from '../support/api-views.ts';
import { startPostgres, type TestPostgres } from '../../src/store/test-postgres.ts';

const workflow = `on: push
jobs:
  test:
    runs-on: self-hosted
    strategy: { matrix: { n: [1, 2] } }
    steps: [{ run: 'echo "leg \${{ matrix.n }}"' }]
  after:
    needs: test
    runs-on: self-hosted
    steps: [{ run: echo done }]
`;

void describe('the server on PostgreSQL', () => {
  let pg: TestPostgres;
  let h: Harness;
  let work: string;
  let sha = '';

  before(async () => {
    pg = await startPostgres();
    h = await startHarness({ env: { SLIPWAY_DATABASE_URL: await pg.database() } });
    work = await mkdtemp(join(tmpdir(), 'slipway-pg-work-'));
    await mkdir(join(work, '.slipway/workflows'), { recursive: true });
    await writeFile(join(work, '.slipway/workflows/ci.yml'), workflow);
    await git(work, 'init', '-q', '-b', 'main');
  });
  after(async () => {
    await h?.stop();
    await pg?.stop();
    await removeDir(work);
  });

  const runOf = (s: string) => pushRun(h, 'pgapp', s, 180_000);

  it('a push runs to success with its matrix legs; nothing is written to slipway.db', async () => {
    sha = await commitAndPush(work, h, 'pgapp', 'first', 'main');
    const run = await runOf(sha);
    assert.equal(run.status, 'success');
    assert.deepEqual(run.jobs.map((j) => [j.key, j.status]).sort(), [['after', 'success'], ['test (1)', 'success'], ['test (2)', 'success']]);
    assert.equal(existsSync(join(h.dataDir, 'slipway.db')), false);
  });

  it('after a restart the run, its log and the project are still there, and the next push is run #2', async () => {
    await h.restart();
    const runs = await h.api<RunView[]>('/api/runs?project=pgapp');
    assert.deepEqual(runs.map((r) => [r.number, r.status]), [[1, 'success']]);
    const log = await runLog(h, runs[0]!.id);
    assert.match(log, /leg 1/);
    assert.match(log, /leg 2/);
    const second = await commitAndPush(work, h, 'pgapp', 'second', 'main');
    const run = await runOf(second);
    assert.deepEqual([run.number, run.status], [2, 'success']);
  });
});
