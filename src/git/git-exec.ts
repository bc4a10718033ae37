// Running the git binary: one place that decides its environment and turns failures into errors.
import { spawn } from 'node:child_process';
import { SlipwayError } from '../core/errors.ts';

export interface GitResult {
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

/** Run `git --git-dir=<gitDir> <args>`; resolves with the exit code (never rejects on a non-zero one). */
export function runGit(gitDir: string, args: readonly string[]): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', [`--git-dir=${gitDir}`, ...args], {
      env: gitEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (cause) => reject(new SlipwayError('EXEC_FAILED', `git: ${cause.message}`, { cause })));
    child.on('close', (code, signal) => {
      resolve({
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
}

/** Like runGit, but a non-zero exit becomes EXEC_FAILED naming the command and git's message. */
export async function gitOrThrow(gitDir: string, args: readonly string[]): Promise<Buffer> {
  const result = await runGit(gitDir, args);
  if (result.code !== 0) {
    throw new SlipwayError('EXEC_FAILED', `git ${args.join(' ')} exited with ${result.code}: ${result.stderr.trim()}`, {
      detail: { command: ['git', ...args], exitCode: result.code },
    });
  }
  return result.stdout;
}
