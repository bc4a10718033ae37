// Running the git binary: one place that decides its environment and turns failures into errors.
import { ExecError } from '../exec/exec-error.ts';
import { run } from '../exec/run.ts';
import type { RunResult } from '../exec/run.ts';

interface GitResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/**
 * The environment for every git child process: the caller's environment without inherited
 * GIT_* variables (a GIT_DIR from a hook or test would redirect every command), no system or
 * global config (a user's ~/.gitconfig must not change what the server does), and never a
 * credential prompt.
 */
export function gitEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('GIT_')) env[key] = value;
  }
  return {
    ...env,
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    ...extra,
  };
}

function git(gitDir: string, args: readonly string[]): Promise<RunResult> {
  return run(['git', `--git-dir=${gitDir}`, ...args], { env: gitEnv() });
}

/** Run `git --git-dir=<gitDir> <args>`; resolves with the exit code (never rejects on a non-zero one). */
export async function runGit(gitDir: string, args: readonly string[]): Promise<GitResult> {
  const result = await git(gitDir, args);
  return { code: result.exitCode, stdout: result.stdoutBytes, stderr: result.stderr };
}

/** Like runGit, but a non-zero exit becomes EXEC_FAILED naming the command and git's message. */
export async function gitOrThrow(gitDir: string, args: readonly string[]): Promise<Buffer> {
  const result = await git(gitDir, args);
  if (result.exitCode !== 0) {
    // Named without --git-dir: the server's paths are no business of whoever reads the error.
    throw new ExecError({ ...result, command: ['git', ...args] }, { message: `git ${args.join(' ')} exited with ${result.exitCode}: ${result.stderr.trim()}` });
  }
  return result.stdoutBytes;
}
