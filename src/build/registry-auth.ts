// Credentials for a push, kept off command lines: a temporary auth file in the
// containers-auth.json(5) format, which buildah, podman, skopeo and docker's config.json share.
import { join } from 'node:path';
import { withPrivateDir, writePrivateFile } from '../exec/private-temp.ts';

/**
 * The registry host of a reference: the first path component when it looks like a host
 * (has a dot or a port, or is localhost), else Docker Hub (the distribution reference grammar).
 */
export function registryHost(reference: string): string {
  const first = reference.split('/')[0] ?? '';
  return reference.includes('/') && (/[.:]/.test(first) || first === 'localhost') ? first : 'docker.io';
}

/**
 * Calls `use` with the path of a 0600 auth file in a private 0700 directory holding the
 * credentials for `reference`'s registry, and deletes both afterwards.
 */
export async function withAuthFile<T>(
  reference: string,
  credentials: { username: string; password: string },
  fileName: string,
  use: (path: string, dir: string) => Promise<T>,
): Promise<T> {
  return withPrivateDir('auth', async (dir) => {
    const path = join(dir, fileName);
    const auth = Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64');
    await writePrivateFile(path, JSON.stringify({ auths: { [registryHost(reference)]: { auth } } }));
    return use(path, dir);
  });
}
