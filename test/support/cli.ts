// The real `slipway` CLI as a child process. It runs asynchronously: a synchronous spawn
// would block a server the test started in-process, which the CLI may be talking to.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const mainTs = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `file args` to completion with exactly `env` (nothing inherited), collecting its output. */
export function runProcess(file: string, args: string[], options: { env: NodeJS.ProcessEnv; cwd?: string }): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env: options.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** `slipway <args>` under the current Node. */
export const runCli = (args: string[], options: { env: NodeJS.ProcessEnv; cwd?: string }): Promise<ProcessResult> =>
  runProcess(process.execPath, [mainTs, ...args], options);
