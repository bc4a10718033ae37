// Builds with `docker build` and pushes with `docker push`, for hosts that run Docker.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SlipwayError } from '../core/errors.ts';
import { containerToolEnv } from '../core/tool-env.ts';
import type { BuildRequest, ImageBuilder, PruneRequest, PushRequest } from './builder.ts';
import { runBuild } from './build-command.ts';
import { pruneImages } from './prune-images.ts';
import { withAuthFile } from './registry-auth.ts';
import { runToolOrThrow } from './run-tool.ts';

export class DockerBuilder implements ImageBuilder {
  readonly name = 'docker';

  build(request: BuildRequest): Promise<void> {
    return runBuild('docker', ['build'], request);
  }

  /**
   * docker push takes no auth file or TLS flag: credentials go in a throw-away DOCKER_CONFIG
   * (config.json has the same `auths` format), and plain HTTP must be allowed by the daemon's
   * `insecure-registries`, which covers 127.0.0.0/8 by default — `insecure` cannot change it.
   */
  async push(request: PushRequest): Promise<{ digest: string }> {
    const options = { onOutput: request.onOutput, signal: request.signal };
    await runToolOrThrow('docker', ['tag', request.tag, request.destination], options);
    const output = await withAuthFile(request.destination, request, 'config.json', async (_path, dir) => {
      if (!request.username && !request.password) await writeFile(join(dir, 'config.json'), '{}');
      return runToolOrThrow('docker', ['push', request.destination], { ...options, env: containerToolEnv({ DOCKER_CONFIG: dir }) });
    });
    // docker prints "<tag>: digest: sha256:<hex> size: <n>" once the registry stored the manifest.
    const digest = /digest: (sha256:[0-9a-f]{64})/.exec(output)?.[1];
    if (!digest) throw new SlipwayError('EXEC_FAILED', 'docker push did not report a digest');
    return { digest };
  }

  prune(request: PruneRequest): Promise<string[]> {
    return pruneImages('docker', request);
  }
}
