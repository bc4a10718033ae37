// Credentials for a push or pull, kept off command lines: an auth file in the
// containers-auth.json(5) format, which buildah, podman, skopeo and docker's config.json share.
import { join } from 'node:path';
import { registryHost } from '../registry/reference.ts';
import { withPrivateDir, writePrivateFile } from '../exec/private-temp.ts';

interface RegistryCredentials {
  username: string;
  password: string;
}

/** The auth file's content: `credentials` for `reference`'s registry (Docker Hub when it names none). */
export function authFileContent(reference: string, credentials: RegistryCredentials): string {
  const auth = Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64');
  return JSON.stringify({ auths: { [registryHost(reference)]: { auth } } });
}

/**
 * Calls `use` with the path of a 0600 auth file in a private 0700 directory holding the
 * credentials for `reference`'s registry, and deletes both afterwards.
 */
export async function withAuthFile<T>(
  reference: string,
  credentials: RegistryCredentials,
  fileName: string,
  use: (path: string, dir: string) => Promise<T>,
): Promise<T> {
  return withPrivateDir('auth', async (dir) => {
    const path = join(dir, fileName);
    await writePrivateFile(path, authFileContent(reference, credentials));
    return use(path, dir);
  });
}
