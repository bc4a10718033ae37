// Named points where the crash tests (test/e2e/crash-*.test.ts) kill the server outright,
// as a power cut would: `SLIPWAY_CRASH_AT=<name>` set by whoever starts the process. Nothing
// runs after the kill, so what is durable at that point is exactly what survives.
type CrashPoint =
  /** git has applied a push's ref updates; nothing about them is recorded yet. */
  | 'push-applied'
  /** The push event is recorded; no run has been started from it. */
  | 'push-recorded';

export function crashPoint(name: CrashPoint): void {
  if (process.env.SLIPWAY_CRASH_AT === name) process.kill(process.pid, 'SIGKILL');
}
