// A scheduler over a real in-memory SQLite store and a real event bus, with runs created
// from workflow YAML by src/scheduler/start-run.ts, as every trigger creates them.
import assert from 'node:assert/strict';
import { openDatabase, migrate } from '../store/database.ts';
import { createStore, type Store } from '../store/store.ts';
import { EventBus, type SlipwayEvents } from '../core/events.ts';
import { parseWorkflow } from '../workflow/parse/parse-workflow.ts';
import type { Workflow } from '../workflow/model.ts';
import { Scheduler } from './scheduler.ts';
import type { Job, Run } from '../store/repos/runs.ts';
import { startRun } from './start-run.ts';

export interface RunOptions {
  /** Called reusable workflows: repository path → YAML. */
  called?: Record<string, string>;
  inputs?: Record<string, unknown>;
  ref?: string;
}

interface Setup {
  store: Store;
  events: EventBus;
  scheduler: Scheduler;
  seen: { name: keyof SlipwayEvents; args: unknown[] }[];
  count(name: keyof SlipwayEvents, arg?: unknown): number;
  createRun(yaml: string, options?: RunOptions): Promise<Run>;
  jobsByKey(runId: string, attempt?: number): Promise<Record<string, Job>>;
  /** Claims one job for runner r1 and completes it with `status`; returns its key. */
  runOne(status?: 'success' | 'failure' | 'cancelled', outputs?: Record<string, string>, labels?: string[]): Promise<string | undefined>;
}

const parse = (file: string, yaml: string): Workflow => {
  const { workflow, diagnostics } = parseWorkflow(file, yaml);
  assert.deepEqual(diagnostics, []);
  return workflow!;
};

export async function setup(leaseMs = 60_000): Promise<Setup> {
  const db = openDatabase({ sqlitePath: ':memory:' });
  await migrate(db);
  const store = createStore(db);
  const events = new EventBus();
  const seen: Setup['seen'] = [];
  const names: (keyof SlipwayEvents)[] = ['stream-end', 'run-updated', 'run-finished', 'jobs-available', 'job-cancel'];
  for (const name of names) events.on(name, (...args: unknown[]) => seen.push({ name, args }));
  const scheduler = new Scheduler({ store, events, leaseMs });
  const s: Setup = {
    store,
    events,
    scheduler,
    seen,
    count: (name, arg) => seen.filter((e) => e.name === name && (arg === undefined || e.args[0] === arg)).length,
    async createRun(yaml, options = {}) {
      const file = '.slipway/workflows/ci.yml';
      const called = options.called ?? {};
      const git = { readFile: async (_project: string, _sha: string, path: string) => called[path] };
      const trigger = { project: 'demo', ref: options.ref ?? 'refs/heads/main', sha: 'a'.repeat(40), event: 'push', payload: {}, inputs: options.inputs };
      const created = await startRun({ git, store, events, scheduler, log: () => {} }, trigger, file, parse(file, yaml));
      assert.equal(created.error, null);
      return store.runs.require(created.id);
    },
    async jobsByKey(runId, attempt) {
      return Object.fromEntries((await store.runs.jobs(runId, attempt)).map((j) => [j.key, j]));
    },
    async runOne(status = 'success', outputs = {}, labels = ['local']) {
      const c = await scheduler.claim('r1', labels);
      if (!c) return undefined;
      await scheduler.completeJob(c.job.id, 'r1', status, outputs);
      return c.job.key;
    },
  };
  return s;
}

export const job = (id: string, extra = '') => `  ${id}:\n    runs-on: local\n${extra}    steps:\n      - run: echo ${id}\n`;
export const wf = (...jobs: string[]) => `name: ci\non: push\njobs:\n${jobs.join('')}`;
