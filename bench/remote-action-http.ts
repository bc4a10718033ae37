// Remote actions on a remote runner (issue 13): time to resolve and start a remote action
// over the HTTP runner protocol against a real started server, with the runner's cache cold
// (the tree downloaded: resolve + archive by SHA + verify + unpack) and warm (resolve only),
// and the tree's archive size. "Start" is as in bench/remote-action.ts: resolve, copy the
// tree into the job's actions dir, read action.yml. The server's own cache is warm after the
// first resolution. Medians of N each, cold and warm alternating.
// Usage: node bench/remote-action-http.ts [--iterations N] [--files N] [--file-kib K]
import { randomBytes } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { chmod, cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { commitAndPush, startHarness, workingCopy } from '../test/support/harness.ts';
import { connectHttpRunnerApi } from '../src/runner/protocol/http-client.ts';
import { ActionTreeCache } from '../src/runner/protocol/http-action-trees.ts';
import { loadAction } from '../src/runner/actions/action-file.ts';
import { startRun } from '../src/scheduler/start-run.ts';
import { parseWorkflow } from '../src/workflow/parse/parse-workflow.ts';
import { job, wf } from '../src/scheduler/test-support.ts';

const { values } = parseArgs({ options: { iterations: { type: 'string', default: '20' }, files: { type: 'string', default: '50' }, 'file-kib': { type: 'string', default: '2' } } });
const iterations = Number(values.iterations);
const mid = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

const h = await startHarness({ env: { SLIPWAY_RUNNER_ENABLED: 'false' } });
const root = await mkdtemp(join(tmpdir(), 'slipway-bench-http-actions-'));
try {
  const files: Record<string, string> = { 'action.yml': 'name: bench\nruns:\n  using: composite\n  steps:\n    - run: echo hi\n      shell: bash\n', 'run.sh': 'echo hi\n' };
  // Incompressible text, so the archive is about as large as the tree.
  for (let i = 0; i < Number(values.files); i++) files[`file-${i}.txt`] = randomBytes(Number(values['file-kib']) * 768).toString('base64');
  const work = await workingCopy('slipway-bench-action-', files);
  await chmod(join(work, 'run.sh'), 0o755);
  await commitAndPush(work, h, 'bench', 'bench', 'main');
  await rm(work, { recursive: true, force: true });

  const { token } = await h.slipway.store.runnerCredentials.create('bench');
  const queue = async (n: number): Promise<string> => {
    const file = '.slipway/workflows/ci.yml';
    const { store, events, scheduler } = h.slipway;
    const trigger = { project: 'bench', ref: 'refs/heads/main', sha: 'a'.repeat(40), event: 'push', payload: {} };
    const created = await startRun({ git: { readFile: async () => undefined }, store, events, scheduler, log: () => {} }, trigger, file, parseWorkflow(file, wf(job(`j${n}`))).workflow!);
    return (await store.runs.jobs(created.id))[0]!.id;
  };
  const start = async (trees: ActionTreeCache, n: number): Promise<{ ms: number; cached: boolean }> => {
    const api = await connectHttpRunnerApi({ server: h.slipway.url, credential: token, actionTrees: trees });
    const id = await queue(n);
    await api.claim(['local']);
    const copy = join(root, 'job', 'actions');
    const t = performance.now();
    const r = await api.resolveAction(id, 'local/bench@main');
    await cp(r.tree, join(copy, r.sha), { recursive: true, verbatimSymlinks: true });
    loadAction(join(copy, r.sha));
    const ms = performance.now() - t;
    await rm(join(root, 'job'), { recursive: true, force: true });
    await api.completeJob(id, 'success', {});
    return { ms, cached: r.cached };
  };
  // The server unpacks and packs the tree once: warmed here, so the figures are the runner's.
  await start(new ActionTreeCache(async () => join(root, 'warm-up')), 0);
  const cold: number[] = [];
  const warm: number[] = [];
  for (let i = 1; i <= iterations; i++) {
    const trees = new ActionTreeCache(async () => join(root, `runner-${i}`));
    const c = await start(trees, 2 * i);
    const w = await start(trees, 2 * i + 1);
    if (c.cached || !w.cached) throw new Error(`iteration ${i}: expected a download then a cache hit`);
    cold.push(c.ms);
    warm.push(w.ms);
    await rm(join(root, `runner-${i}`), { recursive: true, force: true });
  }
  const [archive] = readdirSync(join(h.dataDir, 'actions/archives')).filter((n) => n.endsWith('.tar.gz'));
  const size = statSync(join(h.dataDir, 'actions/archives', archive!)).size;
  console.log(`remote action start over HTTP, runner cache cold (download ${(size / 1024).toFixed(1)} KiB archive)  ${mid(cold).toFixed(1)} ms`);
  console.log(`remote action start over HTTP, runner cache warm (resolve only)                     ${mid(warm).toFixed(1)} ms`);
  console.log(`(medians of ${iterations}; ${values.files} files of ${values['file-kib']} KiB; start = resolve + fetch if needed + copy into the job + read action.yml)`);
} finally {
  await h.stop();
  await rm(h.dataDir, { recursive: true, force: true });
  await rm(root, { recursive: true, force: true });
}
