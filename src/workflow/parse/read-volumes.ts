// `volumes` of a job container or a service (docs.github.com "Workflow syntax"
// §jobs.<job_id>.container.volumes: "named Docker volumes, anonymous Docker volumes, or
// bind mounts on the host", written `<source>:<destinationPath>`). A named volume belongs
// to the job: the executor creates it under a per-job name and removes it after the job,
// so no two jobs or projects share one. A host path reaches outside the job, so it is
// refused unless the admin lists a directory holding it in `runner.hostVolumes`.
import { posix } from 'node:path';
import type { Reader } from '../yaml/reader.ts';
import { child, describe } from '../yaml/reader.ts';
import type { YNode } from '../yaml/node.ts';
import type { ParseSettings } from './read-options.ts';
import { readString } from './read-values.ts';

/** A named volume's name, as docker and podman accept it. */
const volumeName = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const modes = new Set(['ro', 'rw', 'z', 'Z']);

/** One `volumes` entry split into its parts. */
export type VolumeEntry =
  | { kind: 'anonymous'; target: string; mode?: string }
  | { kind: 'named'; name: string; target: string; mode?: string }
  | { kind: 'host'; source: string; target: string; mode?: string };

/** Splits `source:target[:mode]` or `target`, or says why it is not a volume. */
export function parseVolume(text: string): VolumeEntry | { problem: string } {
  const parts = text.split(':');
  const last = parts[parts.length - 1] as string;
  const mode = parts.length >= 2 && modes.has(last) ? parts.pop() : undefined;
  const withMode = mode === undefined ? {} : { mode };
  if (parts.length === 1) {
    const target = parts[0] as string;
    return target.startsWith('/') ? { kind: 'anonymous', target, ...withMode } : { problem: 'expected `<source>:<absolute path>` or an absolute path' };
  }
  if (parts.length !== 2) return { problem: 'expected `<source>:<absolute path>[:ro]`' };
  const [source, target] = parts as [string, string];
  if (!target.startsWith('/')) return { problem: `the destination \`${target}\` is not an absolute path` };
  if (source.startsWith('/')) return { kind: 'host', source: posix.normalize(source), target, ...withMode };
  if (/^[.~]/.test(source)) return { problem: `the host path \`${source}\` is not absolute` };
  if (!volumeName.test(source)) return { problem: `\`${source}\` is not a volume name (letters, digits, \`_\`, \`.\`, \`-\`)` };
  return { kind: 'named', name: source, target, ...withMode };
}

/** Whether `path` is `dir` or inside it (both normalized, absolute). */
export function isUnder(path: string, dir: string): boolean {
  const d = dir.endsWith('/') && dir !== '/' ? dir.slice(0, -1) : dir;
  return path === d || path.startsWith(d === '/' ? '/' : `${d}/`);
}

export function readVolumes(r: Reader, node: YNode, path: string, settings: ParseSettings): string[] {
  if (node.kind !== 'seq') {
    r.error(node, path, `expected a list of volumes such as \`data:/var/lib/data\`, found ${describe(node)}`);
    return [];
  }
  const out: string[] = [];
  node.items.forEach((item, i) => {
    const p = child(path, i);
    const text = readString(r, item, p);
    if (text === undefined) return;
    // Volumes are mounts on the host: checked before the run starts, where no expression has a value yet.
    if (text.includes('${{')) {
      r.error(item, p, 'expressions are not allowed in volumes: they are checked against runner.hostVolumes before the run starts');
      return;
    }
    const volume = parseVolume(text);
    if ('problem' in volume) {
      r.error(item, p, `invalid volume \`${text}\`: ${volume.problem}`);
      return;
    }
    if (volume.kind === 'host' && !(settings.hostVolumes ?? []).some((dir) => isUnder(volume.source, dir))) {
      r.error(item, p, `\`${text}\` mounts the host path ${volume.source}, which runner.hostVolumes does not allow (default: no host paths); use a named volume, or ask an admin to list the directory there`);
      return;
    }
    out.push(text);
  });
  return out;
}
