// Builds with `buildah bud` (daemonless, rootless-capable); pushes with `buildah push`.
import type { BuildRequest, ImageBuilder, PushRequest } from './builder.ts';
import { runBuild } from './build-command.ts';
import { pushWithContainersTool } from './containers-push.ts';

export class BuildahBuilder implements ImageBuilder {
  readonly name = 'buildah';

  build(request: BuildRequest): Promise<void> {
    // --layers caches each instruction as an image, as `docker build` does, so rebuilding an
    // unchanged commit is fast; --force-rm removes the working container of a failed build.
    return runBuild('buildah', ['bud', '--layers', '--force-rm'], request);
  }

  push(request: PushRequest): Promise<{ digest: string }> {
    return pushWithContainersTool('buildah', request);
  }
}
