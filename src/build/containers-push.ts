// `push` for the containers/image tools (buildah and podman take the same flags): credentials
// through --authfile, the stored manifest digest through --digestfile.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SlipwayError } from '../core/errors.ts';
import { withPrivateDir } from '../exec/private-temp.ts';
import type { PushRequest } from './builder.ts';
import { withAuthFile } from './registry-auth.ts';
import { runToolOrThrow } from './run-tool.ts';

export async function pushWithContainersTool(command: string, request: PushRequest): Promise<{ digest: string }> {
  return withPrivateDir('push', async (dir) => {
    const digestFile = join(dir, 'digest');
    const push = (auth: string[]) => runToolOrThrow(command, [
      'push', ...auth, '--digestfile', digestFile, `--tls-verify=${!request.insecure}`,
      request.tag, `docker://${request.destination}`,
    ], { onOutput: request.onOutput, signal: request.signal });
    if (request.username || request.password) {
      await withAuthFile(request.destination, request, 'auth.json', (path) => push(['--authfile', path]));
    } else {
      await push([]);
    }
    const digest = (await readFile(digestFile, 'utf8')).trim();
    if (!/^sha256:[0-9a-f]{64}$/.test(digest)) {
      throw new SlipwayError('EXEC_FAILED', `${command} push wrote an unexpected digest: ${JSON.stringify(digest)}`);
    }
    return { digest };
  });
}
