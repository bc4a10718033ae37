// Passes environment variables to `podman/docker run|exec` the way GitHub's runner does:
// `-e NAME` on the command line and the value in the CLI's own environment, so secrets never
// show up in `ps` or in an error message that echoes the command.
import { containerToolEnv } from '../../../core/tool-env.ts';

/**
 * Names the container CLI reads itself; overriding them in its environment would change how
 * it behaves (PATH, storage, config, proxies), so these travel as `-e NAME=VALUE` instead.
 */
const readByTheCli =
  /^(PATH|HOME|USER|TMPDIR|TZ|LANG|LC_\w+|XDG_\w+|CONTAINERS?_\w+|STORAGE_\w+|REGISTRY_AUTH_FILE|BUILDAH_\w+|PODMAN_\w+|DOCKER_\w+|LD_\w+|NOTIFY_SOCKET|SSL_CERT_\w+|(HTTPS?|NO|ALL)_PROXY|(https?|no|all)_proxy|GO\w+)$/;

export interface EnvArgs {
  args: string[];
  /** Environment for the CLI process: containerToolEnv() plus the values of `-e NAME` args. */
  clientEnv: NodeJS.ProcessEnv;
}

export function envArgs(env: Record<string, string>): EnvArgs {
  const args: string[] = [];
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (readByTheCli.test(name) || name.includes('=')) {
      args.push('-e', `${name}=${value}`);
    } else {
      args.push('-e', name);
      values[name] = value;
    }
  }
  return { args, clientEnv: containerToolEnv(values) };
}
