// Image builders: buildah, `podman build` or `docker build`, whichever the host has.
import type { OutputSink } from '../core/types.ts';

export interface BuildRequest {
  contextDir: string;
  /** Absolute path of the Containerfile/Dockerfile. */
  containerfile: string;
  /** Local tag to give the image, e.g. `localhost/slipway-build/hello:<sha>`. */
  tag: string;
  buildArgs: Record<string, string>;
  /**
   * Seconds since the epoch to stamp the image and every file in its layers with (the
   * commit's time, SOURCE_DATE_EPOCH-style), so one commit always builds to one digest.
   * Unset: the time of the build.
   */
  timestamp?: number;
  onOutput: OutputSink;
  signal?: AbortSignal;
}

export interface PushRequest {
  /** The local tag given at build time. */
  tag: string;
  /** Full destination reference, e.g. `127.0.0.1:8080/hello/hello:<sha>`. */
  destination: string;
  username: string;
  password: string;
  /** Plain HTTP / unverified TLS (the built-in registry on loopback). */
  insecure: boolean;
  onOutput: OutputSink;
  signal?: AbortSignal;
}

export interface ImageBuilder {
  readonly name: 'buildah' | 'podman' | 'docker';
  build(request: BuildRequest): Promise<void>;
  /** Pushes and returns the manifest digest the registry stored (`sha256:…`). */
  push(request: PushRequest): Promise<{ digest: string }>;
  /**
   * Removes the local images of `repository` (e.g. `localhost/slipway-build/hello/hello`)
   * but those tagged with one of `keepTags` and the `keep` newest others (what a rebuild can
   * reuse); returns the references removed.
   */
  prune(request: PruneRequest): Promise<string[]>;
}

export interface PruneRequest {
  repository: string;
  /** Tags kept whatever their age: the one just pushed, and those other builds have not pushed yet. */
  keepTags: string[];
  keep: number;
  onOutput: OutputSink;
}
