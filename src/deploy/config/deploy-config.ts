// `.slipway/deploy.yml`: what the service is and where it runs (format in docs/deploy.md).
// Parsed once into frozen, typed values; every problem is reported with its position.
import { LineCounter, parseDocument, YAMLSeq } from 'yaml';
import type { Node } from 'yaml';
import type { Diagnostic } from '../../core/errors.ts';
import { ConfigReader, matching, nameCheck } from './config-reader.ts';
import { readEnvironments } from './environment-config.ts';

/** Where a repository keeps its deploy config. */
export const deployConfigFile = '.slipway/deploy.yml';

export type DeployStrategy = 'blue-green' | 'recreate' | 'rolling';

export interface HealthcheckConfig {
  path: string;
  intervalMs: number;
  timeoutMs: number;
  deadlineMs: number;
}

export interface EnvironmentConfig {
  name: string;
  /** Pushes to this branch deploy here automatically. */
  branch?: string;
  /** Releases come from this environment (the digest that passed there), not from a branch. */
  promoteFrom?: string;
  /** Approvals (required: 0 with a wait alone) and a wait timer from the deployment's creation. */
  approval?: { required: number; notAuthor: boolean; waitMs?: number };
  /** Only releases built from these branches (names or `*` / `**` globs) may be deployed here. */
  branches?: string[];
  /** `local`, or `ssh://user@host[:port]`. */
  hosts: string[];
  /** Host port where the environment's proxy listens. */
  publish?: number;
  strategy: DeployStrategy;
  /** rolling: hosts switched per batch (default 1). */
  batchSize?: number;
  /** Hosts worked on at once, so connections stay bounded (default 10). */
  maxParallel?: number;
}

export interface DeployConfig {
  service: string;
  image: string;
  port: number;
  healthcheck: HealthcheckConfig;
  drainTimeoutMs: number;
  /** Grace between SIGTERM and SIGKILL when the old container stops (after draining). */
  stopTimeoutMs: number;
  env: { clear: Record<string, string>; secret: string[] };
  environments: EnvironmentConfig[];
}

const topKeys = ['service', 'image', 'port', 'healthcheck', 'drain_timeout', 'stop_timeout', 'env', 'environments'];
const defaultHealthcheck: HealthcheckConfig = { path: '/up', intervalMs: 1000, timeoutMs: 5000, deadlineMs: 30_000 };
const defaultDrainTimeoutMs = 10_000;
const defaultStopTimeoutMs = 10_000;

const envName = matching(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a valid environment variable name');
// A repository in the built-in registry (`hello`, `team/hello`) or a full reference
// (`registry.example.com:5000/team/hello:1.2@sha256:…`); after the reference grammar of
// distribution/reference, simplified.
const component = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const imageCheck = matching(
  new RegExp(`^(?:[A-Za-z0-9.-]+(?::\\d+)?/)?${component}(?:/${component})*(?::\\w[\\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$`),
  'an image repository or reference',
);

export function parseDeployConfig(file: string, text: string): { config?: DeployConfig; diagnostics: Diagnostic[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const r = new ConfigReader(file, text, lines);
  for (const e of doc.errors) r.errorAt(e.pos[0], '', e.message.split('\n')[0]!);
  if (doc.errors.length > 0) return { diagnostics: r.diagnostics };

  const top = r.map(doc.contents, '', topKeys, ['service', 'image', 'port', 'environments']);
  if (!top) return { diagnostics: r.diagnostics };
  const value = (key: string): Node | null => top.get(key)?.value ?? null;

  const service = top.has('service') ? r.string(value('service'), 'service', nameCheck) : undefined;
  const image = top.has('image') ? r.string(value('image'), 'image', imageCheck) : undefined;
  const port = top.has('port') ? r.integer(value('port'), 'port', 1, 65535) : undefined;
  const healthcheck = top.has('healthcheck') ? readHealthcheck(r, value('healthcheck')) : defaultHealthcheck;
  const drainTimeoutMs = top.has('drain_timeout') ? r.duration(value('drain_timeout'), 'drain_timeout', { allowZero: true }) : defaultDrainTimeoutMs;
  const stopTimeoutMs = top.has('stop_timeout') ? r.duration(value('stop_timeout'), 'stop_timeout', { allowZero: true }) : defaultStopTimeoutMs;
  const env = top.has('env') ? readEnv(r, value('env')) : { clear: {}, secret: [] };
  const environments = top.has('environments') ? readEnvironments(r, value('environments')) : undefined;

  // In file order, however the checks ran.
  r.diagnostics.sort((a, b) => a.line - b.line || a.column - b.column);
  if (r.diagnostics.length > 0 || !service || !image || !port || !healthcheck || drainTimeoutMs === undefined || stopTimeoutMs === undefined || !environments) {
    return { diagnostics: r.diagnostics };
  }
  return { config: deepFreeze({ service, image, port, healthcheck, drainTimeoutMs, stopTimeoutMs, env, environments }), diagnostics: [] };
}

/** The environments that deploy automatically on a push to `branch` (`main` or `refs/heads/main`). */
export function environmentsForBranch(config: DeployConfig, branch: string): EnvironmentConfig[] {
  const name = branch.replace(/^refs\/heads\//, '');
  return config.environments.filter((e) => e.branch === name);
}

function readHealthcheck(r: ConfigReader, node: Node | null): HealthcheckConfig | undefined {
  const m = r.map(node, 'healthcheck', ['path', 'interval', 'timeout', 'deadline']);
  if (!m) return undefined;
  const get = (key: string): Node | null => m.get(key)?.value ?? null;
  const path = m.has('path') ? r.string(get('path'), 'healthcheck.path', matching(/^\/\S*$/, 'a path starting with "/"')) : defaultHealthcheck.path;
  const duration = (key: 'interval' | 'timeout' | 'deadline', fallback: number): number | undefined =>
    m.has(key) ? r.duration(get(key), `healthcheck.${key}`, { allowZero: false }) : fallback;
  const intervalMs = duration('interval', defaultHealthcheck.intervalMs);
  const timeoutMs = duration('timeout', defaultHealthcheck.timeoutMs);
  const deadlineMs = duration('deadline', defaultHealthcheck.deadlineMs);
  if (path === undefined || intervalMs === undefined || timeoutMs === undefined || deadlineMs === undefined) return undefined;
  if (m.has('deadline') && deadlineMs < intervalMs) {
    r.error(get('deadline'), 'healthcheck.deadline', 'must not be shorter than the interval');
    return undefined;
  }
  return { path, intervalMs, timeoutMs, deadlineMs };
}

function readEnv(r: ConfigReader, node: Node | null): DeployConfig['env'] {
  const m = r.map(node, 'env', ['clear', 'secret']);
  const clear: Record<string, string> = {};
  const secret: string[] = [];
  const clearMap = m?.has('clear') ? r.map(m.get('clear')!.value, 'env.clear', null) : undefined;
  for (const [key, pair] of clearMap ?? []) {
    const path = `env.clear.${key}`;
    if (r.string(pair.key, path, envName) === undefined) continue;
    const value = r.scalarText(pair.value, path);
    if (value !== undefined && /[\r\n\0]/.test(value)) r.error(pair.value, path, 'values cannot span lines (podman --env-file holds one KEY=value per line)');
    else if (value !== undefined) clear[key] = value;
  }
  const secretList = m?.has('secret') ? m.get('secret')!.value : undefined;
  r.list(secretList ?? new YAMLSeq(), 'env.secret', (n, path) => {
    const name = r.string(n, path, envName);
    if (name === undefined) return;
    if (secret.includes(name)) r.error(n, path, `"${name}" is listed twice`);
    else if (name in clear) r.error(n, path, `"${name}" is also set in env.clear`);
    else secret.push(name);
  });
  return { clear, secret };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
