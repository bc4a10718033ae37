// A host session driven by the deploy engine (engine/engine.ts): a container engine and an
// environment proxy on the host, wherever its commands run. Both the local and the SSH
// target are one of these; a target without podman (Kubernetes) would implement
// HostSession itself.
import type { Duplex } from 'node:stream';
import type { ContainerEngine } from '../engine/container-engine.ts';
import { discardCandidate, startCandidate, switchToCandidate, type HostDeployRequest } from '../engine/engine.ts';
import type { EnvironmentProxy } from '../proxy/environment-proxy.ts';
import type { HostSession, ReleaseRef, SessionContext } from './deploy-target.ts';

interface EngineHost {
  host: string;
  engine: ContainerEngine;
  proxy: EnvironmentProxy;
  /** Opens a connection to a port on the host's loopback (health checks); default: this machine's loopback. */
  connect?: (port: number) => Promise<Duplex>;
  /** The pull reference of a release as this host reaches the registry. */
  imageFor(release: ReleaseRef): string;
  endpoint: HostSession['endpoint'];
  close(): Promise<void>;
}

export function engineSession(h: EngineHost, context: SessionContext): HostSession {
  const request = (release: ReleaseRef, stopOldFirst = false): HostDeployRequest => ({
    ...context,
    engine: h.engine,
    proxy: h.proxy,
    connect: h.connect,
    image: h.imageFor(release),
    releaseId: release.id,
    sha: release.sha,
    stopOldFirst,
  });
  return {
    host: h.host,
    endpoint: h.endpoint,
    start: (release, { stopOldFirst }) => startCandidate(request(release, stopOldFirst)),
    switch: (release, candidate) => switchToCandidate(request(release), candidate),
    discard: (release, candidate) => discardCandidate(request(release), candidate),
    close: () => h.close(),
  };
}
