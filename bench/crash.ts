// Unavailability of a deployed service across `kill -9` + restart of Slipway, measured: a
// probe asks the `local` environment for /up back to back (a connection per request) while
// the server (a child process) is killed with SIGKILL and started again, N times idle and
// once at each deploy phase (SLIPWAY_CRASH_AT, src/core/crash-point.ts). Printed per
// scenario: requests, failed requests, the longest stretch with no successful answer, and
// how long the server took to answer /healthz again.
// Usage: node bench/crash.ts [--idle N]        target: 0 failed requests
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { commitAndPush, freePort, helloWorkingCopy, podman, removeDir, waitFor, type Harness } from '../test/support/harness.ts';
import { finished, type DeploymentView } from '../test/support/api-views.ts';
import { startProbe, type ProbeResult } from '../test/support/probe.ts';
import { startServerProcess, type ServerProcess } from '../test/support/server-process.ts';

const { values } = parseArgs({ options: { idle: { type: 'string', default: '5' } } });
const idleKills = Number(values.idle);
const phases = ['deploy-started', 'deploy-checked', 'deploy-switched', 'deploy-drained', 'deploy-removing-old'];
const json = (body: unknown): RequestInit => ({ method: 'POST', body: JSON.stringify(body) });

interface Row {
  scenario: string;
  probe: ProbeResult;
  restartMs: number;
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'slipway-bench-crash-'));
  const port = await freePort();
  const publish = await freePort();
  const repo = await helloWorkingCopy(publish);
  const servers: ServerProcess[] = [];
  const start = async (env: NodeJS.ProcessEnv = {}) => {
    const s = await startServerProcess({ dataDir, port, env: { SLIPWAY_RUNNER_ENABLED: 'false', ...env } });
    servers.push(s);
    return s;
  };
  const settled = (s: ServerProcess, id: string) =>
    waitFor(`deployment ${id}`, async () => {
      const d = await s.api<DeploymentView>(`/api/deployments/${id}`).catch(() => undefined);
      return d && finished(d.status) ? d : undefined;
    }, 120_000);
  try {
    const file = join(repo, '.slipway/deploy.yml');
    await writeFile(file, (await readFile(file, 'utf8')).replace('dev: { branch: develop, ', 'dev: { '));
    let s = await start({ SLIPWAY_RUNNER_ENABLED: 'true' });
    await s.api('/api/projects', json({ name: 'hello' }));
    const h = { slipway: { url: s.url, adminToken: s.token } } as unknown as Harness;
    const shas = [await commitAndPush(repo, h, 'hello', 'A'), await commitAndPush(repo, h, 'hello', 'B')];
    const releases = await waitFor('two releases', async () => {
      const list = await s.api<{ id: string; sha: string }[]>('/api/releases?project=hello');
      const found = shas.map((sha) => list.find((r) => r.sha === sha)?.id);
      return found.every(Boolean) ? (found as string[]) : undefined;
    }, 300_000);
    const first = await settled(s, (await s.api<DeploymentView>('/api/projects/hello/environments/dev/deployments', json({ release: releases[0] }))).id);
    if (first.status !== 'success') throw new Error(`first deploy failed: ${first.error}`);
    let next = 1;
    const rows: Row[] = [];
    const url = `http://127.0.0.1:${publish}/up`;

    for (let i = 0; i < idleKills; i++) {
      const probe = startProbe(url);
      await new Promise((r) => setTimeout(r, 300));
      await s.kill();
      const t0 = Date.now();
      s = await start();
      const restartMs = Date.now() - t0;
      await new Promise((r) => setTimeout(r, 300));
      rows.push({ scenario: `idle kill -9 #${i + 1}`, probe: await probe.stop(), restartMs });
    }
    for (const point of phases) {
      await s.stop();
      const probe = startProbe(url);
      const crashing = await start({ SLIPWAY_CRASH_AT: point });
      await crashing.api('/api/projects/hello/environments/dev/deployments', json({ release: releases[next % 2] })).catch(() => undefined);
      await crashing.exited;
      const t0 = Date.now();
      s = await start();
      const restartMs = Date.now() - t0;
      const d = (await s.api<DeploymentView[]>('/api/deployments?project=hello&env=dev'))[0]!;
      const done = await settled(s, d.id);
      if (done.status === 'success') next++;
      await new Promise((r) => setTimeout(r, 300));
      rows.push({ scenario: `kill -9 at ${point}`, probe: await probe.stop(), restartMs });
      process.stderr.write(`${point}: ${done.status}: ${done.error}\n`);
    }

    console.log('\nkill -9 of Slipway + restart, a deployed service on local probed back to back (one connection per request)\n');
    console.log(`${'scenario'.padEnd(32)} ${'requests'.padStart(8)} ${'failed'.padStart(6)} ${'longest gap'.padStart(12)} ${'restart'.padStart(9)}`);
    for (const r of rows) {
      console.log(`${r.scenario.padEnd(32)} ${String(r.probe.requests).padStart(8)} ${String(r.probe.failed).padStart(6)} ${`${r.probe.longestGapMs} ms`.padStart(12)} ${`${(r.restartMs / 1000).toFixed(2)} s`.padStart(9)}`);
      for (const f of r.probe.failures) console.log(`    ${f}`);
    }
    const failed = rows.reduce((a, r) => a + r.probe.failed, 0);
    console.log(`\ntotal failed requests: ${failed} (target 0); longest gap between answers: ${Math.max(...rows.map((r) => r.probe.longestGapMs))} ms`);
  } finally {
    for (const s of servers) await s.kill();
    const instance = (await readFile(join(dataDir, 'instance.id'), 'utf8').catch(() => '')).trim();
    if (instance) await podman('ps', '-aq', '--filter', `label=slipway.instance=${instance}`).then((ids) => ids && podman('rm', '-f', '-t', '0', ...ids.split('\n'))).catch(() => {});
    await removeDir(repo);
    await removeDir(dataDir);
  }
}

await main();
