// Workflow engine figures (issue 2 "Tests and measures"): planning time for a 1,000-leg
// matrix and a 500-job DAG (target < 50 ms), and the shell executor's per-step overhead
// beyond spawning the step's shell (target < 5 ms a step); and the container executor
// (issue 9), next to it: per-step overhead inside the job container (target ≤ 20 ms) and
// job start, from `podman run` to the step supervisor ready (target ≤ 1 s); and remote
// actions (issue 12): resolve and start one with a cold and a warm cache (remote-action.ts).
// Usage: node bench/workflow.ts [--iterations N] [--steps N] [--starts N]
//
// GitHub caps a matrix at 256 legs, so the 1,000-leg figure plans one 10×10×10 matrix with
// the cap raised through PlanOptions.maxMatrixLegs, and also 4 jobs of 250 legs parsed from
// YAML within the cap (parse + plan). The overhead compares N `true` steps run by one
// ShellExecutor with N bare spawns of the same shell argv, alternating, by their medians.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ShellExecutor } from '../src/runner/executors/shell/shell-executor.ts';
import { ContainerExecutor } from '../src/runner/executors/container/container-executor.ts';
import { ensureJobImage } from '../src/build/job-image/job-image.ts';
import { planShell, shellArgv } from '../src/runner/executors/shell-command.ts';
import type { OutputSink } from '../src/core/types.ts';
import type { JobSpec, Workflow } from '../src/workflow/model.ts';
import { parseWorkflow } from '../src/workflow/parse/parse-workflow.ts';
import { planWorkflow } from '../src/workflow/plan/plan.ts';
import { remoteActionRows } from './remote-action.ts';

const { values } = parseArgs({ options: { iterations: { type: 'string', default: '50' }, steps: { type: 'string', default: '200' }, starts: { type: 'string', default: '5' } } });
const iterations = Number(values.iterations);
const steps = Number(values.steps);

const job = (id: string, needs: string[] = []): JobSpec => ({
  id, name: id, needs, runsOn: ['local'], env: {}, defaults: {}, timeoutMinutes: 360, continueOnError: false,
  outputs: {}, steps: [], services: {}, with: {}, pos: { file: 'bench.yml', line: 1, column: 1 },
});
const wf = (jobs: JobSpec[]): Workflow => ({ file: 'bench.yml', name: 'bench', on: {}, env: {}, defaults: {}, jobs });

function median(fn: () => void): number {
  fn(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

// 1,000 legs in one job (cap raised), plus a job that needs all of them.
const ten = Array.from({ length: 10 }, (_, i) => i);
const matrixJob: JobSpec = { ...job('m'), strategy: { failFast: true, matrix: { axes: { a: ten, b: ten, c: ten }, include: [], exclude: [] } } };
const matrixWorkflow = wf([matrixJob, job('after', ['m'])]);
const matrixMs = median(() => planWorkflow(matrixWorkflow, {}, { maxMatrixLegs: 1000 }));

// 4 × 250 legs written as YAML, within GitHub's cap: parse and plan.
const axis = (n: number): string => `[${Array.from({ length: n }, (_, i) => i).join(', ')}]`;
const yaml = `on: push\njobs:\n${[0, 1, 2, 3].map((j) => `  m${j}:\n    runs-on: local\n    strategy:\n      matrix:\n        a: ${axis(25)}\n        b: ${axis(10)}\n    steps:\n      - run: 'true'\n`).join('')}`;
const parsed = parseWorkflow('bench.yml', yaml).workflow as Workflow;
const fourPlanMs = median(() => planWorkflow(parsed));
const fourParsePlanMs = median(() => planWorkflow(parseWorkflow('bench.yml', yaml).workflow as Workflow));

// 500 jobs, each needing up to 5 earlier ones, declared in reverse.
const dag: JobSpec[] = [];
for (let i = 0; i < 500; i++) dag.unshift(job(`j${i}`, [1, 2, 3, 7, 31].filter((d) => i - d >= 0).map((d) => `j${i - d}`)));
const dagWorkflow = wf(dag);
const dagMs = median(() => planWorkflow(dagWorkflow));

// Shell executor overhead: executor steps and bare spawns alternate, one at a time, so
// both see the same machine load; per-step medians are compared.
const dir = await mkdtemp(join(tmpdir(), 'slipway-bench-'));
const sink: OutputSink = () => {};
const executor = new ShellExecutor({ tempRoot: dir });
await executor.setup({ jobId: 'bench', workspace: dir, volumes: [], services: {}, onOutput: sink });
const script = join(dir, 'step.sh');
await writeFile(script, 'true');
const hasBash = (process.env.PATH ?? '').split(':').some((d) => d !== '' && existsSync(join(d, 'bash')));
const argv = shellArgv(planShell(undefined, hasBash ? 'bash' : 'sh'), script);
const bare = (): Promise<void> => new Promise((resolve, reject) => {
  const child = spawn(argv[0] as string, argv.slice(1), { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  child.on('error', reject);
  child.on('close', () => resolve());
});
const step = async (): Promise<void> => {
  const r = await executor.run({ script: 'true', env: {}, cwd: dir, onOutput: sink });
  if (r.exitCode !== 0) throw new Error(`step exited ${r.exitCode}`);
};
await step(); // warm-up
await bare();
const executorTimes: number[] = [];
const spawnTimes: number[] = [];
let executorMs = 0;
let spawnMs = 0;
for (let i = 0; i < steps; i++) {
  let t = performance.now();
  await step();
  executorTimes.push(performance.now() - t);
  t = performance.now();
  await bare();
  spawnTimes.push(performance.now() - t);
}
await executor.teardown();
const mid = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
executorMs = mid(executorTimes);
spawnMs = mid(spawnTimes);

// Container executor: the default job image (made first if missing, not timed), N job
// starts, then one job of `steps` `true` steps.
const image = await ensureJobImage((text) => process.stdout.write(text));
const containerJob = (n: number) => new ContainerExecutor({ container: { image, env: {} }, name: `slipway-bench-${process.pid}-${n}`, bashWhenAvailable: true });
const startTimes: number[] = [];
for (let i = 0; i < Number(values.starts); i++) {
  const job = containerJob(i);
  const t = performance.now();
  await job.setup({ jobId: `bench-${i}`, workspace: dir, volumes: [], services: {}, onOutput: sink });
  startTimes.push(performance.now() - t);
  await job.teardown();
}
const inContainer = containerJob(-1);
await inContainer.setup({ jobId: 'bench-steps', workspace: dir, volumes: [], services: {}, onOutput: sink });
const containerTimes: number[] = [];
try {
  for (let i = 0; i <= steps; i++) {
    const t = performance.now();
    const r = await inContainer.run({ script: 'true', env: {}, cwd: dir, onOutput: sink });
    if (r.exitCode !== 0) throw new Error(`container step exited ${r.exitCode}`);
    if (i > 0) containerTimes.push(performance.now() - t); // The first is a warm-up.
  }
} finally {
  await inContainer.teardown();
  await rm(dir, { recursive: true, force: true });
}
const containerMs = mid(containerTimes);
const startMs = mid(startTimes);

const overhead = executorMs - spawnMs;
const rows: [string, string, string][] = [
  ['plan 1,000-leg matrix (10×10×10, cap raised)', `${matrixMs.toFixed(2)} ms`, '< 50 ms'],
  ['plan 4 jobs × 250 legs', `${fourPlanMs.toFixed(2)} ms`, '< 50 ms'],
  ['parse + plan 4 jobs × 250 legs (YAML)', `${fourParsePlanMs.toFixed(2)} ms`, ''],
  ['plan 500-job DAG', `${dagMs.toFixed(2)} ms`, '< 50 ms'],
  [`shell executor, ${steps} \`true\` steps`, `${executorMs.toFixed(2)} ms/step`, ''],
  [`bare spawn of \`${argv.slice(0, -1).join(' ')}\` (${steps}×)`, `${spawnMs.toFixed(2)} ms/step`, ''],
  ['executor overhead beyond the spawn', `${overhead.toFixed(2)} ms/step`, '< 5 ms/step'],
  [`container executor, ${steps} \`true\` steps in one job container`, `${containerMs.toFixed(2)} ms/step`, ''],
  ['container step overhead beyond a host spawn', `${(containerMs - spawnMs).toFixed(2)} ms/step`, '≤ 20 ms/step'],
  [`container job start (podman run → supervisor ready, ${startTimes.length}×)`, `${startMs.toFixed(0)} ms`, '≤ 1000 ms'],
  ...(await remoteActionRows(Math.min(iterations, 20))),
];
const w0 = Math.max(...rows.map((r) => r[0].length));
const w1 = Math.max(...rows.map((r) => r[1].length));
console.log(`${'measure'.padEnd(w0)}  ${'median'.padStart(w1)}  target`);
for (const [a, b, c] of rows) console.log(`${a.padEnd(w0)}  ${b.padStart(w1)}  ${c}`);
console.log(`(planning: median of ${iterations} iterations; steps: medians, executor and spawn alternating; node ${process.versions.node}, load ${loadavg()[0]?.toFixed(1)})`);

