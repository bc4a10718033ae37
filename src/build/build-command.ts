// The command line buildah bud, podman build and docker build share: the Containerfile, the
// tag, build args passed by name (see cli-env.ts) and the context directory last.
import type { BuildRequest } from './builder.ts';
import { cliEnvArgs } from './cli-env.ts';
import { runToolOrThrow } from './run-tool.ts';

/** Runs `<command> <verb…> -f <file> -t <tag> --build-arg NAME… <context>`; failure is BUILD_FAILED. */
export async function runBuild(command: string, verb: string[], request: BuildRequest): Promise<void> {
  const args = cliEnvArgs('--build-arg', request.buildArgs);
  await runToolOrThrow(command, [...verb, '-f', request.containerfile, '-t', request.tag, ...args.args, request.contextDir], {
    env: args.env, onOutput: request.onOutput, signal: request.signal, errorCode: 'BUILD_FAILED',
  });
}
