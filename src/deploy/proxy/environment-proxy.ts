// What the deploy engine needs from the proxy in front of an environment on one host: where
// new requests go, a switch, and a drain. Two implementations: HAProxy in a container on
// every host, `local` included (haproxy/: it runs outside Slipway, so apps keep answering
// while Slipway is down), and an in-process proxy (builtin/) that the engine's unit tests
// use; the server does not.

export interface EnvironmentProxy {
  /** From now on, new requests go to the container published on this port; resolves with the port they went to before, if any. */
  switchTo(port: number): Promise<number | undefined>;
  /** Waits until nothing is in flight to `port` (or `timeoutMs`), then cuts what remains. */
  drain(port: number, timeoutMs: number): Promise<{ drained: boolean }>;
}
