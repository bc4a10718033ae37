// Runs a job's steps inside one long-lived job container: the image of the job's
// `container:` (GitHub's `jobs.<id>.container`, pulled with its `credentials`, its `ports`
// published on 127.0.0.1, its `volumes` mounted) or of its `runs-on` label (runner.labels).
// setup() starts the job's services, then the container on their network with the
// workspace mounted at the same path and the step supervisor (supervisor.ts) as its main
// process; each step is one fork of that supervisor, not a `podman exec`; teardown()
// removes the container, with every process a step left, and the services.
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliEnvArgs } from '../../../build/cli-env.ts';
import { runTool, runToolOrThrow } from '../../../build/run-tool.ts';
import { containerToolEnv } from '../../../core/tool-env.ts';
import { SlipwayError } from '../../../core/errors.ts';
import type { OutputSink } from '../../../core/types.ts';
import { spawnProcess } from '../../../exec/spawn-process.ts';
import type { ProcessHandle } from '../../../exec/spawn-process.ts';
import type { ContainerStep, Executor, JobContainer, JobEnvironment, JobSetup, StepCommand, StepOutcome } from '../../executor.ts';
import { planShell, shellArgv, tokenize } from '../shell-command.ts';
import { createJobNetwork, ensureImage } from './engine-cli.ts';
import { runContainerStep } from './container-step.ts';
import { publishArg, startJobServices, type JobServices } from './services.ts';
import { removeJobVolumes, volumeArgs } from './job-volumes.ts';
import { forwardServer, needsForward, type ServerForward } from './server-forward.ts';
import { teardownAll } from '../teardown-all.ts';
import { containerTemp, stepWrapper, supervisorScript } from './supervisor.ts';
import { SupervisorChannel } from './supervisor-channel.ts';
import { runSupervisedStep } from './supervised-step.ts';
import { newTrackingId, trackingVariable } from '../step-stop.ts';
import { containerNodePath, hostNodePath } from '../../job-node.ts';

interface ContainerExecutorOptions {
  container: JobContainer;
  engine?: 'podman' | 'docker';
  /** Container name; unique per job. */
  name: string;
  /** Time between SIGTERM and SIGKILL when a step times out or is cancelled. Default 2000. */
  killGraceMs?: number;
  /** How long to wait for output after a step's shell exits. Default 200. */
  drainMs?: number;
  /**
   * A static busybox mounted read-only into the container, so the supervisor and killing
   * steps work in images without `setsid` or `sleep`. Default /bin/busybox when present;
   * null to use the image's own tools.
   */
  helperBinary?: string | null;
  labels?: Record<string, string>;
  /**
   * An unspecified `shell:` means bash when the image has it (a `runs-on` image stands in
   * for GitHub's runner machine, where bash is the default). Off for `container:` images,
   * where GitHub's default is `sh`.
   */
  bashWhenAvailable?: boolean;
  /**
   * Makes the image when it is one of Slipway's own (the default job image) and returns its
   * name, which replaces `container.image`; without it the image is pulled if missing.
   */
  prepareImage?: (onOutput: OutputSink) => Promise<string>;
  /** Where the per-job host temp folder (`slipway-job-*`) is made (runner/job-leftovers.ts). Default os.tmpdir(). */
  tempRoot?: string;
}

const containerHelper = '/__slipway/busybox';

export class ContainerExecutor implements Executor {
  readonly kind = 'container';
  readonly #options: ContainerExecutorOptions;
  readonly #engine: string;
  readonly #helper: string | null;
  #hostTemp: string | undefined;
  #services: JobServices | undefined;
  /** The job's own network when it has no services (theirs otherwise); removed at teardown. */
  #network: string | undefined;
  #forward: ServerForward | undefined;
  #channel: SupervisorChannel | undefined;
  #process: ProcessHandle | undefined;
  /** `run` of the job container was attempted: teardown must remove whatever it left. */
  #created = false;
  /** The job whose named volumes teardown removes. */
  #jobId: string | undefined;
  #steps = 0;
  readonly #lingering = new Set<Socket>();

  constructor(options: ContainerExecutorOptions) {
    this.#options = options;
    this.#engine = options.engine ?? 'podman';
    const helper = options.helperBinary === undefined ? '/bin/busybox' : options.helperBinary;
    this.#helper = helper && existsSync(helper) ? helper : null;
  }

  async setup(job: JobSetup): Promise<JobEnvironment> {
    if (this.#channel) throw new SlipwayError('INTERNAL', 'ContainerExecutor.setup() called twice without teardown()');
    const { name } = this.#options;
    const { workspace } = job;
    // The job's own `container:`, evaluated by the runner; a `runs-on` image has none.
    const spec = job.container ?? this.#options.container;
    this.#jobId = job.jobId;
    this.#services = await startJobServices(job, this.#engine);
    // A job reaching a loopback server needs a network of its own: the forwarder listens on
    // its gateway, and only that network's containers may connect.
    const forward = job.serverUrl && needsForward(new URL(job.serverUrl)) ? new URL(job.serverUrl) : undefined;
    let created: Promise<unknown> = Promise.resolve();
    if (!this.#services && forward) {
      this.#network = `slipway-${job.jobId}`.toLowerCase();
      created = createJobNetwork(this.#engine, this.#network, ['--label', `slipway.job=${job.jobId}`]);
    }
    const network = this.#services?.network ?? this.#network;
    // The network is made while the image is checked (each ~0.1 s), not after it; both are
    // awaited before a failure is thrown, so teardown never races a network being made.
    const [prepared, made] = await Promise.allSettled([
      this.#options.prepareImage
        ? this.#options.prepareImage(job.onOutput)
        : ensureImage(this.#engine, spec.image, job.onOutput, spec.credentials).then(() => spec.image),
      created,
    ]);
    if (prepared.status === 'rejected') throw prepared.reason;
    if (made.status === 'rejected') throw made.reason;
    const image = prepared.value;
    const container = { ...spec, image };
    const volumes = await volumeArgs(this.#engine, job.jobId, container.volumes);
    this.#hostTemp = await mkdtemp(join(this.#options.tempRoot ?? tmpdir(), 'slipway-job-'));
    const channel = await SupervisorChannel.create(this.#hostTemp);
    this.#channel = channel;
    const tool = this.#helper ? `${containerHelper} ` : '';
    await writeFile(join(this.#hostTemp, 'supervisor.sh'), supervisorScript(tool), { mode: 0o600 });
    const env = cliEnvArgs('-e', container.env);
    const labels = Object.entries({ 'slipway.executor': 'container', ...this.#options.labels });
    this.#created = true;
    const started = performance.now();
    // Attached, not --detach: when the container ends for any reason, this process exits
    // and the steps waiting on the supervisor fail at once instead of hanging.
    const run = spawnProcess([
      this.#engine, 'run', '--rm', '--name', name,
      // --init reaps the zombies that steps' orphaned children leave behind.
      '--init', '--entrypoint', '',
      ...labels.flatMap(([key, value]) => ['--label', `${key}=${value}`]),
      '-v', `${workspace}:${workspace}`, '-v', `${this.#hostTemp}:${containerTemp}`,
      ...(this.#helper ? ['-v', `${this.#helper}:${containerHelper}:ro`] : []),
      // JavaScript actions run with Slipway's own Node (job-node.ts), whatever the image holds.
      '-v', `${hostNodePath()}:${containerNodePath}:ro`,
      '-w', workspace,
      ...(network ? ['--network', network] : []),
      ...job.volumes.flatMap((v) => ['-v', v]),
      ...volumes,
      ...(container.ports ?? []).flatMap((p) => ['-p', publishArg(p)]),
      ...env.args,
      ...tokenize(container.options ?? ''),
      container.image, ...(this.#helper ? [containerHelper, 'sh'] : ['sh']), `${containerTemp}/supervisor.sh`,
    ], { env: { ...containerToolEnv(), ...env.env } });
    this.#process = run;
    let output = '';
    const keep = (chunk: string) => (output = (output + chunk).slice(-4000));
    run.stdout!.setEncoding('utf8').on('data', keep);
    run.stderr!.setEncoding('utf8').on('data', keep);
    void run.closed.then(({ exitCode }) => channel.fail(new SlipwayError('EXEC_FAILED', `the job container ${name} ended (exit ${exitCode})${output.trim() ? `: ${output.trim()}` : ''}`)));
    await channel.ready();
    // After the container started: the network's bridge (and its gateway address) exists now.
    if (forward && network) this.#forward = await forwardServer(this.#engine, network, forward);
    job.onOutput(`Job container ${name} (${container.image}) ready in ${Math.round(performance.now() - started)} ms\n`);
    return { network: network ?? '', services: this.#services?.context ?? {}, serverUrl: this.#forward?.url ?? job.serverUrl };
  }

  async run(command: StepCommand): Promise<StepOutcome> {
    const channel = this.#channel;
    if (!channel || !this.#hostTemp) throw new SlipwayError('INTERNAL', 'ContainerExecutor.run() called before setup()');
    const plan = planShell(command.shell, this.#options.bashWhenAvailable && channel.hasBash ? 'bash' : 'sh');
    if (command.signal?.aborted) return { exitCode: 143, timedOut: false, cancelled: true };
    const n = ++this.#steps;
    const script = `${containerTemp}/step-${n}${plan.extension}`;
    await writeFile(join(this.#hostTemp, `step-${n}${plan.extension}`), command.script, { mode: 0o600 });
    const tracking = newTrackingId();
    await writeFile(join(this.#hostTemp, `step-${n}.run`), stepWrapper(n, command.cwd, { ...command.env, [trackingVariable]: tracking }, shellArgv(plan, script)), { mode: 0o600 });
    try {
      return await runSupervisedStep({
        channel, n, fifo: await channel.outputFifo(n), tracking,
        timeoutMs: command.timeoutMs, signal: command.signal, onOutput: command.onOutput,
        killGraceMs: this.#options.killGraceMs ?? 2000, drainMs: this.#options.drainMs ?? 200,
        linger: (stream) => this.#lingering.add(stream),
      });
    } finally {
      // The env file holds the step's secrets: it goes as soon as the step is over.
      const files = [`step-${n}${plan.extension}`, `step-${n}.run`, `step-${n}.pid`];
      await Promise.all(files.map((f) => rm(join(this.#hostTemp ?? '', f), { force: true })));
    }
  }

  runContainer(step: ContainerStep): Promise<StepOutcome> {
    return runContainerStep(this.#engine, step, this.#services?.network ?? this.#network);
  }

  async teardown(): Promise<void> {
    const services = this.#services;
    const network = this.#network;
    const forward = this.#forward;
    const jobId = this.#jobId;
    this.#jobId = undefined;
    this.#services = undefined;
    this.#network = undefined;
    this.#forward = undefined;
    await teardownAll([
      async () => forward?.close(),
      () => this.#removeContainer(),
      async () => services?.stop(),
      async () => { if (network) await runToolOrThrow(this.#engine, ['network', 'rm', '--force', network]); },
      // After the containers that mounted them are gone.
      async () => { if (jobId) await removeJobVolumes(this.#engine, jobId); },
    ]);
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
      await this.#process?.closed;
      this.#created = false;
    }
    this.#process = undefined;
    this.#channel?.close();
    this.#channel = undefined;
    for (const stream of this.#lingering) stream.destroy();
    this.#lingering.clear();
    if (this.#hostTemp) await rm(this.#hostTemp, { recursive: true, force: true });
    this.#hostTemp = undefined;
  }
}
