// Pushes a directory's commit to a Slipway project with the real git client. The token
// travels as an HTTP header through git's environment config, never in the URL.
import { runOrThrow } from '../exec/run.ts';
import { gitClientEnv } from './config-env.ts';

/** A git client's environment that signs in with a Slipway token. */
export const gitAuthEnv = (token: string): NodeJS.ProcessEnv => gitClientEnv(`Bearer ${token}`);

/** `git init` + commit of everything in `dir` on `branch`. */
export async function commitAll(dir: string, branch: string, message: string): Promise<string> {
  const git = (...args: string[]) => runOrThrow(['git', '-c', 'user.name=Slipway Demo', '-c', 'user.email=demo@slipway.local', ...args], { cwd: dir });
  await git('init', '-q', '-b', branch);
  await git('add', '-A');
  await git('commit', '-q', '-m', message);
  return (await git('rev-parse', 'HEAD')).stdout.trim();
}

export async function push(dir: string, url: string, branch: string, token: string): Promise<void> {
  // The token is in the environment, not argv; masked all the same should git ever echo it.
  await runOrThrow(['git', 'push', '-q', url, `HEAD:refs/heads/${branch}`], { cwd: dir, env: gitAuthEnv(token), mask: (text) => (token ? text.replaceAll(token, '***') : text) });
}
