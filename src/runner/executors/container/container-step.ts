// A step that is an image run beside the job (`uses: docker://…`): `--rm --init`, on the
// job's network when it has one, env by name only. Killing it removes the container, not
// just the CLI client, which alone would leave the container running.
import { randomBytes } from 'node:crypto';
import { cliEnvArgs } from '../../../build/cli-env.ts';
import { runTool } from '../../../build/run-tool.ts';
import type { ContainerStep, StepOutcome } from '../../executor.ts';
import { runStepProcess } from '../step-process.ts';
import { signalGroup } from '../../../exec/kill.ts';
import { ensureImage } from './engine-cli.ts';

export async function runContainerStep(engine: string, step: ContainerStep, network: string | undefined): Promise<StepOutcome> {
  await ensureImage(engine, step.image, step.onOutput);
  const cli = cliEnvArgs('-e', step.env);
  const name = `slipway-step-${randomBytes(6).toString('hex')}`;
  const argv = [
    engine, 'run', '--rm', '--name', name, '--init',
    ...step.volumes.flatMap((v) => ['-v', v]),
    '-w', step.workdir,
    ...(network ? ['--network', network] : []),
    ...(step.entrypoint ? ['--entrypoint', step.entrypoint] : []),
    ...cli.args, step.image, ...step.args,
  ];
  const result = await runStepProcess({
    argv,
    env: cli.env,
    timeoutMs: step.timeoutMs,
    signal: step.signal,
    onOutput: step.onOutput,
    killGraceMs: 2000,
    drainMs: 200,
    terminate: async (signal, pid) => {
      await runTool(engine, ['rm', '--force', '--time', signal === 'SIGKILL' ? '0' : '2', name]);
      signalGroup(pid, signal);
    },
  });
  return { exitCode: result.exitCode, timedOut: result.timedOut, cancelled: result.cancelled };
}
