// Lead time: from `git push` returning to the dev URL answering the new commit, broken
// down by where the time goes (queue, checkout, the user's steps, image build, registry
// push, deploy phases). Usage: node bench/lead-time.ts [--runs N] [--project NAME]
// [--executor container|host]: the demo's jobs in job containers (the default) or on the
// isolated host executor (runner.host, its `self-hosted` label mapped to host), to show
// what isolation adds.
//
// Starts `bin/slipway up` as a child process on a temp data dir (its peak RSS is one of the
// figures), pushes examples/hello to `develop` once (cold: may create the base image; not
// in the medians), then N times more with a one-line change, waiting for each deployment
// to finish before the next push. The project name is unique per bench run, so that the
// clean-up by `slipway.project` label can only ever remove this run's containers, whatever
// else (a parallel e2e test, a demo) deploys a `hello` on the same engine.
import { parseArgs } from 'node:util';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startServer, type BenchServer } from './lead-time/server.ts';
import { commit, editSite, push, waitForAnswer } from './lead-time/workspace.ts';
import { freePort, helloWorkingCopy, podman, waitFor } from '../test/support/harness.ts';
import { finished, type DeploymentView, type RunView } from '../test/support/api-views.ts';
import { breakdown, type Breakdown } from './lead-time/breakdown.ts';
import { formatTable } from './lead-time/report.ts';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '5' }, project: { type: 'string' }, executor: { type: 'string', default: 'container' }, help: { type: 'boolean', short: 'h' } },
});
if (values.help) {
  console.log('usage: node bench/lead-time.ts [--runs N] [--project NAME] [--executor container|host]\n  --runs N        warm pushes measured after the cold one (default 5)\n  --project NAME  project to push to (default: hello-bench-<random>)\n  --executor E    where the jobs run: container (default) or host (runner.host)');
  process.exit(0);
}
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs: expected a positive integer, got "${values.runs}"`);
if (values.executor !== 'container' && values.executor !== 'host') throw new Error(`--executor: expected container or host, got "${values.executor}"`);
const project = values.project ?? `hello-bench-${randomBytes(3).toString('hex')}`;

const dirs: string[] = [];
const containers = new Set<string>();
const shas: string[] = [];
let server: BenchServer | undefined;

/** One push: commit, push, poll the dev URL, then read the finished run and deployment. */
async function measure(s: BenchServer, dir: string, devUrl: string, label: string, timeoutMs: number): Promise<Breakdown> {
  const sha = await commit(dir, label);
  shas.push(sha);
  const pushReturned = await push(dir, s.url, s.token, project, 'develop');
  const answered = await waitForAnswer(`${devUrl}/up`, sha, timeoutMs);
  const run = await waitFor(`run of ${sha.slice(0, 7)}`, async () => {
    const r = (await s.api<RunView[]>(`/api/runs?project=${project}`)).find((x) => x.sha === sha);
    return r && finished(r.status) ? r : undefined;
  }, 60_000);
  if (run.status !== 'success') throw new Error(`run ${run.id} ended ${run.status}:\n${await s.text(`/api/runs/${run.id}/logs`)}`);
  const deployment = await waitFor(`deployment of ${sha.slice(0, 7)}`, async () => {
    const d = (await s.api<DeploymentView[]>(`/api/deployments?project=${project}`)).find((x) => x.release?.sha === sha);
    return d && finished(d.status) ? d : undefined;
  }, 60_000);
  const deployLog = await s.text(`/api/deployments/${deployment.id}/logs`);
  if (deployment.status !== 'success') throw new Error(`deployment ${deployment.id} ended ${deployment.status}: ${deployment.error}\n${deployLog}`);
  const b = breakdown({ sha, pushReturned, answered }, await s.api<RunView>(`/api/runs/${run.id}`), await s.text(`/api/runs/${run.id}/logs`), deployment, deployLog);
  for (const c of b.containers) containers.add(c);
  return b;
}

async function cleanUp(): Promise<void> {
  await server?.stop().catch((err: Error) => console.error(`stopping the server: ${err.message}`));
  // Only this bench's containers: the names its deployments logged, plus any other with its
  // unique project label (a deployment that failed before we read its log).
  const labelled = await podman('ps', '-a', '--filter', `label=slipway.project=${project}`, '--format', '{{.Names}}').catch(() => '');
  for (const name of labelled.split('\n').filter((n) => n.startsWith(`slipway-${project}-`))) containers.add(name);
  for (const name of containers) await podman('rm', '-f', '--time', '0', name).catch(() => {});
  // The images it built (tagged by commit; the pulled-by-digest name is the same image).
  const images = new Set<string>();
  for (const sha of shas) {
    const id = await podman('image', 'inspect', '--format', '{{.Id}}', `localhost/slipway-build/${project}/hello:${sha}`).catch(() => '');
    if (id) images.add(id);
  }
  if (images.size > 0) await podman('rmi', '-f', ...images).catch((err: Error) => console.error(`removing images: ${err.message}`));
  for (const d of dirs) await rm(d, { recursive: true, force: true });
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'slipway-bench-data-'));
  dirs.push(dataDir);
  // The demo's jobs say `runs-on: self-hosted`: the job image, unless mapped to the host.
  if (values.executor === 'host') await writeFile(join(dataDir, 'config.yml'), 'runner:\n  host: true\n  labels: { self-hosted: host }\n');
  server = await startServer(dataDir);
  const publish = await freePort();
  const dir = await helloWorkingCopy(publish);
  dirs.push(dir);
  const devUrl = `http://127.0.0.1:${publish}`;
  console.error(`server ${server.url} (pid ${server.pid}), project ${project}, dev ${devUrl}`);

  const cold = await measure(server, dir, devUrl, 'cold push', 300_000);
  console.error(`cold push: ${total(cold)} ms`);
  const warm: Breakdown[] = [];
  for (let i = 1; i <= runs; i++) {
    await editSite(dir, i);
    warm.push(await measure(server, dir, devUrl, `change ${i}`, 120_000));
    console.error(`push #${i}: ${total(warm.at(-1)!)} ms`);
  }
  const memory = server.memory();

  console.log(`\nSlipway lead time, jobs on the ${values.executor === 'host' ? 'host executor' : 'container executor'}: ${runs} warm push(es) after a cold one; node ${process.version}, ${cpus().length} CPUs, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(formatTable(cold, warm));
  console.log(`\nserver peak RSS (VmHWM): ${memory.peakMb.toFixed(1)} MB; RSS at the end: ${memory.currentMb.toFixed(1)} MB`);
}

const total = (b: Breakdown) => Math.round(b.rows.find((r) => r.label.startsWith('TOTAL'))!.ms);

process.once('SIGINT', () => void cleanUp().finally(() => process.exit(130)));
try {
  await main();
} catch (err) {
  console.error(`lead-time: ${(err as Error).stack ?? String(err)}`);
  if (server) console.error(`server output:\n${server.output.join('')}`);
  process.exitCode = 1;
} finally {
  await cleanUp();
}
