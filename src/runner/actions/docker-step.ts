// `uses: docker://image` (docs.github.com "Workflow syntax" §jobs.<job_id>.steps[*].uses,
// "Using a Docker Hub action"): runs the image with the workspace at /github/workspace as
// its working directory, the step's env plus `with:` values as INPUT_<NAME>, the file
// commands at /github/file_commands, `with.entrypoint` replacing the image's entrypoint
// and `with.args` as its arguments. The job's executor runs the container.
import { dirname } from 'node:path';
import type { RunStatus } from '../../core/types.ts';
import type { JobState } from '../job-state.ts';
import { tokenize } from '../executors/shell-command.ts';
import { WorkflowCommandProcessor } from '../workflow-commands.ts';
import type { ActionInputs } from './action.ts';

/** `env` is the step's environment (job env + step env), with host paths. */
interface DockerStep extends ActionInputs {
  image: string;
  state: JobState;
  timeoutMs: number;
}

const workspaceMount = '/github/workspace';
const filesMount = '/github/file_commands';
const tempMount = '/github/runner_temp';

/** Host-only variables that would mislead (or break) a program inside the image. */
const hostOnly = new Set(['PATH', 'HOME', 'HOSTNAME', 'SHELL', 'PWD', 'OLDPWD', 'SHLVL', 'TERM', 'USER', 'LOGNAME', 'TMPDIR']);

/** `outputs` are the step's `::set-output` lines; $GITHUB_OUTPUT is read by the step runner. */
export async function runDockerStep(d: DockerStep): Promise<{ status: RunStatus; exitCode: number | null; outputs: Record<string, string> }> {
  const { state } = d;
  const { paths, log } = state;
  const filesDir = dirname(paths.files.env);
  const toContainer = (v: string) => v.replaceAll(paths.workspace, workspaceMount).replaceAll(filesDir, filesMount).replaceAll(paths.temp, tempMount);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(d.env)) if (!hostOnly.has(k)) env[k] = toContainer(v);
  for (const [k, v] of Object.entries(d.inputs)) {
    if (k !== 'entrypoint' && k !== 'args') env[`INPUT_${k.replace(/ /g, '_').toUpperCase()}`] = v;
  }
  env.GITHUB_WORKSPACE = workspaceMount;
  const commands = new WorkflowCommandProcessor(state.commandSink());
  const result = await state.executor.runContainer({
    image: d.image,
    env,
    volumes: [`${paths.workspace}:${workspaceMount}`, `${filesDir}:${filesMount}`, `${paths.temp}:${tempMount}`],
    workdir: workspaceMount,
    entrypoint: d.inputs.entrypoint || undefined,
    args: tokenize(d.inputs.args ?? ''),
    timeoutMs: d.timeoutMs,
    signal: state.signal,
    onOutput: (t) => commands.write(t),
  });
  commands.end();
  const { outputs } = commands;
  if (result.cancelled) return { status: 'cancelled', exitCode: result.exitCode, outputs };
  if (result.timedOut) {
    log.line(`##[error]The step timed out after ${d.timeoutMs / 60_000} minutes; its container was removed.`);
    return { status: 'failure', exitCode: result.exitCode, outputs };
  }
  if (result.exitCode !== 0) {
    log.line(`##[error]Container ${d.image} exited with code ${result.exitCode}.`);
    return { status: 'failure', exitCode: result.exitCode, outputs };
  }
  return { status: 'success', exitCode: 0, outputs };
}
