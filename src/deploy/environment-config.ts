// The `environments:` section of deploy.yml: where each environment's releases come from,
// who must approve them, and which hosts run them.
import type { Node, Pair } from 'yaml';
import { join, matching, nameCheck } from './config-reader.ts';
import type { ConfigReader } from './config-reader.ts';
import type { DeployStrategy, EnvironmentConfig } from './deploy-config.ts';

const deployStrategies: readonly DeployStrategy[] = ['blue-green', 'recreate', 'rolling'];
const environmentKeys = ['branch', 'promote_from', 'approval', 'hosts', 'publish', 'strategy'];
const portPattern = '(?:6553[0-5]|655[0-2]\\d|65[0-4]\\d\\d|6[0-4]\\d{3}|[1-5]\\d{4}|[1-9]\\d{0,3})';
const hostCheck = matching(
  new RegExp(`^(?:local|ssh://[a-z_][a-z0-9_.-]*@(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\\[[0-9A-Fa-f:.]+\\])(?::${portPattern})?)$`),
  '"local" or ssh://user@host[:port]',
);
// git check-ref-format, the rules a branch name can break in a config file.
const branchCheck = matching(/^(?!\/|.*\/\/|.*\.\.|.*\/$|.*\.lock$)[^\s~^:?*[\\]+$/, 'a valid branch name');

type Entries = Map<string, Pair<Node, Node | null>>;
interface ReadEnvironment {
  environment: EnvironmentConfig;
  entries: Entries;
}

export function readEnvironments(r: ConfigReader, node: Node | null): EnvironmentConfig[] | undefined {
  const m = r.map(node, 'environments', null);
  if (!m) return undefined;
  if (m.size === 0) r.error(node, 'environments', 'at least one environment is required');
  const read: ReadEnvironment[] = [];
  for (const [name, pair] of m) {
    if (r.string(pair.key, join('environments', name), nameCheck) === undefined) continue;
    const one = readEnvironment(r, name, pair.value);
    if (one) read.push(one);
  }
  checkPromotions(r, [...m.keys()], read);
  checkPublishedPorts(r, read);
  return read.map((e) => e.environment);
}

function readEnvironment(r: ConfigReader, name: string, node: Node | null): ReadEnvironment | undefined {
  const path = `environments.${name}`;
  const m = r.map(node, path, environmentKeys, ['hosts']);
  if (!m) return undefined;
  const get = (key: string): Node | null => m.get(key)?.value ?? null;
  const errors = r.diagnostics.length;
  const environment: EnvironmentConfig = { name, hosts: [], strategy: 'blue-green' };
  if (m.has('branch')) environment.branch = r.string(get('branch'), `${path}.branch`, branchCheck);
  if (m.has('promote_from')) environment.promoteFrom = r.string(get('promote_from'), `${path}.promote_from`, nameCheck);
  if (m.has('branch') && m.has('promote_from')) {
    r.error(m.get('promote_from')!.key, `${path}.promote_from`, 'use either branch (deploy pushes) or promote_from (promote releases), not both');
  }
  if (m.has('approval')) environment.approval = readApproval(r, get('approval'), `${path}.approval`);
  if (m.has('hosts')) {
    const hosts = r.list(get('hosts'), `${path}.hosts`, (n, p) => {
      const host = r.string(n, p, hostCheck);
      if (host !== undefined && environment.hosts.includes(host)) r.error(n, p, `host "${host}" is listed twice`);
      else if (host !== undefined) environment.hosts.push(host);
      return host;
    });
    if (hosts && hosts.length === 0) r.error(get('hosts'), `${path}.hosts`, 'at least one host is required');
  }
  if (m.has('publish')) environment.publish = r.integer(get('publish'), `${path}.publish`, 1, 65535);
  if (m.has('strategy')) {
    const strategy = r.string(get('strategy'), `${path}.strategy`, { valid: (v) => deployStrategies.includes(v as DeployStrategy), expected: `one of ${deployStrategies.join(', ')}` });
    if (strategy) environment.strategy = strategy as DeployStrategy;
  }
  return r.diagnostics.length === errors ? { environment, entries: m } : undefined;
}

function readApproval(r: ConfigReader, node: Node | null, path: string): EnvironmentConfig['approval'] {
  const m = r.map(node, path, ['required', 'not_author'], ['required']);
  if (!m?.has('required')) return undefined;
  const required = r.integer(m.get('required')!.value, `${path}.required`, 1, 100);
  const notAuthor = m.has('not_author') ? r.boolean(m.get('not_author')!.value, `${path}.not_author`) : false;
  return required === undefined || notAuthor === undefined ? undefined : { required, notAuthor };
}

/** promote_from must name another defined environment, without a cycle. */
function checkPromotions(r: ConfigReader, defined: string[], read: ReadEnvironment[]): void {
  const byName = new Map(read.map((e) => [e.environment.name, e.environment]));
  for (const { environment: e, entries } of read) {
    if (e.promoteFrom === undefined) continue;
    const path = `environments.${e.name}.promote_from`;
    const node = entries.get('promote_from')!.value;
    if (!defined.includes(e.promoteFrom)) {
      r.error(node, path, `unknown environment "${e.promoteFrom}" (defined: ${defined.join(', ')})`);
      continue;
    }
    const seen = new Set([e.name]);
    for (let next = byName.get(e.promoteFrom); next; next = next.promoteFrom ? byName.get(next.promoteFrom) : undefined) {
      if (seen.has(next.name)) {
        r.error(node, path, `promotion cycle through "${next.name}"`);
        break;
      }
      seen.add(next.name);
    }
  }
}

/** Two environments on host `local` cannot publish the same port. */
function checkPublishedPorts(r: ConfigReader, read: ReadEnvironment[]): void {
  const published = new Map<number, string>();
  for (const { environment: e, entries } of read) {
    if (e.publish === undefined || !e.hosts.includes('local')) continue;
    const other = published.get(e.publish);
    if (other) r.error(entries.get('publish')!.value, `environments.${e.name}.publish`, `port ${e.publish} is already published by "${other}" on host local`);
    else published.set(e.publish, e.name);
  }
}
