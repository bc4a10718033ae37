// Picks the image builder this host can run: the configured one, else the first of
// buildah, podman, docker found on PATH.
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { SlipwayError } from '../core/errors.ts';
import type { ImageBuilder } from './builder.ts';
import { builders, isBuilderName } from './builders.ts';

export async function onPath(command: string, path = process.env.PATH ?? ''): Promise<boolean> {
  return (await findOnPath(command, path)) !== undefined;
}

/** Where `command` is on `path` (the first executable of that name), as the shell would find it. */
export async function findOnPath(command: string, path = process.env.PATH ?? ''): Promise<string | undefined> {
  for (const dir of path.split(delimiter)) {
    const file = join(dir || '.', command);
    try {
      await access(file, constants.X_OK);
      return file;
    } catch {
      // Not in this directory.
    }
  }
  return undefined;
}

export async function detectBuilder(prefer?: string): Promise<ImageBuilder> {
  if (prefer) {
    const create = isBuilderName(prefer) ? builders.get(prefer) : undefined;
    if (!create) {
      throw new SlipwayError('CONFIG_INVALID', `unknown image builder "${prefer}"; use one of ${[...builders.keys()].join(', ')}`);
    }
    if (!(await onPath(prefer))) throw new SlipwayError('CONFIG_INVALID', `image builder "${prefer}" is not installed (not on PATH)`);
    return create();
  }
  for (const [name, create] of builders) {
    if (await onPath(name)) return create();
  }
  throw new SlipwayError('CONFIG_INVALID', `no image builder found on PATH; install one of ${[...builders.keys()].join(', ')}`);
}
