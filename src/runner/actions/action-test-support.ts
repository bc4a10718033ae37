// For the tests of built-in actions: the real in-process RunnerApi over a SQLite store in
// memory, with archives (artifacts, caches) under a temp data dir, and a project `demo`.
// Everything is removed after the test file.
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { openDatabase, migrate } from '../../store/database.ts';
import { createStore } from '../../store/store.ts';
import { Scheduler } from '../../scheduler/scheduler.ts';
import { EventBus } from '../../core/events.ts';
import { inProcessRunnerApi } from '../protocol/in-process.ts';

export async function actionTestServer(name: string) {
  const tmp = realpathSync(mkdtempSync(join(tmpdir(), `slipway-${name}-`)));
  after(() => rmSync(tmp, { recursive: true, force: true }));
  const dataDir = join(tmp, 'data');
  const db = openDatabase({ sqlitePath: ':memory:' });
  await migrate(db);
  after(() => db.destroy());
  const store = createStore(db);
  const events = new EventBus();
  const api = inProcessRunnerApi({
    runnerName: 't', scheduler: new Scheduler({ store, events, leaseMs: 60_000 }), store, events, sourceOf: () => '',
    registry: { host: '', insecure: true }, dataDir,
  });
  const project = await store.projects.ensure('demo');
  return { tmp, dataDir, store, api, project };
}
