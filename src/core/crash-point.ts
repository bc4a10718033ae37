// Named points where the crash tests (test/e2e/crash-*.test.ts) kill the server outright,
// as a power cut would: `SLIPWAY_CRASH_AT=<name>` set by whoever starts the process, or
// `<name>#<n>` to kill it the n-th time the point is reached (a point passed many times, such
// as each log chunk, then crashes in the middle of the work). Nothing runs after the kill,
// so what is durable at that point is exactly what survives.
type CrashPoint =
  /** git has applied a push's ref updates; nothing about them is recorded yet. */
  | 'push-applied'
  /** The push event is recorded; no run has been started from it. */
  | 'push-recorded'
  // A deploy's phases on a host (deploy/engine/engine.ts), in order:
  /** The new container was started; its health check has not begun. */
  | 'deploy-started'
  /** The new container passed its health check; the proxy still sends traffic to the old one. */
  | 'deploy-checked'
  /** The proxy sends new requests to the new container; the old one has not been drained. */
  | 'deploy-switched'
  /** The old container is drained (the proxy no longer routes to it); it still runs. */
  | 'deploy-drained'
  /** The old container's removal has been started (`podman rm`), not waited for. */
  | 'deploy-removing-old'
  // Registry garbage collection (registry/gc.ts), mid-sweep:
  /** The first unreferenced manifest is deleted; its blobs and links are not yet. */
  | 'gc-manifest-deleted'
  /** The first unreferenced blob link of a repository is deleted; blobs are not yet. */
  | 'gc-link-deleted'
  /** A chunk of a job's log is stored; the runner's upload of it is not acknowledged yet. */
  | 'log-chunk-stored'
  /** An ended log's archive object is written (store/repos/log-archive.ts); its chunks are not yet deleted from the database. */
  | 'log-archived';

let reached = 0;

export function crashPoint(name: CrashPoint): void {
  const at = process.env.SLIPWAY_CRASH_AT;
  if (at === undefined || !at.startsWith(name)) return;
  const rest = at.slice(name.length);
  if (rest === '' || (rest.startsWith('#') && ++reached === Number(rest.slice(1)))) process.kill(process.pid, 'SIGKILL');
}
