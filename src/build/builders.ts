// The image builders Slipway knows, by name (explicit registration; build.test.ts checks
// that each one has a <name>-builder.test.ts running the builder contract).
import { ContainersBuilder } from './containers-builder.ts';
import type { ImageBuilder } from './builder.ts';
import { DockerBuilder } from './docker-builder.ts';

type BuilderName = ImageBuilder['name'];

/** In order of preference: daemonless first. */
export const builders: ReadonlyMap<BuilderName, () => ImageBuilder> = new Map<BuilderName, () => ImageBuilder>([
  ['buildah', () => new ContainersBuilder('buildah')],
  ['podman', () => new ContainersBuilder('podman')],
  ['docker', () => new DockerBuilder()],
]);

export function isBuilderName(name: string): name is BuilderName {
  return builders.has(name as BuilderName);
}
