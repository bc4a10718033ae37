// `jobs.<id>.container` and `jobs.<id>.services` (docs.github.com "Workflow syntax"
// §jobs.<job_id>.container, §jobs.<job_id>.services; actions/languageservices
// workflow-v1.0.json `container-mapping`, `service-container-mapping`). Both are an image
// name or a mapping; a service also takes `entrypoint` and `command`.
import type { ContainerSpec, RegistryCredentials, ServiceSpec } from '../model.ts';
import { checkId } from './parse-step.ts';
import type { MapNode, Reader } from '../yaml/reader.ts';
import { checkKeys, checkRequired, child, describe, getPair, readEntries, readKey, readMap } from '../yaml/reader.ts';
import { readEnv, readString, readStringList } from './read-values.ts';
import { readOptions, type ParseSettings } from './read-options.ts';
import { readVolumes } from './read-volumes.ts';
import type { YNode } from '../yaml/node.ts';

const containerKeys = ['image', 'credentials', 'env', 'ports', 'volumes', 'options'];
const serviceKeys = [...containerKeys, 'entrypoint', 'command'];

export function readContainer(r: Reader, node: YNode, path: string, settings: ParseSettings): ContainerSpec | undefined {
  if (node.kind === 'scalar' && node.value !== null) {
    const image = readString(r, node, path);
    return image === undefined ? undefined : { image, env: {} };
  }
  const map = readMap(r, node, path, 'an image name or a mapping with `image`');
  if (!map) return undefined;
  const suggested = checkKeys(r, map, path, containerKeys);
  checkRequired(r, map, map, path, ['image'], suggested, 'a container');
  const container: ContainerSpec = { image: readKey(r, map, path, 'image', readString) ?? '', env: {} };
  readShared(r, map, path, container, 'container', settings);
  return container;
}

export function readServices(r: Reader, node: YNode, path: string, settings: ParseSettings = {}): Record<string, ServiceSpec> {
  return readEntries(r, node, path, 'a mapping of service names to containers', (pair, p) => {
    // The name becomes the container's host name on the job's network.
    checkId(r, pair.key, pair.keyPos, p, 'service name');
    // `services: { redis: redis:7 }`: workflow-v1.0.json `services-container` is a non-empty string or a mapping.
    if (pair.value.kind === 'scalar' && pair.value.value !== null) {
      const image = readString(r, pair.value, p);
      return image === undefined ? undefined : { image, env: {}, ports: [] };
    }
    const m = readMap(r, pair.value, p, 'an image name or a mapping with `image`');
    if (!m) return undefined;
    const suggested = checkKeys(r, m, p, serviceKeys);
    checkRequired(r, m, pair.keyPos, p, ['image'], suggested, 'every service');
    // An empty image (often from an expression) skips the service, as on GitHub.
    const service: ServiceSpec = { image: readKey(r, m, p, 'image', readString) ?? '', env: {}, ports: [] };
    readShared(r, m, p, service, 'service', settings);
    const entrypoint = readKey(r, m, p, 'entrypoint', readString);
    if (entrypoint !== undefined) service.entrypoint = entrypoint;
    const command = readKey(r, m, p, 'command', readString);
    if (command !== undefined) service.command = command;
    return service;
  });
}

/** The keys a job container and a service read the same way. */
function readShared(r: Reader, map: MapNode, path: string, target: ContainerSpec | ServiceSpec, owner: 'container' | 'service', settings: ParseSettings): void {
  const env = readKey(r, map, path, 'env', readEnv);
  if (env) target.env = env;
  const credentials = readKey(r, map, path, 'credentials', readCredentials);
  if (credentials) target.credentials = credentials;
  const ports = readKey(r, map, path, 'ports', readPorts);
  if (ports) target.ports = ports;
  const volumes = getPair(map, 'volumes');
  if (volumes) target.volumes = readVolumes(r, volumes.value, child(path, 'volumes'), settings);
  const options = getPair(map, 'options');
  if (options) target.options = readOptions(r, options.value, child(path, 'options'), owner, settings);
}

/** `credentials: { username, password }`, both required (docs: "the same values that you would provide to the docker login command"). */
function readCredentials(r: Reader, node: YNode, path: string): RegistryCredentials | undefined {
  const map = readMap(r, node, path, 'a mapping with `username` and `password`');
  if (!map) return undefined;
  const suggested = checkKeys(r, map, path, ['username', 'password']);
  checkRequired(r, map, map, path, ['username', 'password'], suggested, 'registry credentials');
  const username = readKey(r, map, path, 'username', readString);
  const password = readKey(r, map, path, 'password', readString);
  if (username === undefined || password === undefined) return undefined;
  return { username, password };
}

// `5432`, `8080:80`, `127.0.0.1:8080:80`, optionally `/tcp` or `/udp` (Docker's -p syntax).
const portPattern = /^(?:(?:\d{1,3}(?:\.\d{1,3}){3}:)?\d{1,5}:)?\d{1,5}(?:\/(?:tcp|udp))?$/;

function readPorts(r: Reader, node: YNode, path: string): string[] {
  if (node.kind !== 'seq') {
    r.error(node, path, `expected a list of ports such as \`5432\` or \`8080:80\`, found ${describe(node)}`);
    return [];
  }
  const out: string[] = [];
  node.items.forEach((item, i) => {
    for (const { value } of readStringList(r, item, child(path, i))) {
      if (!value.includes('${{') && !portPattern.test(value)) {
        r.error(item, child(path, i), `invalid port \`${value}\`; expected \`container\`, \`host:container\` or \`ip:host:container\` port numbers`);
      }
      out.push(value);
    }
  });
  return out;
}
