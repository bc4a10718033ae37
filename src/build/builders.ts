// The image builders Slipway knows, by name (explicit registration; build.test.ts checks
// that this map and the *-builder.ts files agree).
import { BuildahBuilder } from './buildah-builder.ts';
import type { ImageBuilder } from './builder.ts';
import { DockerBuilder } from './docker-builder.ts';
import { PodmanBuilder } from './podman-builder.ts';

type BuilderName = ImageBuilder['name'];

/** In order of preference: daemonless first. */
export const builders: ReadonlyMap<BuilderName, () => ImageBuilder> = new Map<BuilderName, () => ImageBuilder>([
  ['buildah', () => new BuildahBuilder()],
  ['podman', () => new PodmanBuilder()],
  ['docker', () => new DockerBuilder()],
]);

export function isBuilderName(name: string): name is BuilderName {
  return builders.has(name as BuilderName);
}
