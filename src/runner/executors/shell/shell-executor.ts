// Runs `run:` steps on the runner's host. Each step's script goes into a file in a per-job
// temp directory and is run by the step's shell; nothing else is spawned per step. Services
// and `docker://` steps still run in containers, through the container engine. With
// `isolation` (what the server uses, host-executor.ts) each step runs as the job's own
// unprivileged user in a clean environment; without it (`slipway run` on a developer's own
// machine, the benchmarks) as the caller, with the caller's environment.
import { chownSync, mkdtempSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onPath } from '../../../build/detect.ts';
import { SlipwayError } from '../../../core/errors.ts';
import type { ContainerStep, Executor, JobEnvironment, JobSetup, StepCommand, StepOutcome } from '../../executor.ts';
import { runContainerStep } from '../container/container-step.ts';
import { startJobServices, type JobServices } from '../container/services.ts';
import { teardownAll } from '../teardown-all.ts';
import { missingWorkdirMessage, planShell, shellArgv } from '../shell-command.ts';
import { groupAlive, signalGroup } from '../../../exec/kill.ts';
import { runStepProcess } from '../step-process.ts';
import { newTrackingId, signalTracked, trackedProcesses, trackingVariable } from '../step-stop.ts';
import type { HostIsolation } from './host-isolation.ts';

interface ShellExecutorOptions {
  /** Time between SIGTERM and SIGKILL when a step times out or is cancelled. Default 2000. */
  killGraceMs?: number;
  /** How long to wait for output held open by a step's background processes. Default 200. */
  drainMs?: number;
  /** Environment every step starts from, below the step's own `env`. Default process.env. */
  baseEnv?: NodeJS.ProcessEnv;
  /** Where the per-job script directory is made. Default os.tmpdir(). */
  tempRoot?: string;
  /** Runs services and `docker://` steps. Default podman. */
  engine?: 'podman' | 'docker';
  /** Runs each step as the job's unprivileged user, in a clean environment (`baseEnv` is then unused). */
  isolation?: HostIsolation;
}

/**
 * Whether bash is on a PATH, for this runner's jobs alike (a job's executor is new each job,
 * and looking cost an access() per PATH entry every job): asked again after a minute, so
 * bash installed or removed on the runner's machine is seen without a restart.
 */
const bashOnPath = new Map<string, { found: boolean; at: number }>();
const bashOnPathMs = 60_000;

const isFolder = (path: string): boolean => {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
};

export class ShellExecutor implements Executor {
  readonly kind = 'shell';
  readonly #options: ShellExecutorOptions;
  #scriptDir: string | undefined;
  #services: JobServices | undefined;
  #steps = 0;
  /** Process groups of finished steps that left background processes (`server &`). */
  readonly #leftovers = new Set<number>();

  constructor(options: ShellExecutorOptions = {}) {
    this.#options = options;
  }

  async setup(job: JobSetup): Promise<JobEnvironment> {
    // The step's few file calls are made directly: each through the thread pool cost two thread
    // wake-ups for a call of microseconds (runner/file-tree.ts says more).
    this.#scriptDir ??= mkdtempSync(join(this.#options.tempRoot ?? tmpdir(), 'slipway-steps-'));
    if (this.#options.isolation && !this.#options.isolation.user) await this.#options.isolation.prepare(job, this.#scriptDir);
    this.#services ??= await startJobServices(job, this.#engine());
    return { network: this.#services?.network ?? '', services: this.#services?.context ?? {} };
  }

  async run(command: StepCommand): Promise<StepOutcome> {
    if (!this.#scriptDir) throw new SlipwayError('INTERNAL', 'ShellExecutor.run() called before setup()');
    const isolation = this.#options.isolation;
    await isolation?.reclaim();
    // Spawning in a missing directory fails as "spawn bash ENOENT", naming the wrong thing.
    if (!isFolder(command.cwd)) {
      command.onOutput(`${missingWorkdirMessage(command.cwd)}\n`);
      return { exitCode: 1, timedOut: false, cancelled: false };
    }
    const tracking = newTrackingId();
    const stepEnv = { ...command.env, [trackingVariable]: tracking };
    const env = isolation ? isolation.env(stepEnv) : { ...(this.#options.baseEnv ?? process.env), ...stepEnv };
    const plan = planShell(command.shell, (await this.#hasBash(env.PATH ?? '')) ? 'bash' : 'sh');
    const script = join(this.#scriptDir, `step-${++this.#steps}${plan.extension}`);
    // Isolated, the job's user reads its script through the directory's group, and cannot change it.
    writeFileSync(script, command.script, { mode: isolation ? 0o640 : 0o600 });
    if (isolation) chownSync(script, 0, isolation.user!.gid);
    try {
      const argv = shellArgv(plan, script);
      const result = await runStepProcess({
        argv: isolation ? isolation.argv(argv) : argv,
        cwd: command.cwd,
        env,
        timeoutMs: command.timeoutMs,
        signal: command.signal,
        onOutput: command.onOutput,
        killGraceMs: this.#options.killGraceMs ?? 2000,
        drainMs: this.#options.drainMs ?? 200,
        // The group, and what left it (setsid) carrying the step's tracking id.
        terminate: async (signal, pid) => {
          signalGroup(pid, signal);
          await signalTracked(tracking, signal);
        },
        isAlive: async (pid) => groupAlive(pid) || (await trackedProcesses(tracking)).length > 0,
      });
      if (result.pid && signalGroup(result.pid, 0)) this.#leftovers.add(result.pid);
      return { exitCode: result.exitCode, timedOut: result.timedOut, cancelled: result.cancelled };
    } finally {
      try {
        unlinkSync(script);
      } catch {
        // Removed already (a step may clean its temp folder); the folder goes at teardown anyway.
      }
    }
  }

  runContainer(step: ContainerStep): Promise<StepOutcome> {
    return runContainerStep(this.#engine(), step, this.#services?.network);
  }

  async teardown(): Promise<void> {
    const services = this.#services;
    this.#services = undefined;
    // The user's processes end before its services, which a leftover may still be talking to.
    await teardownAll([() => this.#endLeftovers(), async () => this.#options.isolation?.release(), async () => services?.stop()]);
  }

  /** Ends what steps left running, as GitHub's runner cleans up orphan processes after a job. */
  async #endLeftovers(): Promise<void> {
    const groups = [...this.#leftovers].filter((pid) => signalGroup(pid, 'SIGTERM'));
    this.#leftovers.clear();
    const deadline = Date.now() + (this.#options.killGraceMs ?? 2000);
    let alive = groups;
    while (alive.length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      alive = alive.filter((pid) => groupAlive(pid));
    }
    for (const pid of alive) signalGroup(pid, 'SIGKILL');
    if (this.#scriptDir) rmSync(this.#scriptDir, { recursive: true, force: true });
    this.#scriptDir = undefined;
  }

  #engine(): string {
    return this.#options.engine ?? 'podman';
  }

  /** GitHub's unspecified shell is bash when bash is installed, else sh. */
  async #hasBash(path: string): Promise<boolean> {
    const known = bashOnPath.get(path);
    if (known && Date.now() - known.at < bashOnPathMs) return known.found;
    const found = await onPath('bash', path);
    // Jobs that put their own folders on PATH (setup-node) make a key each: kept few.
    if (bashOnPath.size >= 64) bashOnPath.clear();
    bashOnPath.set(path, { found, at: Date.now() });
    return found;
  }
}
