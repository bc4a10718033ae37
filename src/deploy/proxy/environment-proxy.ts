// What the deploy engine needs from the proxy in front of an environment on one host: where
// new requests go, a switch, and a drain. Two implementations: the built-in proxy for the
// `local` host (builtin/, in the Slipway process) and HAProxy on SSH hosts (haproxy/).

export interface EnvironmentProxy {
  /** From now on, new requests go to the container published on this port; resolves with the port they went to before, if any. */
  switchTo(port: number): Promise<number | undefined>;
  /** Waits until nothing is in flight to `port` (or `timeoutMs`), then cuts what remains. */
  drain(port: number, timeoutMs: number): Promise<{ drained: boolean }>;
}
