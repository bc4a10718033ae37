// Builds with the containers tools — `buildah bud` (daemonless) or `podman build` (buildah
// inside podman) — and pushes with the same tool. One class: the two differ only in the
// command's name and its build verb.
import type { BuildRequest, ImageBuilder, PushRequest } from './builder.ts';
import { runBuild } from './build-command.ts';
import { pushWithContainersTool } from './containers-push.ts';

const buildVerb = { buildah: 'bud', podman: 'build' } as const;

export class ContainersBuilder implements ImageBuilder {
  readonly name: keyof typeof buildVerb;

  constructor(tool: keyof typeof buildVerb) {
    this.name = tool;
  }

  build(request: BuildRequest): Promise<void> {
    // --layers caches each instruction as an image, as `docker build` does, so rebuilding an
    // unchanged commit is fast; --force-rm removes the working container of a failed build.
    return runBuild(this.name, [buildVerb[this.name], '--layers', '--force-rm'], request);
  }

  push(request: PushRequest): Promise<{ digest: string }> {
    return pushWithContainersTool(this.name, request);
  }
}
