// Runs a deploy target's commands on this host, with the container tools' environment.
import { containerToolEnv } from '../../../core/tool-env.ts';
import { run } from '../../../exec/run.ts';
import type { HostShell, ExecOptions, ExecResult } from '../host-shell.ts';

export class LocalShell implements HostShell {
  readonly description = 'local';

  async exec(argv: string[], options: ExecOptions = {}): Promise<ExecResult> {
    if (argv.length === 0) throw new TypeError('exec: empty argv');
    // Rejects when the command cannot be started (ExecError, exit 127) or was aborted.
    const result = await run(argv, { env: containerToolEnv(), input: options.stdin, onOutput: options.onOutput, signal: options.signal });
    return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
  }
}
