// The host's image store as the image tools show it: the ID of one reference, and every
// image with its names and creation time. buildah, podman and docker print the same facts in
// three JSON shapes; they are read here into one.
import { runTool, toolStdout } from './run-tool.ts';

export type ImageTool = 'buildah' | 'podman' | 'docker';

export interface LocalImage {
  id: string;
  /** Full references, `repository:tag`. */
  names: string[];
  /** The image's creation time (its config's, so the commit time of a Slipway build), ms since the epoch. */
  created: number;
}

const inspectId: Record<ImageTool, (ref: string) => string[]> = {
  buildah: (ref) => ['inspect', '--type', 'image', '--format', '{{.FromImageID}}', ref],
  podman: (ref) => ['image', 'inspect', '--format', '{{.Id}}', ref],
  docker: (ref) => ['image', 'inspect', '--format', '{{.Id}}', ref],
};

/** The local image ID `ref` names, or undefined when the store has no such image. */
export async function localImageId(tool: ImageTool, ref: string): Promise<string | undefined> {
  // The tools exit 1 for "no such image", which is the answer asked for, not a failure.
  const result = await runTool(tool, inspectId[tool](ref));
  const id = result.stdout.trim().replace(/^sha256:/, '');
  return result.exitCode === 0 && /^[0-9a-f]{64}$/.test(id) ? id : undefined;
}

/** Every image once (podman lists an image once per name), with each name once. */
export async function localImages(tool: ImageTool): Promise<LocalImage[]> {
  const byId = new Map<string, LocalImage>();
  for (const image of await listedImages(tool)) {
    const seen = byId.get(image.id);
    byId.set(image.id, { ...image, names: [...new Set([...(seen?.names ?? []), ...image.names])] });
  }
  return [...byId.values()];
}

async function listedImages(tool: ImageTool): Promise<LocalImage[]> {
  if (tool === 'docker') {
    // One JSON object per line and per tag: {"ID":"sha256:…","Repository":…,"Tag":…,"CreatedAt":"2023-11-14 22:13:20 +0000 UTC"}.
    const out = await toolStdout('docker', ['images', '--no-trunc', '--format', '{{json .}}']);
    return out.split('\n').filter((l) => l.trim().startsWith('{')).map((line) => {
      const row = JSON.parse(line) as { ID: string; Repository: string; Tag: string; CreatedAt: string };
      const named = row.Repository !== '<none>' && row.Tag !== '<none>';
      const created = Date.parse(row.CreatedAt.replace(/ \+0000 UTC$/, 'Z').replace(' ', 'T'));
      return { id: row.ID.replace(/^sha256:/, ''), names: named ? [`${row.Repository}:${row.Tag}`] : [], created };
    });
  }
  if (tool === 'buildah') {
    const rows = JSON.parse(await toolStdout('buildah', ['images', '--json', '--no-trunc'])) as { id: string; names: string[] | null; createdatraw: string }[];
    return rows.map((r) => ({ id: r.id.replace(/^sha256:/, ''), names: r.names ?? [], created: Date.parse(r.createdatraw) }));
  }
  const rows = JSON.parse(await toolStdout('podman', ['images', '--format', 'json', '--no-trunc'])) as { Id: string; Names: string[] | null; Created: number }[];
  return rows.map((r) => ({ id: r.Id.replace(/^sha256:/, ''), names: r.Names ?? [], created: r.Created * 1000 }));
}
