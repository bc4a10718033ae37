// An image run as a step, the way GitHub runs one (docs.github.com "Workflow syntax"
// §jobs.<job_id>.steps[*].uses "Using a Docker Hub action", and "Dockerfile support for
// GitHub Actions"): the workspace at /github/workspace as its working directory, the
// file-command files at /github/file_commands (so $GITHUB_OUTPUT, $GITHUB_ENV, $GITHUB_STATE
// work from inside), RUNNER_TEMP at /github/runner_temp, the step's env with host paths
// rewritten to those, an optional entrypoint and arguments. The job's executor runs the
// container. Used by `uses: docker://image` steps and by Docker container actions.
import { dirname } from 'node:path';
import type { JobState } from '../job-state.ts';
import { runStageProcess } from './action-stages.ts';

interface DockerStep {
  image: string;
  /** The step's environment (job env + step env, INPUT_* included), with host paths. */
  env: Record<string, string>;
  entrypoint?: string;
  args: string[];
  state: JobState;
  timeoutMs: number;
}

const workspaceMount = '/github/workspace';
const filesMount = '/github/file_commands';
const tempMount = '/github/runner_temp';

/** Host-only variables that would mislead (or break) a program inside the image. */
const hostOnly = new Set(['PATH', 'HOME', 'HOSTNAME', 'SHELL', 'PWD', 'OLDPWD', 'SHLVL', 'TERM', 'USER', 'LOGNAME', 'TMPDIR']);

/** `outputs` are the step's `::set-output` lines; $GITHUB_OUTPUT is read by the step runner. */
export function runDockerStep(d: DockerStep): ReturnType<typeof runStageProcess> {
  const { state } = d;
  const { paths } = state;
  const filesDir = dirname(paths.files.env);
  const toContainer = (v: string) => v.replaceAll(paths.workspace, workspaceMount).replaceAll(filesDir, filesMount).replaceAll(paths.temp, tempMount);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(d.env)) if (!hostOnly.has(k)) env[k] = toContainer(v);
  env.GITHUB_WORKSPACE = workspaceMount;
  env.GITHUB_STATE = toContainer(paths.files.state);
  return runStageProcess({
    state,
    what: `Container ${d.image}`,
    timeoutMs: d.timeoutMs,
    start: (onOutput) => state.executor.runContainer({
      image: d.image,
      env,
      volumes: [`${paths.workspace}:${workspaceMount}`, `${filesDir}:${filesMount}`, `${paths.temp}:${tempMount}`],
      workdir: workspaceMount,
      entrypoint: d.entrypoint || undefined,
      args: d.args,
      timeoutMs: d.timeoutMs,
      signal: state.signal,
      onOutput,
    }),
  });
}
