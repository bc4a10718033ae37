// Builds with `buildah bud` (daemonless, rootless-capable); pushes with `buildah push`.
import type { BuildRequest, ImageBuilder, PushRequest } from './builder.ts';
import { cliEnvArgs } from './cli-env.ts';
import { pushWithContainersTool } from './containers-push.ts';
import { runToolOrThrow } from './run-tool.ts';

export class BuildahBuilder implements ImageBuilder {
  readonly name = 'buildah';
  readonly #command: string;

  constructor(options: { command?: string } = {}) {
    this.#command = options.command ?? 'buildah';
  }

  async build(request: BuildRequest): Promise<void> {
    const args = cliEnvArgs('--build-arg', request.buildArgs);
    // --layers caches each instruction as an image, as `docker build` does, so rebuilding an
    // unchanged commit is fast; --force-rm removes the working container of a failed build.
    await runToolOrThrow(this.#command, [
      'bud', '--layers', '--force-rm', '-f', request.containerfile, '-t', request.tag, ...args.args, request.contextDir,
    ], { env: args.env, onOutput: request.onOutput, signal: request.signal, errorCode: 'BUILD_FAILED' });
  }

  push(request: PushRequest): Promise<{ digest: string }> {
    return pushWithContainersTool(this.#command, request);
  }
}
