import { fileURLToPath } from 'node:url';

/** The project's containers.conf (runc runtime, explicit ulimits; see ENVIRONMENT notes in docs). */
const defaultContainersConf = fileURLToPath(new URL('../../config/containers.conf', import.meta.url));

/**
 * Environment for podman/buildah/skopeo child processes: the caller's environment, plus
 * Slipway's containers.conf unless the user chose their own with CONTAINERS_CONF.
 */
export function containerToolEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, CONTAINERS_CONF: process.env.CONTAINERS_CONF ?? defaultContainersConf, ...extra };
}
