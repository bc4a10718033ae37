// Builds with `podman build` (buildah inside podman); pushes with `podman push`.
import type { BuildRequest, ImageBuilder, PushRequest } from './builder.ts';
import { runBuild } from './build-command.ts';
import { pushWithContainersTool } from './containers-push.ts';

export class PodmanBuilder implements ImageBuilder {
  readonly name = 'podman';

  build(request: BuildRequest): Promise<void> {
    // The same layer caching and clean-up as buildah-builder.ts.
    return runBuild('podman', ['build', '--layers', '--force-rm'], request);
  }

  push(request: PushRequest): Promise<{ digest: string }> {
    return pushWithContainersTool('podman', request);
  }
}
