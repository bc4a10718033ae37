// Runs a helper command for a built-in action, streaming its output to the job log.
import type { LogWriter } from '../log-writer.ts';
import { ExecError } from '../../exec/exec-error.ts';
import { run } from '../../exec/run.ts';

export async function runLogged(argv: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; log: LogWriter; signal?: AbortSignal }): Promise<void> {
  const mask = (text: string) => options.log.mask(text);
  const result = await run(argv, { cwd: options.cwd, env: options.env, signal: options.signal, onOutput: (text) => options.log.write(text), mask, keep: 16_384 });
  // The output is in the job log already; the message only names the command and its exit.
  if (result.exitCode !== 0) throw new ExecError(result, { message: `${argv.slice(0, 2).join(' ')} exited with ${result.exitCode}`, mask });
}
