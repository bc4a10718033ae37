// The server is killed (SIGKILL, SLIPWAY_CRASH_AT=log-archived) right after it wrote an
// ended job's log into the object store and before it deleted the chunks from the database.
// Both copies survive; after the restart the start-up pass archives the log again (the same
// object), deletes the chunks, and the log reads whole: every line once. Host jobs
// (runner.host), files in the data dir (the embedded default).
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openDatabase } from '../../src/store/database.ts';
import { git, removeDir, waitFor, workingCopy, numberedLines } from '../support/harness.ts';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import type { RunView } from '../support/api-views.ts';

const lines = 300;
const workflow = `on: push
jobs:
  t:
    runs-on: [self-hosted, host]
    steps:
      - run: for i in $(seq 1 ${lines}); do echo "line $i"; done
`;

const dirs: string[] = [];
let server: ServerProcess | undefined;
after(async () => {
  await server?.kill();
  for (const d of dirs) await removeDir(d);
});


async function chunkRows(dataDir: string, stream: string): Promise<number> {
  const db = openDatabase({ sqlitePath: join(dataDir, 'slipway.db') });
  try {
    return (await db.selectFrom('log_chunks').select('seq').where('stream', '=', stream).execute()).length;
  } finally {
    await db.destroy();
  }
}

test('killed between archiving a log and deleting its chunks: the restart archives it again, every line once', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'slipway-crash-archive-'));
  const work = await workingCopy('slipway-crash-archive-work-', { '.slipway/workflows/ci.yml': workflow });
  dirs.push(dataDir, work);
  await git(work, 'add', '-A');
  await git(work, 'commit', '-q', '-m', 'count');
  server = await startServerProcess({ dataDir, env: { SLIPWAY_RUNNER_HOST: 'true', SLIPWAY_CRASH_AT: 'log-archived' } });
  const port = server.port;
  await server.push(work, 'counting');
  assert.equal(await server.exited, 'SIGKILL', server.output());

  const objects = join(dataDir, 'storage', 'objects', 'logs');
  const [streamDir] = readdirSync(objects);
  assert.match(streamDir ?? '', /^job:job_/, 'the archive object was written');
  const stream = streamDir!;
  assert.ok((await chunkRows(dataDir, stream)) > 0, 'the chunks are still in the database');

  server = await startServerProcess({ dataDir, env: { SLIPWAY_RUNNER_HOST: 'true' }, port });
  await waitFor('the start-up pass', async () => ((await chunkRows(dataDir, stream)) === 0 ? true : undefined), 30_000);
  assert.match(server.output(), /logs: archived 1 ended log\(s\) left in the database/);
  assert.equal(readdirSync(join(objects, stream)).length, 1, 'one object: the same one, written again');
  const [run] = await server.json<RunView[]>('/api/runs?project=counting');
  assert.equal(run?.status, 'success');
  const log = await (await server.get(`/api/runs/${run.id}/logs`)).text();
  assert.deepEqual(numberedLines(log), Array.from({ length: lines }, (_, i) => i + 1), 'every line once');
  await server.stop();
});
