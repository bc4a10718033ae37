// Builds with `podman build` (buildah inside podman); pushes with `podman push`.
import type { BuildRequest, ImageBuilder, PushRequest } from './builder.ts';
import { cliEnvArgs } from './cli-env.ts';
import { pushWithContainersTool } from './containers-push.ts';
import { runToolOrThrow } from './run-tool.ts';

export class PodmanBuilder implements ImageBuilder {
  readonly name = 'podman';
  readonly #command: string;

  constructor(options: { command?: string } = {}) {
    this.#command = options.command ?? 'podman';
  }

  async build(request: BuildRequest): Promise<void> {
    const args = cliEnvArgs('--build-arg', request.buildArgs);
    await runToolOrThrow(this.#command, [
      'build', '--layers', '--force-rm', '-f', request.containerfile, '-t', request.tag, ...args.args, request.contextDir,
    ], { env: args.env, onOutput: request.onOutput, signal: request.signal, errorCode: 'BUILD_FAILED' });
  }

  push(request: PushRequest): Promise<{ digest: string }> {
    return pushWithContainersTool(this.#command, request);
  }
}
