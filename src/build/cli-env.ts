// Hands values to podman/buildah/docker the way GitHub's runner hands env to `docker exec`:
// `-e NAME` (or `--build-arg NAME`) on the command line and the value in the CLI's own
// environment, so values never show up in `ps` or in an error message that echoes the command.
import { containerToolEnv } from '../core/tool-env.ts';

/**
 * Names the CLIs read themselves; putting them in their environment would change how they
 * behave (PATH, storage, config, proxies), so these travel as `NAME=VALUE` arguments instead.
 */
const readByTheCli =
  /^(PATH|HOME|USER|TMPDIR|TZ|LANG|LC_\w+|XDG_\w+|CONTAINERS?_\w+|STORAGE_\w+|REGISTRY_AUTH_FILE|BUILDAH_\w+|PODMAN_\w+|DOCKER_\w+|LD_\w+|NOTIFY_SOCKET|SSL_CERT_\w+|(HTTPS?|NO|ALL|FTP)_PROXY|(https?|no|all|ftp)_proxy|GO\w+)$/;

interface CliEnv {
  args: string[];
  /** Environment for the CLI process: containerToolEnv() plus the values passed by name. */
  env: NodeJS.ProcessEnv;
}

/** `flag` is `-e` for run/exec, `--build-arg` for builds. */
export function cliEnvArgs(flag: string, values: Record<string, string>): CliEnv {
  const args: string[] = [];
  const byName: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) {
    if (readByTheCli.test(name) || name.includes('=')) {
      args.push(flag, `${name}=${value}`);
    } else {
      args.push(flag, name);
      byName[name] = value;
    }
  }
  return { args, env: containerToolEnv(byName) };
}
