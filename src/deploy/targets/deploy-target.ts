// Where a deployment's hosts are: one DeployTarget per kind of host (`local`, `ssh://`;
// Kubernetes and others can be added as sibling folders), each opening a session on a host
// of its kind. The composition root builds the targets and passes them in as a Map from the
// host's scheme to its target.
import { SlipwayError } from '../../core/errors.ts';
import type { Candidate, HostDeployRequest } from '../engine/engine.ts';

/** A release as a host pulls it: by digest, from the built-in registry. */
export interface ReleaseRef {
  id: string;
  sha: string;
  image: string;
  digest: string;
}

/** What a deployment brings to every host it opens: the environment, its config and secrets, and the host's log. */
export type SessionContext = Omit<HostDeployRequest, 'engine' | 'proxy' | 'connect' | 'image' | 'releaseId' | 'sha' | 'stopOldFirst'>;

/** A deployment's connection to one host, and the two phases of a deploy there (engine/engine.ts). */
export interface HostSession {
  readonly host: string;
  /** Where the environment answers on this host once switched (the deployment's URLs). */
  readonly endpoint: { address: string; port: number };
  /**
   * Phase 1: the release started and healthy beside the old containers (or instead of them,
   * with `stopOldFirst`), not yet serving.
   */
  start(release: ReleaseRef, options: { stopOldFirst: boolean }): Promise<Candidate>;
  /** Phase 2: the candidate serves; the old containers drain and go. */
  switch(release: ReleaseRef, candidate: Candidate): Promise<void>;
  /** Undoes phase 1 on this host (another host failed first). */
  discard(release: ReleaseRef, candidate: Candidate): Promise<void>;
  close(): Promise<void>;
}

export interface DeployTarget {
  /** Connects to `host` (as deploy.yml names it) for one deployment. */
  open(host: string, context: SessionContext): Promise<HostSession>;
}

/** Scheme (`local`, `ssh`) → target; built by the composition root. */
export type DeployTargets = ReadonlyMap<string, DeployTarget>;

/** `local` → `local`, `ssh://deploy@web-1` → `ssh`. */
function hostScheme(host: string): string {
  const i = host.indexOf('://');
  return i < 0 ? host : host.slice(0, i);
}

export function targetFor(targets: DeployTargets, host: string): DeployTarget {
  const target = targets.get(hostScheme(host));
  if (!target) throw new SlipwayError('BAD_REQUEST', `${host}: this server has no deploy target for "${hostScheme(host)}" hosts (it has ${[...targets.keys()].join(', ')})`);
  return target;
}
