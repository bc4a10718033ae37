// Pushes a directory's commit to a Slipway project with the real git client. The token
// travels as an HTTP header through git's environment config, never in the URL.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export function gitAuthEnv(token: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: 'http.extraHeader',
    GIT_CONFIG_VALUE_0: `Authorization: Bearer ${token}`,
  };
}

/** `git init` + commit of everything in `dir` on `branch`. */
export async function commitAll(dir: string, branch: string, message: string): Promise<string> {
  const git = (...args: string[]) => exec('git', ['-c', 'user.name=Slipway Demo', '-c', 'user.email=demo@slipway.local', ...args], { cwd: dir });
  await git('init', '-q', '-b', branch);
  await git('add', '-A');
  await git('commit', '-q', '-m', message);
  return (await git('rev-parse', 'HEAD')).stdout.trim();
}

export async function push(dir: string, url: string, branch: string, token: string): Promise<void> {
  await exec('git', ['push', '-q', url, `HEAD:refs/heads/${branch}`], { cwd: dir, env: gitAuthEnv(token) });
}
