// Zero downtime, measured: wrk keeps requests flowing at an environment while Slipway
// deploys a new release to it, 10 times (alternating two releases whose images are already
// on the host), then rolls back 3 times. Two targets side by side, in one run:
// - ssh: a host reached over SSH (a network namespace with its own sshd and podman, as in
//   the e2e tests), behind HAProxy driven through its admin socket;
// - local: this machine's engine, behind HAProxy in a container on this machine.
// Printed per target: total and failed requests (non-2xx + socket errors), p99 and max
// latency during the switches, and deploy/rollback durations next to the health check's.
// Usage: node bench/deploy.ts [--deploys N] [--rollbacks N] [--connections N]
import { parseArgs } from 'node:util';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startHarness, helloWorkingCopy, commitAndPush, waitFor, freePort, removeDir, podman, type Harness } from '../test/support/harness.ts';
import { finished, type DeploymentView } from '../test/support/api-views.ts';
import { startTestHosts, type TestHost } from '../test/support/netns-hosts.ts';
import { startLoad, type LoadResult } from './deploy/wrk.ts';

const { values } = parseArgs({ options: { deploys: { type: 'string', default: '10' }, rollbacks: { type: 'string', default: '3' }, connections: { type: 'string', default: '8' } } });
const deploys = Number(values.deploys);
const rollbacks = Number(values.rollbacks);
const connections = Number(values.connections);

interface Sample {
  kind: 'deploy' | 'rollback';
  load: LoadResult;
  totalMs: number;
  healthMs: number;
}

const json = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function settle(h: Harness, id: string): Promise<DeploymentView> {
  return waitFor(`deployment ${id}`, async () => {
    const d = await h.api<DeploymentView>(`/api/deployments/${id}`);
    return finished(d.status) ? d : undefined;
  }, 120_000);
}

/** Milliseconds between the "waiting for" and "healthy after" lines (the health check's own time); NaN if absent. */
function healthMs(log: string): number {
  const at = (what: string) => Number(new RegExp(`\\[\\s*([\\d.]+)s\\] (?:\\[[^\\]]+\\] )?${what}`).exec(log)?.[1] ?? NaN) * 1000;
  return at('healthy after') - at('waiting for http');
}

async function measure(h: Harness, env: string, url: string, kind: Sample['kind'], body: unknown): Promise<Sample> {
  const load = startLoad(url, connections);
  await new Promise((r) => setTimeout(r, 300)); // load established before the switch
  const path = `/api/projects/hello/environments/${env}/${kind === 'deploy' ? 'deployments' : 'rollbacks'}`;
  const d = await settle(h, (await h.api<DeploymentView>(path, json(body))).id);
  await new Promise((r) => setTimeout(r, 300)); // and after it: the old container is gone
  const result = await load.stop();
  const log = await (await fetch(`${h.slipway.url}/api/deployments/${d.id}/logs`, { headers: { authorization: `Bearer ${h.slipway.adminToken}` } })).text();
  if (d.status !== 'success') throw new Error(`${env} ${kind} failed: ${d.error}\n${log}`);
  if (process.env.BENCH_LOG) process.stderr.write(`${log}\n`);
  if (result.failed > 0) process.stderr.write(`${env} ${kind}: ${result.failed} failed requests\n${result.raw}\n${log}\n`);
  return { kind, load: result, totalMs: Date.parse(d.finishedAt!) - Date.parse(d.startedAt!), healthMs: healthMs(log) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const fmt = (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : 'n/a');

function report(target: string, samples: Sample[]): string[] {
  const d = samples.filter((s) => s.kind === 'deploy');
  const r = samples.filter((s) => s.kind === 'rollback');
  const sum = (xs: Sample[], f: (s: Sample) => number) => xs.reduce((a, s) => a + f(s), 0);
  const overHealth = d.map((s) => s.totalMs - s.healthMs);
  return [
    target,
    `${sum(samples, (s) => s.load.requests)}`,
    `${sum(samples, (s) => s.load.failed)}`,
    `${Math.max(...samples.map((s) => s.load.p99Ms)).toFixed(1)} ms`,
    `${Math.max(...samples.map((s) => s.load.maxMs)).toFixed(1)} ms`,
    `${fmt(median(d.map((s) => s.totalMs)))} (max ${fmt(Math.max(...d.map((s) => s.totalMs)))})`,
    `${fmt(median(overHealth))} (max ${fmt(Math.max(...overHealth))})`,
    `${fmt(median(r.map((s) => s.totalMs)))} (max ${fmt(Math.max(...r.map((s) => s.totalMs)))})`,
  ];
}

async function main(): Promise<void> {
  const h = await startHarness();
  let closeHosts: (() => Promise<void>) | undefined;
  let repo: string | undefined;
  try {
    const { publicKey } = await h.api<{ publicKey: string }>('/api/hosts/key');
    const started = await startTestHosts({ count: 1, authorizedKey: publicKey });
    closeHosts = started.close;
    const host: TestHost = started.hosts[0]!;
    const localPort = await freePort();
    repo = await helloWorkingCopy(localPort);
    const file = join(repo, '.slipway/deploy.yml');
    // No branch: pushes only build releases; the bench deploys them.
    await writeFile(file, (await readFile(file, 'utf8')).replace(/ {2}dev: .*\n/, `  local: { hosts: [local], publish: ${localPort} }\n  ssh: { hosts: ["${host.url}"], publish: 8080 }\n`));
    await h.api('/api/projects', json({ name: 'hello' }));
    const shas = [await commitAndPush(repo, h, 'hello', 'A'), await commitAndPush(repo, h, 'hello', 'B')];
    const releases = await waitFor('two releases', async () => {
      const list = await h.api<{ id: string; sha: string }[]>('/api/releases?project=hello');
      const found = shas.map((sha) => list.find((r) => r.sha === sha)?.id);
      return found.every(Boolean) ? (found as string[]) : undefined;
    }, 120_000);
    const targets = [
      { env: 'ssh', url: `http://${host.ip}:8080/up` },
      { env: 'local', url: `http://127.0.0.1:${localPort}/up` },
    ];
    const rows: string[][] = [];
    for (const t of targets) {
      // Warm-up (not measured): both images on the host, the proxy started.
      for (const release of releases) {
        const d = await settle(h, (await h.api<DeploymentView>(`/api/projects/hello/environments/${t.env}/deployments`, json({ release }))).id);
        if (d.status !== 'success') throw new Error(`warm-up deploy to ${t.env} failed: ${d.error}`);
      }
      const samples: Sample[] = [];
      for (let i = 0; i < deploys; i++) samples.push(await measure(h, t.env, t.url, 'deploy', { release: releases[i % 2]! }));
      for (let i = 0; i < rollbacks; i++) samples.push(await measure(h, t.env, t.url, 'rollback', {}));
      rows.push(report(t.env === 'ssh' ? 'ssh host (HAProxy)' : 'local (HAProxy)', samples));
      process.stderr.write(`${t.env}: done\n`);
    }
    const headers = ['target', 'requests', 'failed', 'p99 (worst switch)', 'max latency', 'deploy (median)', 'deploy minus health check', 'rollback (median)'];
    console.log(`\n${deploys} deploys + ${rollbacks} rollbacks per target, wrk -t1 -c${connections} (one thread: a 2-core machine also runs Slipway, podman and the app), images already on the host\n`);
    for (const row of rows) {
      console.log(row[0]);
      headers.slice(1).forEach((hd, i) => console.log(`  ${hd.padEnd(28)} ${row[i + 1]}`));
    }
    console.log('\ntargets: 0 failed requests; deploy within the health check + 2 s; rollback within 3 s');
  } finally {
    await h.stop();
    await closeHosts?.();
    if (repo) await removeDir(repo);
    // This installation's containers on this machine: the local environment's app and its proxy.
    const instance = (await readFile(join(h.dataDir, 'instance.id'), 'utf8')).trim();
    await podman('ps', '-aq', '--filter', `label=slipway.instance=${instance}`).then((ids) => ids && podman('rm', '-f', '-t', '0', ...ids.split('\n'))).catch(() => {});
  }
}

await main();
