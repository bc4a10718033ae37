// `jobs.<id>.environment` and `jobs.<id>.snapshot` (docs.github.com "Workflow syntax"
// §jobs.<job_id>.environment, §jobs.<job_id>.snapshot; workflow-v1.0.json
// `job-environment-mapping`, `snapshot-mapping`).
import type { JobSpec } from '../model.ts';
import type { Reader } from '../yaml/reader.ts';
import { checkKeys, checkRequired, getPair, readKey, readLiteralBoolean, readMap } from '../yaml/reader.ts';
import { readIf } from './read-if.ts';
import { readString } from './read-values.ts';
import type { YNode } from '../yaml/node.ts';

/** `environment: name` or `{ name, url, deployment }`; name and url may be expressions. */
export function readEnvironment(r: Reader, node: YNode, path: string): JobSpec['environment'] {
  if (node.kind === 'scalar' && node.value !== null) {
    const name = readString(r, node, path);
    return name === undefined ? undefined : { name };
  }
  const map = readMap(r, node, path, 'an environment name or a mapping with `name` and `url`');
  if (!map) return undefined;
  const suggested = checkKeys(r, map, path, ['name', 'url', 'deployment']);
  checkRequired(r, map, map, path, ['name'], suggested, 'an environment mapping');
  const env: NonNullable<JobSpec['environment']> = { name: readKey(r, map, path, 'name', readString) ?? '' };
  const url = readKey(r, map, path, 'url', readString);
  if (url !== undefined) env.url = url;
  // A literal: whether a deployment is recorded is decided before the job is sent to a runner.
  if (readKey(r, map, path, 'deployment', readLiteralBoolean) === false) env.deployment = false;
  return env;
}

/** `snapshot: image-name` or `{ image-name, version, if }`. */
export function readSnapshot(r: Reader, node: YNode, path: string): JobSpec['snapshot'] {
  if (node.kind === 'scalar' && node.value !== null) {
    const imageName = readString(r, node, path);
    return imageName ? { imageName } : undefined;
  }
  const map = readMap(r, node, path, 'an image name or a mapping with `image-name`');
  if (!map) return undefined;
  const suggested = checkKeys(r, map, path, ['image-name', 'version', 'if']);
  checkRequired(r, map, map, path, ['image-name'], suggested, 'a snapshot');
  const snapshot: NonNullable<JobSpec['snapshot']> = { imageName: readKey(r, map, path, 'image-name', readString) ?? '' };
  const version = readKey(r, map, path, 'version', readString);
  if (version !== undefined) snapshot.version = version;
  const condition = getPair(map, 'if') ? readKey(r, map, path, 'if', readIf) : undefined;
  if (condition !== undefined) snapshot.if = condition;
  return snapshot;
}
