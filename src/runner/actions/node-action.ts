// A JavaScript action (`runs.using: node12|node16|node20|node24`): each stage's file run
// with the Node that Slipway ships (job-node.ts) where the job's steps run (its container,
// or its user on the host), in the workspace, with the step's env plus INPUT_<NAME>,
// GITHUB_ACTION, GITHUB_ACTION_PATH and GITHUB_STATE, as GitHub's runner gives them.
// Every runtime version runs on that one Node (GitHub, too, now runs node12/16 actions
// on a newer Node).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cp } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join, resolve, sep } from 'node:path';
import { shellJoin } from '../../core/shell-quote.ts';
import { SlipwayError } from '../../core/errors.ts';
import type { StepResult } from '../job-state.ts';
import { jobNodePath } from '../job-node.ts';
import type { NodeRuns } from './action-file.ts';
import { runStageProcess, runStages } from './action-stages.ts';
import type { ActionRun } from './action-dir.ts';

const inside = (path: string, dir: string) => path === dir || path.startsWith(dir + sep);

/**
 * The action's directory as the job sees it: the workspace and RUNNER_TEMP are where the
 * job can reach them; an action from elsewhere (a remote action's cache) is copied into
 * RUNNER_TEMP/_actions once per job (asynchronously: the runner shares the server's event loop).
 */
async function dirInJob(dir: string, run: ActionRun): Promise<string> {
  const { workspace, temp } = run.state.paths;
  if (inside(dir, workspace) || inside(dir, temp)) return dir;
  const copy = join(temp, '_actions', createHash('sha256').update(dir).digest('hex').slice(0, 16));
  if (!existsSync(copy)) await cp(dir, copy, { recursive: true, verbatimSymlinks: true });
  return copy;
}

/** Names a POSIX shell passes on to what it runs; the others (`INPUT_GITHUB-TOKEN`, `STATE_from-pre`) it drops. */
const shellName = /^[A-Za-z_][A-Za-z0-9_]*$/;
const carrier = 'SLIPWAY_ACTION_ENV';

/**
 * Executors start every process through a shell, which drops variables whose names it
 * cannot export; GitHub's runner passes those to the action (`core.getInput('github-token')`
 * reads INPUT_GITHUB-TOKEN). So they travel as JSON in one variable, and a file Node loads
 * before the action's own (`--require`) puts them back and removes the carrier.
 */
function restoreEnvScript(temp: string): string {
  const path = join(temp, '_slipway', 'action-env.cjs');
  if (!existsSync(path)) {
    mkdirSync(join(temp, '_slipway'), { recursive: true });
    writeFileSync(path, `const v = process.env.${carrier};\ndelete process.env.${carrier};\nif (v) Object.assign(process.env, JSON.parse(v));\n`, { mode: 0o644 });
  }
  return path;
}

function splitEnv(env: Record<string, string>): Record<string, string> {
  const plain: Record<string, string> = {};
  const odd: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) (shellName.test(k) ? plain : odd)[k] = v;
  if (Object.keys(odd).length > 0) plain[carrier] = JSON.stringify(odd);
  return plain;
}

export async function runNodeAction(run: ActionRun, runs: NodeRuns): Promise<StepResult> {
  const { state, step } = run;
  const dir = await dirInJob(run.dir, run);
  const entry = (key: 'main' | 'pre' | 'post', file: string) => {
    const path = resolve(dir, file);
    if (!inside(path, dir)) throw new SlipwayError('WORKFLOW_INVALID', `${run.file}: runs.${key} \`${file}\` is outside the action's directory`);
    if (!existsSync(path)) throw new SlipwayError('WORKFLOW_INVALID', `${run.file}: runs.${key} \`${file}\` does not exist in ${run.uses}`);
    return path;
  };
  const env = { ...run.env, ...run.actionEnv, GITHUB_ACTION_PATH: dir, GITHUB_STATE: state.paths.files.state };
  const node = jobNodePath(state.executor);
  const restore = restoreEnvScript(state.paths.temp);
  const stage = (key: 'main' | 'pre' | 'post', file: string) => {
    const path = entry(key, file);
    return (stateVars: Record<string, string>) => runStageProcess({
      state,
      what: 'Process',
      timeoutMs: run.timeoutMs,
      start: (onOutput) => state.executor.run({
        script: `exec ${shellJoin([node, '--require', restore, path])}\n`,
        shell: 'sh',
        env: splitEnv({ ...env, ...stateVars }),
        cwd: state.paths.workspace,
        timeoutMs: run.timeoutMs,
        signal: state.signal,
        onOutput,
      }),
    });
  };
  return runStages({
    state,
    frame: run.frame,
    stepName: step.name,
    preIf: runs.preIf,
    postIf: runs.postIf,
    pre: runs.pre ? stage('pre', runs.pre) : undefined,
    main: stage('main', runs.main),
    post: runs.post ? stage('post', runs.post) : undefined,
  });
}
