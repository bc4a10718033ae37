// Builds with the containers tools — `buildah bud` (daemonless) or `podman build` (buildah
// inside podman) — and pushes with the same tool. One class: the two differ only in the
// command's name and its build verb.
//
// Why there is no `--layers`: buildah 1.28's layer cache keys `ENV X=$ARG`, `LABEL`,
// `WORKDIR` and the like by their unexpanded text, and `ARG` by the names of the build args
// only, so a cached step is reused after a build arg (or an ARG default) changed, and a
// release carries another commit's values (issue 14; upstream buildah #5501, #5575). And
// builds are stamped with their commit's time (`--timestamp`) so one commit gives one
// digest; a layer cached from another commit carries that commit's time, so reusing it would
// make the digest depend on what the cache held. A layer cache correct on both counts could
// only reuse layers of the same commit and args, which is what the whole-build cache here
// does, without trusting buildah's keys: the image is stored under a key over everything the
// build reads (build-key.ts) and a build with that key is a `tag`. Measured by
// bench/build.ts (a 3 s RUN step): cold 5.1 s (--layers 6.1 s); a rebuild of the same commit
// is a cache hit, 1.05 s (--layers 1.04 s); the next commit rebuilds every step, 5.2 s, where
// --layers took 1.3 s and shipped the previous commit's COMMIT.
import type { BuildRequest, ImageBuilder, PruneRequest, PushRequest } from './builder.ts';
import { buildKey } from './build-key.ts';
import { runBuild } from './build-command.ts';
import { pushWithContainersTool } from './containers-push.ts';
import { localImageId } from './local-images.ts';
import { pruneImages } from './prune-images.ts';
import { runToolOrThrow } from './run-tool.ts';

const buildVerb = { buildah: 'bud', podman: 'build' } as const;

/** The tag of the image built from the inputs `key` covers: in the build's own repository, so projects never share entries. */
export function cacheTag(tag: string, key: string): string {
  const colon = tag.lastIndexOf(':');
  const repository = colon > tag.lastIndexOf('/') ? tag.slice(0, colon) : tag;
  return `${repository}:build-${key}`;
}

export class ContainersBuilder implements ImageBuilder {
  readonly name: keyof typeof buildVerb;

  constructor(tool: keyof typeof buildVerb) {
    this.name = tool;
  }

  async build(request: BuildRequest): Promise<void> {
    const key = await buildKey({ request, imageId: (ref) => localImageId(this.name, ref) });
    const cached = cacheTag(request.tag, key);
    if (await localImageId(this.name, cached)) {
      request.onOutput(`Build cache hit: the inputs are those of ${cached}\n`);
      await runToolOrThrow(this.name, ['tag', cached, request.tag], { onOutput: request.onOutput, signal: request.signal });
      return;
    }
    // --layers=false also overrides BUILDAH_LAYERS and podman's default (true); --force-rm
    // removes the working container of a failed build; --identity-label=false leaves out the
    // builder's version label, which would make the digest depend on the host's buildah.
    const stamp = request.timestamp === undefined ? [] : ['--timestamp', String(request.timestamp)];
    await runBuild(this.name, [buildVerb[this.name], '--layers=false', '--force-rm', '--identity-label=false', ...stamp, '-t', cached], request);
  }

  push(request: PushRequest): Promise<{ digest: string }> {
    return pushWithContainersTool(this.name, request);
  }

  prune(request: PruneRequest): Promise<string[]> {
    return pruneImages(this.name, request);
  }
}
