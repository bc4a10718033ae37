// The one error for a failed command: which command, how it ended, and the tail of what it
// printed, with secrets masked (the detail reaches API clients and logs). The detail has one
// shape wherever a command fails (docs/errors.md, EXEC_FAILED).
import { SlipwayError } from '../core/errors.ts';

/** `detail` of every EXEC_FAILED error. */
export interface ExecFailure {
  command: string[];
  exitCode: number;
  /** The signal that killed it, if one did. */
  signal: string | null;
  /** Tails of its output, secrets masked. */
  stdout: string;
  stderr: string;
}

export interface ExecErrorOptions {
  /** Default `<command words> exited with <code>: <tail of stderr, else stdout>`. */
  message?: string;
  /** A failed build says BUILD_FAILED; every other command EXEC_FAILED. */
  code?: 'EXEC_FAILED' | 'BUILD_FAILED';
  /** Hides secrets in the message and the output tails. */
  mask?: (text: string) => string;
  cause?: unknown;
  /** False when the command could not be started at all (exit code 127). Default true. */
  started?: boolean;
}

/** Output kept in the error: enough to see what went wrong, not a build's megabytes. */
const detailTail = 16_384;
const messageTail = 1000;

/** A command named by the tool and its subcommand words (`podman network create`), not its flags. */
export function commandName(command: readonly string[]): string {
  const words = command.slice(0, 1);
  for (const arg of command.slice(1, 3)) {
    if (arg.startsWith('-')) break;
    words.push(arg);
  }
  return words.join(' ');
}

export class ExecError extends SlipwayError {
  readonly exitCode: number;
  readonly started: boolean;

  constructor(failure: ExecFailure, options: ExecErrorOptions = {}) {
    // Masked before cutting, so a cut never leaves part of a secret readable.
    const mask = options.mask ?? ((text: string) => text);
    const stdout = mask(failure.stdout);
    const stderr = mask(failure.stderr);
    const said = (stderr.trim() || stdout.trim()).slice(-messageTail);
    const message = options.message === undefined
      ? `${mask(commandName(failure.command))} exited with ${failure.exitCode}${said ? `: ${said}` : ''}`
      : mask(options.message);
    const detail: ExecFailure = {
      command: failure.command.map(mask),
      exitCode: failure.exitCode,
      signal: failure.signal,
      stdout: stdout.slice(-detailTail),
      stderr: stderr.slice(-detailTail),
    };
    super(options.code ?? 'EXEC_FAILED', message, { cause: options.cause, detail });
    this.name = 'ExecError';
    this.exitCode = failure.exitCode;
    this.started = options.started ?? true;
  }
}
