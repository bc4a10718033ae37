// The `environments:` section of deploy.yml: where each environment's releases come from,
// who must approve them, and which hosts run them.
import type { YNode, YPair } from '../../workflow/yaml/node.ts';
import { filterPatternProblem } from '../../workflow/glob.ts';
import { child } from '../../workflow/yaml/reader.ts';
import { keyNode, matching, nameCheck } from './config-reader.ts';
import type { ConfigReader, StringCheck } from './config-reader.ts';
import { branchAllowed } from './branch-policy.ts';
import type { DeployStrategy, EnvironmentConfig } from './deploy-config.ts';

const deployStrategies: readonly DeployStrategy[] = ['blue-green', 'recreate', 'rolling'];
const environmentKeys = ['branch', 'branches', 'promote_from', 'approval', 'hosts', 'publish', 'strategy', 'batch_size', 'max_parallel'];
const portPattern = '(?:6553[0-5]|655[0-2]\\d|65[0-4]\\d\\d|6[0-4]\\d{3}|[1-5]\\d{4}|[1-9]\\d{0,3})';
const hostCheck = matching(
  new RegExp(`^(?:local|ssh://[a-z_][a-z0-9_.-]*@(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\\[[0-9A-Fa-f:.]+\\])(?::${portPattern})?)$`),
  '"local" or ssh://user@host[:port]',
);
// git check-ref-format, the rules a branch name can break in a config file.
const branchCheck = matching(/^(?!\/|.*\/\/|.*\.\.|.*\/$|.*\.lock$)[^\s~^:?*[\\]+$/, 'a valid branch name');

// A user name as `slipway users add` accepts it (src/core/ids.ts isValidName) or an email-like name.
const userCheck = matching(/^[a-z0-9][a-z0-9._@+-]*$/i, 'a user name');

type Entries = Map<string, YPair>;
interface ReadEnvironment {
  environment: EnvironmentConfig;
  entries: Entries;
}

export function readEnvironments(r: ConfigReader, node: YNode): EnvironmentConfig[] | undefined {
  const m = r.map(node, 'environments', null);
  if (!m) return undefined;
  if (m.size === 0) r.error(node, 'environments', 'at least one environment is required');
  const read: ReadEnvironment[] = [];
  for (const [name, pair] of m) {
    if (r.string(keyNode(pair), child('environments', name), nameCheck) === undefined) continue;
    const one = readEnvironment(r, name, pair.value);
    if (one) read.push(one);
  }
  checkPromotions(r, [...m.keys()], read);
  checkPublishedPorts(r, read);
  return read.map((e) => e.environment);
}

function readEnvironment(r: ConfigReader, name: string, node: YNode): ReadEnvironment | undefined {
  const path = `environments.${name}`;
  const m = r.map(node, path, environmentKeys, ['hosts']);
  if (!m) return undefined;
  const get = (key: string): YNode => m.get(key)!.value;
  const errors = r.diagnostics.length;
  const environment: EnvironmentConfig = { name, hosts: [], strategy: 'blue-green' };
  if (m.has('branch')) environment.branch = r.string(get('branch'), `${path}.branch`, branchCheck);
  if (m.has('promote_from')) environment.promoteFrom = r.string(get('promote_from'), `${path}.promote_from`, nameCheck);
  if (m.has('branch') && m.has('promote_from')) {
    r.error(m.get('promote_from')!.keyPos, `${path}.promote_from`, 'use either branch (deploy pushes) or promote_from (promote releases), not both');
  }
  if (m.has('approval')) environment.approval = readApproval(r, get('approval'), `${path}.approval`);
  if (m.has('branches')) environment.branches = readBranches(r, get('branches'), `${path}.branches`, environment.branch);
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
  if (m.has('batch_size')) {
    environment.batchSize = r.integer(get('batch_size'), `${path}.batch_size`, 1, 1000);
    if (environment.strategy !== 'rolling') r.error(m.get('batch_size')!.keyPos, `${path}.batch_size`, 'batch_size applies to strategy: rolling only');
  }
  if (m.has('max_parallel')) environment.maxParallel = r.integer(get('max_parallel'), `${path}.max_parallel`, 1, 100);
  return r.diagnostics.length === errors ? { environment, entries: m } : undefined;
}

// GitHub's limit for an environment's wait timer; also keeps one timer within setTimeout's range per re-arm.
const maxWaitMs = 30 * 24 * 60 * 60_000;

/** `required` approvals, `not_author`, `approvers` and a `wait` timer; a wait alone (no approvals) is a gate too. */
function readApproval(r: ConfigReader, node: YNode, path: string): EnvironmentConfig['approval'] {
  const m = r.map(node, path, ['required', 'not_author', 'wait', 'approvers']);
  if (!m) return undefined;
  if (!m.has('required') && !m.has('wait')) {
    r.error(node, `${path}.required`, 'missing required key "required" (or "wait", for a timer alone)');
    return undefined;
  }
  const required = m.has('required') ? r.integer(m.get('required')!.value, `${path}.required`, 1, 100) : 0;
  const notAuthor = m.has('not_author') ? r.boolean(m.get('not_author')!.value, `${path}.not_author`) : false;
  if (notAuthor && !m.has('required')) {
    r.error(m.get('not_author')!.keyPos, `${path}.not_author`, 'not_author applies to approvals: set "required" too');
    return undefined;
  }
  const waitMs = m.has('wait') ? r.duration(m.get('wait')!.value, `${path}.wait`, { allowZero: false }) : undefined;
  if (waitMs !== undefined && waitMs > maxWaitMs) {
    r.error(m.get('wait')!.value, `${path}.wait`, 'at most 43200m (30 days)');
    return undefined;
  }
  const approvers = m.has('approvers') ? readApprovers(r, m.get('approvers')!.value, `${path}.approvers`, required ?? 0) : undefined;
  if (required === undefined || notAuthor === undefined || (m.has('wait') && waitMs === undefined) || (m.has('approvers') && approvers === undefined)) return undefined;
  return { required, notAuthor, ...(waitMs !== undefined && { waitMs }), ...(approvers && { approvers }) };
}

/** A list of strings that pass `check`, each once ("listed twice" otherwise); undefined when not a list. */
function readUniqueStrings(r: ConfigReader, node: YNode, path: string, check: StringCheck): string[] | undefined {
  const values: string[] = [];
  const list = r.list(node, path, (n, p) => {
    const value = r.string(n, p, check);
    if (value !== undefined && values.includes(value)) r.error(n, p, `"${value}" is listed twice`);
    else if (value !== undefined) values.push(value);
    return value;
  });
  return list ? values : undefined;
}

/** `approvers`: user names; at least `required` of them, since each approval is a different person. */
function readApprovers(r: ConfigReader, node: YNode, path: string, required: number): string[] | undefined {
  const errors = r.diagnostics.length;
  const names = readUniqueStrings(r, node, path, userCheck);
  if (!names) return undefined;
  if (names.length < Math.max(required, 1) && r.diagnostics.length === errors) {
    r.error(node, path, `${names.length} approver(s) cannot give ${required} approvals from different people`);
  }
  return r.diagnostics.length === errors ? names : undefined;
}

// A branch name or a filter pattern as in `on.push.branches` (workflow/glob.ts): what git
// allows in a branch name plus the pattern characters, and a pattern that compiles.
const branchPatternShape = /^!?(?!\/|.*\/\/|.*\.\.|.*\/$|.*\.lock$)[^\s~^:]+$/;
const branchPatternCheck: StringCheck = {
  valid: (value) => branchPatternShape.test(value) && filterPatternProblem(value.replace(/^!/, '')) === undefined,
  expected: 'a branch name or pattern (release/*)',
};

/** `branches`: where releases for this environment may come from; `branch` (if set) must be one of them. */
function readBranches(r: ConfigReader, node: YNode, path: string, branch: string | undefined): string[] | undefined {
  const patterns = readUniqueStrings(r, node, path, branchPatternCheck);
  if (!patterns) return undefined;
  if (patterns.length === 0) r.error(node, path, 'at least one branch is required (leave "branches" out to allow any)');
  else if (branch !== undefined && !branchAllowed(patterns, branch)) r.error(node, path, `the environment's own branch "${branch}" is not among ${patterns.join(', ')}`);
  return patterns;
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

/** Two environments sharing a host cannot publish the same port on it. */
function checkPublishedPorts(r: ConfigReader, read: ReadEnvironment[]): void {
  const published = new Map<string, string>();
  for (const { environment: e, entries } of read) {
    if (e.publish === undefined) continue;
    for (const host of e.hosts) {
      const other = published.get(`${host} ${e.publish}`);
      if (other) {
        r.error(entries.get('publish')!.value, `environments.${e.name}.publish`, `port ${e.publish} is already published by "${other}" on host ${host}`);
        break;
      }
      published.set(`${host} ${e.publish}`, e.name);
    }
  }
}
