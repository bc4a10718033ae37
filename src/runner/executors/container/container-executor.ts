// Runs a job's steps inside one long-lived job container (GitHub's `jobs.<id>.container`):
// setup() starts the job's services, then runs the container on their network with the
// workspace mounted at the same path; each step is a `podman exec` of its script; and
// teardown() removes the container and the services.
import { existsSync } from 'node:fs';
import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliEnvArgs } from '../../../build/cli-env.ts';
import { runTool, runToolOrThrow } from '../../../build/run-tool.ts';
import { SlipwayError } from '../../../core/errors.ts';
import type { ContainerStep, Executor, JobContainer, JobEnvironment, JobSetup, StepCommand, StepOutcome } from '../../executor.ts';
import { planShell, shellArgv, tokenize } from '../shell-command.ts';
import { signalGroup } from '../../../exec/kill.ts';
import type { KillSignal } from '../../../exec/kill.ts';
import { runStepProcess } from '../step-process.ts';
import { ensureImage } from './engine-cli.ts';
import { runContainerStep } from './container-step.ts';
import { startJobServices, type JobServices } from './services.ts';
import { teardownAll } from '../teardown-all.ts';

interface ContainerExecutorOptions {
  container: JobContainer;
  engine?: 'podman' | 'docker';
  /** Container name; unique per job. */
  name: string;
  /** Time between SIGTERM and SIGKILL when a step times out or is cancelled. Default 2000. */
  killGraceMs?: number;
  /** How long to wait for output after a step's main process exits. Default 200. */
  drainMs?: number;
  /**
   * A static busybox mounted read-only into the container, so keeping it alive and killing
   * steps work in images without `sleep` or `kill`. Default /bin/busybox when present; null
   * to use the image's own `sh`.
   */
  helperBinary?: string | null;
  labels?: Record<string, string>;
}

/** Host temp dir holding step scripts and pid files, mounted at this path in the container. */
const containerTemp = '/__slipway/tmp';
const containerHelper = '/__slipway/busybox';

export class ContainerExecutor implements Executor {
  readonly kind = 'container';
  readonly #options: ContainerExecutorOptions;
  readonly #engine: string;
  readonly #helper: string | null;
  #hostTemp: string | undefined;
  #services: JobServices | undefined;
  /** `run` of the job container was attempted: teardown must remove whatever it left. */
  #created = false;
  #started = false;
  #steps = 0;

  constructor(options: ContainerExecutorOptions) {
    this.#options = options;
    this.#engine = options.engine ?? 'podman';
    const helper = options.helperBinary === undefined ? '/bin/busybox' : options.helperBinary;
    this.#helper = helper && existsSync(helper) ? helper : null;
  }

  async setup(job: JobSetup): Promise<JobEnvironment> {
    if (this.#started) throw new SlipwayError('INTERNAL', 'ContainerExecutor.setup() called twice without teardown()');
    const { container, name } = this.#options;
    const { workspace } = job;
    this.#services = await startJobServices(job, this.#engine);
    const network = this.#services?.network;
    await ensureImage(this.#engine, container.image, job.onOutput);
    this.#hostTemp = await mkdtemp(join(tmpdir(), 'slipway-job-'));
    const env = cliEnvArgs('-e', container.env);
    const labels = Object.entries({ 'slipway.executor': 'container', ...this.#options.labels });
    const keepAlive = this.#helper
      ? [containerHelper, 'sleep', '2147483647']
      : ['sh', '-c', 'while :; do sleep 3600; done'];
    this.#created = true;
    await runToolOrThrow(this.#engine, [
      'run', '--detach', '--name', name,
      // --init reaps the zombies that steps' orphaned children leave behind.
      '--init', '--entrypoint', '',
      ...labels.flatMap(([key, value]) => ['--label', `${key}=${value}`]),
      '-v', `${workspace}:${workspace}`, '-v', `${this.#hostTemp}:${containerTemp}`,
      ...(this.#helper ? ['-v', `${this.#helper}:${containerHelper}:ro`] : []),
      '-w', workspace,
      ...(network ? ['--network', network] : []),
      ...job.volumes.flatMap((v) => ['-v', v]),
      ...env.args,
      ...tokenize(container.options ?? ''),
      container.image, ...keepAlive,
    ], { env: env.env });
    this.#started = true;
    return { network: network ?? '', services: this.#services?.context ?? {} };
  }

  async run(command: StepCommand): Promise<StepOutcome> {
    if (!this.#started || !this.#hostTemp) throw new SlipwayError('INTERNAL', 'ContainerExecutor.run() called before setup()');
    const plan = planShell(command.shell, 'sh');
    const step = `step-${++this.#steps}`;
    const hostScript = join(this.#hostTemp, `${step}${plan.extension}`);
    const pidFile = `${containerTemp}/${step}.pid`;
    await writeFile(hostScript, command.script, { mode: 0o600 });
    const env = cliEnvArgs('-e', command.env);
    // runc makes every exec'd process a session and process-group leader, so the wrapper's
    // $$ is the group id that reaches all the step's processes inside the container.
    const wrapper = [...this.#sh(), '-c', 'echo $$ > "$0"; exec "$@"', pidFile];
    try {
      const result = await runStepProcess({
        argv: [this.#engine, 'exec', ...env.args, '-w', command.cwd, this.#options.name, ...wrapper,
          ...shellArgv(plan, `${containerTemp}/${step}${plan.extension}`)],
        env: env.env,
        timeoutMs: command.timeoutMs,
        signal: command.signal,
        onOutput: command.onOutput,
        killGraceMs: this.#options.killGraceMs ?? 2000,
        drainMs: this.#options.drainMs ?? 200,
        pollMs: 250,
        terminate: (signal, clientPid) => this.#terminate(pidFile, signal, clientPid),
        isAlive: async () => (await this.#inContainer(`kill -0 -$(cat ${pidFile}) 2>/dev/null`)) === 0,
      });
      return { exitCode: result.exitCode, timedOut: result.timedOut, cancelled: result.cancelled };
    } finally {
      await Promise.all([hostScript, join(this.#hostTemp, `${step}.pid`)].map((f) => unlink(f).catch(() => {})));
    }
  }

  runContainer(step: ContainerStep): Promise<StepOutcome> {
    return runContainerStep(this.#engine, step, this.#services?.network);
  }

  async teardown(): Promise<void> {
    const services = this.#services;
    this.#services = undefined;
    await teardownAll([() => this.#removeContainer(), async () => services?.stop()]);
  }

  async #removeContainer(): Promise<void> {
    if (this.#created) {
      const args = this.#engine === 'podman'
        ? ['rm', '--force', '--ignore', '--time', '0', this.#options.name]
        : ['rm', '--force', this.#options.name];
      const result = await runTool(this.#engine, args);
      if (result.exitCode !== 0 && !/no such container/i.test(result.output)) {
        await runToolOrThrow(this.#engine, args); // Throws EXEC_FAILED with the output.
      }
      this.#created = false;
    }
    this.#started = false;
    if (this.#hostTemp) await rm(this.#hostTemp, { recursive: true, force: true });
    this.#hostTemp = undefined;
  }


  /** Signals the step's process group inside the container; SIGKILL also ends the exec client. */
  async #terminate(pidFile: string, signal: KillSignal, clientPid: number): Promise<void> {
    // The pid file may not exist yet when a step is killed right after it was started.
    const name = signal === 'SIGTERM' ? 'TERM' : 'KILL';
    await this.#inContainer(
      `i=0; while [ ! -s ${pidFile} ] && [ $i -lt 20 ]; do sleep 0.05; i=$((i+1)); done; kill -s ${name} -$(cat ${pidFile}) 2>/dev/null`,
    );
    if (signal === 'SIGKILL') signalGroup(clientPid, 'SIGKILL');
  }

  async #inContainer(script: string): Promise<number> {
    return (await runTool(this.#engine, ['exec', this.#options.name, ...this.#sh(), '-c', script])).exitCode;
  }

  #sh(): string[] {
    return this.#helper ? [containerHelper, 'sh'] : ['sh'];
  }
}
