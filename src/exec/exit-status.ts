// The one exit-code convention: a process killed by a signal exits 128 + the signal's number,
// as shells report it (SIGTERM → 143, SIGKILL → 137), and one that could not be started
// exits 127, as a shell says of a command it cannot find.
import { constants } from 'node:os';

export const notStartedExitCode = 127;

export function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  return 128 + (signal ? constants.signals[signal] : 0);
}
