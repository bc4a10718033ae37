// Memory per log reader (issue 10 "Logs streamed in constant memory"): a 200 MB job log is
// written straight into a data dir's store (as a runner's 64 KiB chunks would arrive), then
// a real `slipway up` (a child process, runner off) serves it to 3 concurrent downloads of
// the run's log and 1 slow SSE follower, while this process samples the server's RSS
// (/proc/<pid>/status) and a worker thread times /healthz one request after another. Prints the server's
// peak RSS over its idle baseline and /healthz p50 / p99 / max.
// Usage: node bench/log-readers.ts [--mb 200] [--downloads 3] [--follower-mbps 25]
import { spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { openDatabase, migrate } from '../src/store/database.ts';
import { createStore } from '../src/store/store.ts';
import { jobLogStream } from '../src/store/repos/logs.ts';
import { freePort, removeDir, waitFor } from '../test/support/harness.ts';
import { mainTs } from '../test/support/cli.ts';

const { values } = parseArgs({ options: { mb: { type: 'string', default: '200' }, downloads: { type: 'string', default: '3' }, 'follower-mbps': { type: 'string', default: '25' } } });
const totalBytes = Number(values.mb) * 1e6;
const downloads = Number(values.downloads);
const followerRate = Number(values['follower-mbps']) * 1e6;
const mb = (n: number) => (n / 1e6).toFixed(1);

/**
 * Times /healthz one request after another (20 ms apart) from a thread of its own: this
 * thread is busy taking in the downloads, and its delays must not count as the server's.
 */
function startProber(url: string): { stop(): Promise<number[]> } {
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
    let on = true;
    const latencies = [];
    parentPort.on('message', () => (on = false));
    (async () => {
      while (on) {
        const t0 = performance.now();
        await fetch(workerData + '/healthz').then((r) => r.text());
        latencies.push(performance.now() - t0);
        await new Promise((r) => setTimeout(r, 20));
      }
      parentPort.postMessage(latencies);
    })();`,
    { eval: true, workerData: url },
  );
  const done = new Promise<number[]>((resolve) => worker.once('message', resolve));
  return {
    async stop() {
      worker.postMessage('stop');
      const latencies = await done;
      await worker.terminate();
      return latencies;
    },
  };
}

function percentiles(latencies: number[]): string {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(1);
  return `${sorted.length} requests, p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${sorted.at(-1)!.toFixed(1)} ms`;
}

const dataDir = await mkdtemp(join(tmpdir(), 'slipway-bench-logs-'));
let child: ReturnType<typeof spawn> | undefined;
try {
  // 1. The log, written through the store as the runner protocol stores chunks.
  const writeStarted = performance.now();
  const db = openDatabase({ sqlitePath: join(dataDir, 'slipway.db') });
  await migrate(db);
  const store = createStore(db);
  const project = await store.projects.ensure('bench');
  const run = await store.runs.create({ projectId: project.id, workflow: '.slipway/workflows/ci.yml', name: 'ci', event: 'push', ref: 'refs/heads/main', sha: '0'.repeat(40), jobs: [{ key: 'loud', name: 'loud', needs: [], runsOn: ['self-hosted'] }] });
  const [job] = await store.runs.jobs(run.id);
  const line = `${'x'.repeat(99)}\n`;
  const chunk = line.repeat(Math.floor(65_536 / line.length));
  const chunks = Math.ceil(totalBytes / chunk.length);
  for (let seq = 0; seq < chunks; seq++) await store.logs.append(jobLogStream(job!.id, 1), seq, chunk);
  const t = new Date().toISOString();
  await store.runs.setJob(job!.id, { status: 'success', finished_at: t });
  await store.runs.update(run.id, { status: 'success', finished_at: t });
  await db.destroy();
  const logBytes = chunks * chunk.length;
  console.log(`stored a ${mb(logBytes)} MB log in ${chunks} chunks in ${((performance.now() - writeStarted) / 1000).toFixed(1)} s`);

  // 2. The server, alone in its process.
  const port = await freePort();
  child = spawn(process.execPath, [mainTs, 'up', '--data', dataDir, '--port', String(port)], { env: { PATH: process.env.PATH, HOME: process.env.HOME, SLIPWAY_RUNNER_ENABLED: 'false' }, stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  await waitFor('the server', async () => ((await fetch(`${url}/healthz`).then((r) => r.ok).catch(() => false)) ? true : undefined), 60_000);
  const token = (await readFile(join(dataDir, 'admin.token'), 'utf8')).trim();
  const auth = { authorization: `Bearer ${token}` };
  const rss = async () => Number(/VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${child!.pid}/status`, 'utf8'))![1]) * 1024;

  // Idle baseline: the highest RSS over two seconds of nothing but /healthz, after one small request.
  await fetch(`${url}/api/runs/${run.id}`, { headers: auth }).then((r) => r.text());
  const idleProber = startProber(url);
  let baseline = 0;
  for (let i = 0; i < 20; i++, await sleep(100)) baseline = Math.max(baseline, await rss());
  const idleLatencies = await idleProber.stop();

  // 3. Readers, a sampler and a /healthz prober, all at once.
  let reading = true;
  let peak = baseline;
  const sampler = (async () => {
    while (reading) {
      peak = Math.max(peak, await rss());
      await sleep(50);
    }
  })();
  const prober = startProber(url);
  const read = async (label: string, path: string, headers: Record<string, string>, bytesPerSecond?: number) => {
    const t0 = performance.now();
    const res = await fetch(`${url}${path}`, { headers: { ...auth, ...headers } });
    if (!res.ok) throw new Error(`${path}: ${res.status}`);
    let bytes = 0;
    for await (const part of res.body!) {
      bytes += (part as Uint8Array).byteLength;
      // A slow client: reads no faster than its rate, so the server must hold back, not buffer.
      if (bytesPerSecond) {
        const ahead = bytes / bytesPerSecond - (performance.now() - t0) / 1000;
        if (ahead > 0) await sleep(ahead * 1000);
      }
    }
    const s = (performance.now() - t0) / 1000;
    return `${label}: ${mb(bytes)} MB in ${s.toFixed(1)} s`;
  };
  const readers = [
    ...Array.from({ length: downloads }, (_, i) => read(`download ${i + 1}`, `/api/runs/${run.id}/logs`, {})),
    read(`SSE follower at ${mb(followerRate)} MB/s`, `/api/runs/${run.id}/logs?follow=1`, { accept: 'text/event-stream' }, followerRate),
  ];
  const results = await Promise.all(readers);
  reading = false;
  const [latencies] = await Promise.all([prober.stop(), sampler]);
  for (const r of results) console.log(r);
  console.log(`server RSS: idle ${mb(baseline)} MB, peak ${mb(peak)} MB while ${downloads} downloads and 1 slow follower read the log: +${mb(peak - baseline)} MB over idle`);
  console.log(`/healthz idle, before the reads: ${percentiles(idleLatencies)} (the machine's own noise)`);
  console.log(`/healthz during the reads: ${percentiles(latencies)}`);
} finally {
  child?.kill('SIGKILL');
  await removeDir(dataDir);
}
