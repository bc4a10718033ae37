// Where a deploy target's commands run: this host (targets/local, LocalShell) or a server
// over SSH (targets/ssh, SshConnection). The container engine only speaks argv + stdin, so
// the same code drives podman on either; files it needs (env files, registry credentials)
// are written through the shell too (temp-file.ts), never on this machine's disk for a
// remote host.
import type { Readable } from 'node:stream';
import type { OutputSink } from '../../core/types.ts';
import { shellJoin } from '../../core/shell-quote.ts';

export interface ExecOptions {
  /** Written to the command's standard input, then closed. Secrets travel this way; a stream carries bulk data (an image archive). */
  stdin?: string | Readable;
  /** Receives stdout and stderr as they arrive (for live deploy logs). */
  onOutput?: OutputSink;
  /** Aborting kills the command; `exec` then rejects. */
  signal?: AbortSignal;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface HostShell {
  /** For logs and errors: `local`, `ssh://deploy@web-1`. */
  readonly description: string;
  /**
   * Runs `argv` without a shell (argv[0] is looked up in PATH). Resolves with the exit code
   * whatever it is; rejects only when the command could not be run or was aborted.
   */
  exec(argv: string[], options?: ExecOptions): Promise<ExecResult>;
}

/**
 * The same shell, reporting `$ <command line>` for every command it runs (the deployment
 * log shows every command run on a host). Standard input, where secrets travel, is never shown.
 */
export function loggingShell(shell: HostShell, log: (line: string) => void): HostShell {
  return {
    description: shell.description,
    exec(argv, options) {
      log(`$ ${shellJoin(argv)}`);
      return shell.exec(argv, options);
    },
  };
}
