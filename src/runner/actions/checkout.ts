// `actions/checkout`: the job's commit into the workspace (or `with.path` under it). The
// runner already checks the commit out before the first step, so with no `path` this only
// confirms it; credentials travel in an HTTP header through git's environment config,
// never in a URL or on a command line.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { BuiltInAction } from './action.ts';
import type { RunnerApi } from '../protocol/runner-api.ts';
import type { LogWriter } from '../log-writer.ts';
import { runLogged } from './run-command.ts';
import { SlipwayError } from '../../core/errors.ts';
import { gitClientEnv } from '../../git/config-env.ts';

export async function checkoutCommit(api: RunnerApi, jobId: string, sha: string, dir: string, log: LogWriter, signal?: AbortSignal): Promise<void> {
  const source = await api.source(jobId);
  mkdirSync(dir, { recursive: true });
  const env = gitClientEnv(source.authorization);
  const git = (...args: string[]) => runLogged(['git', '-c', 'advice.detachedHead=false', ...args], { cwd: dir, env, log, signal });
  // No template: the sample hooks and the description are files every job copied and removed for nothing.
  await git('init', '-q', '--template=');
  // unpackLimit 1: the fetched objects stay one pack, not a folder and a file per object.
  await git('-c', 'fetch.unpackLimit=1', 'fetch', '-q', '--depth=1', source.url, sha);
  await git('checkout', '-q', '--force', 'FETCH_HEAD');
}

export const checkout: BuiltInAction = async (ctx) => {
  const path = ctx.inputs.path ?? '';
  const dir = resolve(ctx.paths.workspace, path);
  if (!dir.startsWith(ctx.paths.workspace)) throw new SlipwayError('WORKFLOW_INVALID', `actions/checkout: path "${path}" leaves the workspace`);
  if (path === '' || dir === ctx.paths.workspace) {
    ctx.log.line(`Commit ${ctx.claimed.sha} is checked out in ${ctx.paths.workspace}`);
    return {};
  }
  await checkoutCommit(ctx.api, ctx.claimed.id, ctx.claimed.sha, dir, ctx.log, ctx.signal);
  return {};
};
