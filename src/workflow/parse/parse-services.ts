// `jobs.<id>.services` and `jobs.<id>.environment` (docs.github.com "Workflow syntax"
// §jobs.<job_id>.services, §jobs.<job_id>.environment).
import type { JobSpec, ServiceSpec } from '../model.ts';
import { checkId } from './parse-step.ts';
import type { Reader } from '../yaml/reader.ts';
import { checkKeys, checkRequired, child, describe, getPair, readEntries, readMap } from '../yaml/reader.ts';
import { readEnv, readString, readStringList } from './read-values.ts';
import { readOptions, type ParseSettings } from './read-options.ts';
import type { YNode } from '../yaml/node.ts';

export function readServices(r: Reader, node: YNode, path: string, settings: ParseSettings = {}): Record<string, ServiceSpec> {
  return readEntries(r, node, path, 'a mapping of service names to containers', (pair, p) => {
    // The name becomes the container's host name on the job's network.
    checkId(r, pair.key, pair.keyPos, p, 'service name');
    // Unlike `container`, a service has no `name: image` short form on GitHub.
    const m = readMap(r, pair.value, p, 'a mapping with `image` (services have no short form)');
    if (!m) return undefined;
    const suggested = checkKeys(r, m, p, ['image', 'env', 'ports', 'options'], ['credentials', 'volumes']);
    checkRequired(r, m, pair.keyPos, p, ['image'], suggested, 'every service');
    const service: ServiceSpec = { image: '', env: {}, ports: [] };
    const image = getPair(m, 'image');
    // An empty image (often from an expression) skips the service, as on GitHub.
    if (image) service.image = readString(r, image.value, child(p, 'image')) ?? '';
    const env = getPair(m, 'env');
    if (env) service.env = readEnv(r, env.value, child(p, 'env'));
    const ports = getPair(m, 'ports');
    if (ports) service.ports = readPorts(r, ports.value, child(p, 'ports'));
    const options = getPair(m, 'options');
    if (options) service.options = readOptions(r, options.value, child(p, 'options'), 'service', settings);
    return service;
  });
}

// `5432`, `8080:80`, `127.0.0.1:8080:80`, optionally `/tcp` or `/udp` (Docker's -p syntax).
const portPattern = /^(?:(?:\d{1,3}(?:\.\d{1,3}){3}:)?\d{1,5}:)?\d{1,5}(?:\/(?:tcp|udp))?$/;

function readPorts(r: Reader, node: YNode, path: string): string[] {
  if (node.kind !== 'seq') {
    r.error(node, path, `expected a list of ports such as \`5432\` or \`8080:80\`, found ${describe(node)}`);
    return [];
  }
  const out: string[] = [];
  for (const { value, node: item } of readStringList(r, node, path)) {
    if (!value.includes('${{') && !portPattern.test(value)) {
      r.error(item, path, `invalid port \`${value}\`; expected \`container\`, \`host:container\` or \`ip:host:container\` port numbers`);
    }
    out.push(value);
  }
  return out;
}

/** `environment: name` or `{ name, url }`; both may be expressions. */
export function readEnvironment(r: Reader, node: YNode, path: string): JobSpec['environment'] {
  if (node.kind === 'scalar' && node.value !== null) {
    const name = readString(r, node, path);
    return name === undefined ? undefined : { name };
  }
  const map = readMap(r, node, path, 'an environment name or a mapping with `name` and `url`');
  if (!map) return undefined;
  const suggested = checkKeys(r, map, path, ['name', 'url']);
  checkRequired(r, map, map, path, ['name'], suggested, 'an environment mapping');
  const env: { name: string; url?: string } = { name: '' };
  const name = getPair(map, 'name');
  if (name) env.name = readString(r, name.value, child(path, 'name')) ?? '';
  const url = getPair(map, 'url');
  if (url) env.url = readString(r, url.value, child(path, 'url'));
  return env;
}
