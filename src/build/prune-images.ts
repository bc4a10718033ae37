// Keeps the host's build images bounded: after a push, a repository's local images go but
// the one just pushed, those still to be pushed and the newest others, which a rebuild of a recent commit can still
// take from the build cache (containers-builder.ts). Only tags are removed (`rmi` by name):
// an image that also carries a name outside the repository stays under that name, and one a
// container uses is refused by the tool and reported, never forced.
import type { PruneRequest } from './builder.ts';
import { localImages, type ImageTool } from './local-images.ts';
import { runToolOrThrow } from './run-tool.ts';

export async function pruneImages(tool: ImageTool, request: PruneRequest): Promise<string[]> {
  const prefix = `${request.repository}:`;
  const images = (await localImages(tool))
    .map((image) => ({ ...image, names: image.names.filter((name) => name.startsWith(prefix)) }))
    .filter((image) => image.names.length > 0)
    // Newest first; created is the commit time of a reproducible build. IDs break ties so the choice is stable.
    .sort((a, b) => b.created - a.created || (a.id < b.id ? -1 : 1));
  const keepRefs = new Set(request.keepTags.map((tag) => `${prefix}${tag}`));
  const others = images.filter((image) => !image.names.some((name) => keepRefs.has(name)));
  const removed = others.slice(Math.max(0, request.keep)).flatMap((image) => image.names);
  if (removed.length > 0) await runToolOrThrow(tool, ['rmi', ...removed], { onOutput: request.onOutput });
  return removed;
}
