// The runner protocol at scale (issue 13 "Measure"): `slipway up` child processes with
// their built-in runner off, --runners real `slipway runner` processes over HTTP, and
// --jobs jobs of one `true` step each, run on the runners' host executor (label `scale`
// mapped to `host`: a shell on the runner's machine, no container, so the figures are the
// server's and the protocol's, not podman's).
// The jobs are --runners workflow_dispatch runs, each one chain of jobs (each needs the one
// before): at most --runners jobs are ever runnable at once, one per runner, so runnable →
// started is the scheduler's and protocol's latency, never a wait behind busy runners.
// "runnable" and "started" are the store's timestamps (bench/scale/latency.ts).
// Prints jobs per second, p50/p99 runnable → started, the servers' RSS (from /proc:
// first/min/max/last, and flat or not) and CPU seconds, and the runners' CPU seconds.
// Targets: p99 ≤ 100 ms, ≥ 50 jobs/s, RSS flat.
// Usage: npm run bench:scale -- [--db sqlite|postgres|both] [--jobs 1000] [--runners 10]
//   [--servers 1|2] [--cpu-prof DIR: the servers and runners write V8 CPU profiles under DIR/DB/{server,runner} at their stop]
//   [--server-node-options '…': more NODE_OPTIONS for the servers, e.g. --import a probe]
// Default: --db both, side by side. PostgreSQL is a throwaway cluster (src/store/test-postgres.ts, fsync off).
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { git } from '../test/support/harness.ts';
import { openDatabase } from '../src/store/database.ts';
import { createStore } from '../src/store/store.ts';
import { isFinished } from '../src/core/types.ts';
import { startCluster } from './scale/cluster.ts';
import { cpuOfMatching, sampleProc, readProc, type ProcReading } from './scale/proc-sampler.ts';
import { jobPhases, jobTimes, percentile, type JobPhases, type JobTimes } from './scale/latency.ts';

const { values } = parseArgs({
  options: {
    db: { type: 'string', default: 'both' }, jobs: { type: 'string', default: '1000' }, runners: { type: 'string', default: '10' },
    servers: { type: 'string', default: '1' }, 'cpu-prof': { type: 'string' }, 'server-node-options': { type: 'string' },
  },
});
const jobs = Number(values.jobs);
const runners = Number(values.runners);
const servers = Number(values.servers);
if (!['sqlite', 'postgres', 'both'].includes(values.db)) throw new Error(`--db: "${values.db}": use sqlite, postgres or both`);
const dbs = values.db === 'both' ? (['sqlite', 'postgres'] as const) : [values.db as 'sqlite' | 'postgres'];
if (!Number.isInteger(runners) || runners < 1) throw new Error('--runners: a whole number of at least 1');
if (!Number.isInteger(jobs) || jobs < runners || jobs % runners !== 0) throw new Error(`--jobs: a multiple of --runners (${runners}): the jobs are --runners chains of equal length`);
if (servers !== 1 && servers !== 2) throw new Error('--servers: 1 or 2');
if (servers === 2 && values.db !== 'postgres') throw new Error('--servers 2 needs --db postgres: several servers share one PostgreSQL');
const label = 'scale';
const chain = jobs / runners;

/** One chain of `n` jobs, each one `true` step needing the one before. */
function chainWorkflow(n: number): string {
  const key = (i: number) => `j${String(i).padStart(4, '0')}`;
  const lines = ['name: scale', 'on: workflow_dispatch', 'jobs:'];
  for (let i = 1; i <= n; i++) lines.push(`  ${key(i)}:`, ...(i > 1 ? [`    needs: ${key(i - 1)}`] : []), `    runs-on: ${label}`, '    steps: [{ run: "true" }]');
  return `${lines.join('\n')}\n`;
}

interface Result {
  db: string;
  jobs: number;
  seconds: number;
  jobsPerSecond: number;
  latency: number[];
  phases: JobPhases[];
  /** The slowest starts: job key, runnable → started, and when it became runnable (from the first dispatch). */
  slowest: string[];
  rss: ProcReading[][];
  serverCpu: number[];
  runnerCpu: number;
  load: string;
  /** Runner-protocol requests the servers answered, by method and route (their /metrics). */
  requests: Map<string, number>;
  /** CPU seconds of the PostgreSQL backends serving the run's database. */
  postgresCpu: number | undefined;
}

/** The runner protocol's requests, summed over the servers' slipway_http_requests_total. */
async function runnerRequests(list: { get(path: string): Promise<Response> }[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const server of list) {
    for (const line of (await (await server.get('/metrics')).text()).split('\n')) {
      const m = /^slipway_http_requests_total\{method="(\w+)",route="(\/api\/runner\/[^"]*)",status="\d+"\} (\d+)/.exec(line);
      if (m) counts.set(`${m[1]} ${m[2]}`, (counts.get(`${m[1]} ${m[2]}`) ?? 0) + Number(m[3]));
    }
  }
  return counts;
}

async function loadavg(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  return (await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' ');
}

async function runOnce(db: 'sqlite' | 'postgres'): Promise<Result> {
  const profDir = values['cpu-prof'] ? resolve(values['cpu-prof'], db) : undefined;
  if (profDir) await mkdir(profDir, { recursive: true });
  const serverOptions = [...(profDir ? [`--cpu-prof --cpu-prof-dir=${profDir}/server`] : []), ...(values['server-node-options'] ? [values['server-node-options']] : [])];
  const serverEnv = serverOptions.length ? { NODE_OPTIONS: serverOptions.join(' ') } : {};
  const runnerEnv = profDir ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profDir}/runner` } : {};
  console.log(`\n== ${db}: ${servers} server(s), ${runners} runners, ${jobs} jobs as ${runners} chains of ${chain} (host executor, label ${label}=host)`);
  const cluster = await startCluster({ db, servers, runners, label, serverEnv, runnerEnv });
  const work = await mkdtemp(join(tmpdir(), 'slipway-scale-wc-'));
  const store = createStore(openDatabase(cluster.database));
  try {
    await mkdir(join(work, '.slipway/workflows'), { recursive: true });
    await writeFile(join(work, '.slipway/workflows/scale.yml'), chainWorkflow(chain));
    await git(work, 'init', '-q', '-b', 'main');
    await git(work, 'add', '-A');
    await git(work, 'commit', '-q', '-m', 'scale');
    const [first] = cluster.servers;
    await first!.push(work, 'scale');
    const cpuBefore = await Promise.all(cluster.runners.map((r) => readProc(r.pid!)));
    // PostgreSQL's backends for this database name it in their command line.
    const database = 'url' in cluster.database ? new URL(cluster.database.url).pathname.slice(1) : undefined;
    const pgBefore = database ? await cpuOfMatching(` ${database} `) : new Map<number, number>();
    const samplers = cluster.servers.map((s) => sampleProc(s.pid, 250));
    const started = Date.now();
    const runIds: string[] = [];
    for (let i = 0; i < runners; i++) {
      // Spread over the servers: each one plans and serves some of the runs.
      const server = cluster.servers[i % cluster.servers.length]!;
      runIds.push((await server.api<{ id: string }>('/api/projects/scale/workflows/scale.yml/dispatches', { method: 'POST', body: JSON.stringify({ ref: 'main' }) })).id);
    }
    // Done when every run has finished: read from the store, not the API, so the bench's
    // polling is not part of the server's work.
    // Bounded: at least 5 jobs/s after two minutes of grace, or the bench fails saying how far it got.
    const deadline = started + 120_000 + jobs * 200;
    for (;;) {
      const runs = await Promise.all(runIds.map((id) => store.runs.require(id)));
      if (runs.every((r) => isFinished(r.status))) {
        const failed = runs.filter((r) => r.status !== 'success');
        if (failed.length) throw new Error(`runs ${failed.map((r) => `${r.id} ${r.status} ${r.error ?? ''}`).join(', ')}`);
        break;
      }
      if (Date.now() > deadline) {
        const statuses = new Map<string, number>();
        for (const id of runIds) for (const j of await store.runs.jobs(id)) statuses.set(j.status, (statuses.get(j.status) ?? 0) + 1);
        throw new Error(`the runs did not finish in ${(deadline - started) / 1000} s; jobs: ${[...statuses].map(([k, n]) => `${n} ${k}`).join(', ')}`);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    const rss = await Promise.all(samplers.map((s) => s.stop()));
    const requests = await runnerRequests(cluster.servers);
    const pgAfter = database ? await cpuOfMatching(` ${database} `) : new Map<number, number>();
    const postgresCpu = database ? [...pgAfter].reduce((sum, [pid, cpu]) => sum + cpu - (pgBefore.get(pid) ?? 0), 0) : undefined;
    const cpuAfter = await Promise.all(cluster.runners.map((r) => readProc(r.pid!)));
    const times: JobTimes[] = [];
    const phases: JobPhases[] = [];
    for (const id of runIds) {
      const rows = await store.runs.jobs(id);
      times.push(...jobTimes(rows));
      for (const j of rows) {
        const p = jobPhases(j, await store.runs.steps(j.id, j.attempt));
        if (p) phases.push(p);
      }
    }
    const from = Math.min(...times.map((t) => t.runnable));
    const to = Math.max(...times.map((t) => t.finished));
    const seconds = (to - from) / 1000;
    return {
      db, jobs: times.length, seconds, jobsPerSecond: times.length / seconds,
      latency: times.map((t) => t.started - t.runnable), phases,
      slowest: [...times].sort((a, b) => b.started - b.runnable - (a.started - a.runnable)).slice(0, 5).map((t) => `${t.key} ${t.started - t.runnable} ms at ${((t.runnable - started) / 1000).toFixed(1)} s`),
      rss, serverCpu: rss.map((r) => r.at(-1)!.cpuSeconds - r[0]!.cpuSeconds),
      runnerCpu: cpuAfter.reduce((sum, r, i) => sum + r.cpuSeconds - cpuBefore[i]!.cpuSeconds, 0),
      load: await loadavg(), requests, postgresCpu,
    };
  } finally {
    await store.db.destroy();
    await cluster.stop();
    await rm(work, { recursive: true, force: true });
  }
}

const mb = (n: number) => `${(n / 1048576).toFixed(0)} MB`;
/** Flat: after the first quarter of the run (start-up and warm-up), RSS stays within ±10% of its value then. */
function rssLine(readings: ProcReading[]): string {
  const all = readings.map((r) => r.rssBytes);
  const base = all[Math.floor(all.length / 4)]!;
  const later = all.slice(Math.floor(all.length / 4));
  const worst = Math.max(...later.map((v) => Math.abs(v / base - 1)));
  const quarters = [1, 2, 3].map((q) => mb(all[Math.floor((all.length * q) / 4)]!)).join(' / ');
  return `first ${mb(all[0]!)}, min ${mb(Math.min(...all))}, max ${mb(Math.max(...all))}, last ${mb(all.at(-1)!)}; at 1/4, 1/2, 3/4 of the run ${quarters}; after the first quarter within ${(worst * 100).toFixed(0)}% of ${mb(base)} (${worst <= 0.1 ? 'flat' : 'NOT flat'})`;
}

/** --servers 2: what a failure means, before its own message. */
async function runServers(db: 'sqlite' | 'postgres'): Promise<Result> {
  if (servers === 1) return runOnce(db);
  try {
    return await runOnce(db);
  } catch (err) {
    console.error(`\n--servers 2 FAILED: two servers on one PostgreSQL, the runs dispatched on both, runners spread over them.`);
    console.error('It needs several servers serving one installation (issue 13 item 5, docs/scaling.md: one database, git directory and secrets key, events across processes).');
    console.error(`What failed: ${(err as Error).message}`);
    process.exit(2);
  }
}

const results: Result[] = [];
for (const db of dbs) {
  const r = await runServers(db);
  results.push(r);
  const p50 = percentile(r.latency, 50);
  const p99 = percentile(r.latency, 99);
  console.log(`jobs: ${r.jobs} in ${r.seconds.toFixed(1)} s = ${r.jobsPerSecond.toFixed(1)} jobs/s (target ≥ 50)`);
  console.log(`runnable → started: p50 ${p50} ms, p99 ${p99} ms, max ${Math.max(...r.latency)} ms (target p99 ≤ 100)`);
  console.log(`slowest starts: ${r.slowest.join('; ')}`);
  const med = (k: keyof JobPhases) => percentile(r.phases.map((p) => p[k]), 50);
  console.log(`a job on its runner (medians): claim → step started ${med('setup')} ms, step ${med('steps')} ms, step ended → job completed ${med('close')} ms`);
  r.rss.forEach((readings, i) => console.log(`server ${i + 1} RSS: ${rssLine(readings)}; CPU ${r.serverCpu[i]!.toFixed(1)} s`));
  console.log(`runner requests a job: ${[...r.requests].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${(n / r.jobs).toFixed(2)}`).join(', ')}`);
  const pg = r.postgresCpu === undefined ? '' : `; PostgreSQL backends' CPU ${r.postgresCpu.toFixed(1)} s`;
  console.log(`runners' CPU: ${r.runnerCpu.toFixed(1)} s over ${runners} processes${pg}; load average at the end ${r.load}`);
}
if (results.length > 1) {
  console.log('\n| db | jobs/s | p50 ms | p99 ms | server CPU s | RSS first→last (max) | load |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of results) {
    const rss = r.rss[0]!;
    console.log(`| ${r.db} | ${r.jobsPerSecond.toFixed(1)} | ${percentile(r.latency, 50)} | ${percentile(r.latency, 99)} | ${r.serverCpu.map((c) => c.toFixed(1)).join(' + ')} | ${mb(rss[0]!.rssBytes)}→${mb(rss.at(-1)!.rssBytes)} (${mb(Math.max(...rss.map((x) => x.rssBytes)))}) | ${r.load} |`);
  }
}
