// Parses `.slipway/deploy.yml` once into frozen, typed values; every problem is reported
// with its position, in file order.
import type { Diagnostic } from '../../core/errors.ts';
import { isSlipwayError } from '../../core/errors.ts';
import { parseReference } from '../../registry/reference.ts';
import { deployYamlLimits } from '../../workflow/yaml/limits.ts';
import type { YNode } from '../../workflow/yaml/node.ts';
import { parseYamlTree } from '../../workflow/yaml/tree.ts';
import { ConfigReader, keyNode, matching, nameCheck } from './config-reader.ts';
import type { StringCheck } from './config-reader.ts';
import type { DeployConfig, HealthcheckConfig } from './deploy-config.ts';
import { readEnvironments } from './environment-config.ts';

const topKeys = ['service', 'image', 'port', 'healthcheck', 'drain_timeout', 'stop_timeout', 'env', 'environments'];
const defaultHealthcheck: HealthcheckConfig = { path: '/up', intervalMs: 1000, timeoutMs: 5000, deadlineMs: 30_000 };
const defaultDrainTimeoutMs = 10_000;
const defaultStopTimeoutMs = 10_000;

const envName = matching(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a valid environment variable name');
// A repository in the built-in registry (`hello`, `team/hello`) or a full reference
// (`registry.example.com:5000/team/hello:1.2@sha256:…`), by the registry's one grammar.
const imageCheck: StringCheck = {
  valid: (value) => {
    try {
      parseReference(value);
      return true;
    } catch (err) {
      // The diagnostic this check leads to is the report; anything but a grammar error is a bug.
      if (isSlipwayError(err)) return false;
      throw err;
    }
  },
  expected: 'an image repository or reference',
};

export function parseDeployConfig(file: string, text: string): { config?: DeployConfig; diagnostics: Diagnostic[] } {
  const r = new ConfigReader(file);
  const { root, problems } = parseYamlTree(text, deployYamlLimits);
  for (const p of problems) r.error(p, '', p.message);
  if (!root) return { diagnostics: r.diagnostics };

  const top = r.map(root, '', topKeys, ['service', 'image', 'port', 'environments']);
  if (!top) return { diagnostics: r.diagnostics };
  const value = (key: string): YNode => top.get(key)!.value;

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

function readHealthcheck(r: ConfigReader, node: YNode): HealthcheckConfig | undefined {
  const m = r.map(node, 'healthcheck', ['path', 'interval', 'timeout', 'deadline']);
  if (!m) return undefined;
  const get = (key: string): YNode => m.get(key)!.value;
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

function readEnv(r: ConfigReader, node: YNode): DeployConfig['env'] {
  const m = r.map(node, 'env', ['clear', 'secret']);
  const clear: Record<string, string> = {};
  const secret: string[] = [];
  const clearMap = m?.has('clear') ? r.map(m.get('clear')!.value, 'env.clear', null) : undefined;
  for (const [key, pair] of clearMap ?? []) {
    const path = `env.clear.${key}`;
    if (r.string(keyNode(pair), path, envName) === undefined) continue;
    const value = r.scalarText(pair.value, path);
    if (value !== undefined && /[\r\n\0]/.test(value)) r.error(pair.value, path, 'values cannot span lines (podman --env-file holds one KEY=value per line)');
    else if (value !== undefined) clear[key] = value;
  }
  const secretList = m?.get('secret')?.value;
  if (secretList) r.list(secretList, 'env.secret', (n, path) => {
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
