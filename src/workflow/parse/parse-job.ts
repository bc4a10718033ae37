// One entry of `jobs:` (docs.github.com "Workflow syntax" §jobs.<job_id>).
import type { JobSpec, RunDefaults } from '../model.ts';
import { readConcurrency, readPermissions } from './parse-concurrency.ts';
import { readContainer, readServices } from './parse-container.ts';
import { readEnvironment, readSnapshot } from './parse-environment.ts';
import { readRunsOn } from './read-runs-on.ts';
import { checkUniqueIds } from './unique-ids.ts';
import { checkId, jobAndStepKeys, maxTimeoutMinutes, readStep, readTimeout } from './parse-step.ts';
import { into, readKeyTable, type KeyTable } from './key-table.ts';
import { readStrategy } from './parse-strategy.ts';
import type { MapNode, Reader } from '../yaml/reader.ts';
import { checkKeys, checkRequired, child, describe, getPair, isNull, readKey, readLiteralBoolean, readMap } from '../yaml/reader.ts';
import { readPositiveNumber, readString, readStringList, readStringMap } from './read-values.ts';
import type { ParseSettings } from './read-options.ts';
import type { Position, YNode } from '../yaml/node.ts';

const jobKeys = [
  'name', 'needs', 'runs-on', 'if', 'env', 'defaults', 'container', 'timeout-minutes', 'continue-on-error',
  'outputs', 'steps', 'permissions', 'concurrency', 'strategy', 'services', 'environment', 'uses', 'with', 'secrets',
  'snapshot', 'cancel-timeout-minutes',
  // Slipway's own (docs/workflow.md): not in GitHub's syntax.
  'retry-on-crash',
];
// docs §jobs.<job_id>.uses: "Jobs that call reusable workflows support only these keywords".
const callerKeys = ['name', 'uses', 'with', 'secrets', 'needs', 'if', 'permissions', 'strategy', 'concurrency'];
const callOnly = ['with', 'secrets'];

/** GitHub's default job timeout (docs: jobs.<job_id>.timeout-minutes). */
const defaultTimeoutMinutes = 360;

/** The job keys read the same way in every job (the rest are in readJob). */
const jobKeyReaders: KeyTable<JobSpec> = {
  'runs-on': (r, v, p, job) => {
    const runsOn = readRunsOn(r, v, p);
    job.runsOn = runsOn.labels;
    if (runsOn.group !== undefined) job.runsOnGroup = runsOn.group;
  },
  snapshot: into('snapshot', readSnapshot),
  'cancel-timeout-minutes': (r, v, p, job) => {
    const t = readPositiveNumber(r, v, p, maxTimeoutMinutes, ' minutes');
    if (t.value !== undefined) job.cancelTimeoutMinutes = t.value;
  },
  defaults: into('defaults', readDefaults),
  'timeout-minutes': (r, v, p, job) => readTimeout(r, v, p, job, defaultTimeoutMinutes),
  outputs: into('outputs', readStringMap),
  steps: into('steps', readSteps),
  environment: into('environment', readEnvironment),
  concurrency: into('concurrency', readConcurrency),
  permissions: into('permissions', readPermissions),
  uses: into('uses', readUses),
  secrets: into('secrets', readSecrets),
  'retry-on-crash': (r, v, p, job) => {
    // A literal: it is read when the server restarts under the job, where no expression context exists.
    if (readLiteralBoolean(r, v, p) === false) job.retryOnCrash = false;
  },
};

/** A parsed job plus where each `needs` name was written, for later checks. */
export interface ReadJob {
  spec: JobSpec;
  needs: { name: string; at: Position }[];
}

export function readJob(r: Reader, id: string, idPos: Position, node: YNode, settings: ParseSettings = {}): ReadJob | undefined {
  const path = child('jobs', id);
  checkId(r, id, idPos, path, 'job id');
  const map = readMap(r, node, path, 'a job (a mapping with `runs-on` and `steps`)');
  if (!map) return undefined;
  const suggested = checkKeys(r, map, path, jobKeys);
  const uses = getPair(map, 'uses');
  for (const pair of map.pairs) {
    if (!jobKeys.includes(pair.key)) continue;
    if (uses && !callerKeys.includes(pair.key)) {
      r.error(pair.keyPos, child(path, pair.key), `\`${pair.key}\` is not allowed in a job that calls a reusable workflow (\`uses\`); expected only: ${callerKeys.join(', ')}`);
    }
    if (!uses && callOnly.includes(pair.key)) {
      r.error(pair.keyPos, child(path, pair.key), `\`${pair.key}\` applies only to jobs that call a reusable workflow (\`uses\`)`);
    }
  }
  if (!uses) checkRequired(r, map, idPos, path, ['runs-on', 'steps'], suggested, 'every job');

  const spec: JobSpec = {
    id,
    name: id,
    services: {},
    with: {},
    needs: [],
    runsOn: [],
    env: {},
    defaults: {},
    timeoutMinutes: defaultTimeoutMinutes,
    continueOnError: false,
    outputs: {},
    steps: [],
    pos: { file: r.file, line: idPos.line, column: idPos.column },
  };
  if (uses) spec.keyPos = keyPositions(map);
  const needs: ReadJob['needs'] = [];
  readKeyTable(r, map, path, spec, {
    ...jobAndStepKeys,
    ...jobKeyReaders,
    // The readers that need this job's id, the server's settings or where each `needs` was written.
    name: (r, v, p, job) => {
      job.name = readString(r, v, p) || id;
    },
    needs: (r, v, p, job) => {
      for (const need of readStringList(r, v, p)) needs.push({ name: need.value, at: { line: need.node.line, column: need.node.column } });
      job.needs = needs.map((n) => n.name);
    },
    container: (r, v, p, job) => {
      job.container = readContainer(r, v, p, settings);
    },
    strategy: (r, v, p, job) => {
      job.strategy = readStrategy(r, v, p, id);
    },
    services: (r, v, p, job) => {
      job.services = readServices(r, v, p, settings);
    },
  });
  return { spec, needs };
}

function readSteps(r: Reader, node: YNode, path: string): JobSpec['steps'] {
  if (node.kind !== 'seq') {
    r.error(node, path, `expected a sequence of steps, found ${describe(node)}`);
    return [];
  }
  if (node.items.length === 0) r.error(node, path, 'expected at least one step, found an empty sequence');
  const steps = node.items.flatMap((item, i) => readStep(r, item, child(path, i), i) ?? []);
  checkUniqueIds(r, steps.flatMap((step) => {
    const item = node.items[step.index];
    const idNode = item?.kind === 'map' ? getPair(item, 'id')?.value : undefined;
    return step.id === undefined || !idNode ? [] : [{ id: step.id, at: idNode, path: child(child(path, step.index), 'id'), name: `steps[${step.index}]` }];
  }), 'step id');
  return steps;
}

export function readDefaults(r: Reader, node: YNode, path: string): RunDefaults {
  const defaults: RunDefaults = {};
  if (isNull(node)) return defaults;
  const map = readMap(r, node, path, 'a mapping with `run`');
  if (!map) return defaults;
  checkKeys(r, map, path, ['run']);
  const run = getPair(map, 'run');
  if (!run || isNull(run.value)) return defaults;
  const runPath = child(path, 'run');
  const runMap = readMap(r, run.value, runPath, 'a mapping with `shell` and/or `working-directory`');
  if (!runMap) return defaults;
  checkKeys(r, runMap, runPath, ['shell', 'working-directory']);
  if (getPair(runMap, 'shell')) defaults.shell = readKey(r, runMap, runPath, 'shell', readString);
  if (getPair(runMap, 'working-directory')) defaults.workingDirectory = readKey(r, runMap, runPath, 'working-directory', readString);
  return defaults;
}

/** Only reusable workflows of the same repository: `./.github/workflows/x.yml` (no `@ref`). */
function readUses(r: Reader, node: YNode, path: string): string | undefined {
  const text = readString(r, node, path);
  if (text === undefined) return undefined;
  if (!text.startsWith('./')) {
    r.error(node, path, `found \`${text}\`; expected a reusable workflow of this repository, \`./.github/workflows/<file>.yml\` (other repositories are not supported)`);
  } else if (text.includes('@')) {
    r.error(node, path, `found \`${text}\`; a local reusable workflow takes no \`@ref\`, it comes from the same commit`);
  } else if (!/\.ya?ml$/.test(text)) {
    r.error(node, path, `found \`${text}\`; expected the path of a workflow file ending in .yml or .yaml`);
  }
  return text;
}

/** `secrets: inherit`, or secret name → value (usually `${{ secrets.X }}`). */
function readSecrets(r: Reader, node: YNode, path: string): JobSpec['secrets'] {
  if (node.kind === 'scalar' && node.value !== null) {
    if (node.value === 'inherit') return 'inherit';
    r.error(node, path, `expected \`inherit\` or a mapping of secret names to values, found ${describe(node)}`);
    return undefined;
  }
  return readStringMap(r, node, path);
}

/** Where the keys a later check reports on were written: `uses`, `permissions`, `with.<name>`, `secrets.<name>`. */
function keyPositions(map: MapNode): Record<string, Position> {
  const out: Record<string, Position> = {};
  for (const pair of map.pairs) {
    if (!['uses', 'permissions', 'with', 'secrets'].includes(pair.key)) continue;
    out[pair.key] = pair.keyPos;
    if (pair.value.kind !== 'map' || pair.key === 'uses') continue;
    for (const inner of pair.value.pairs) out[`${pair.key}.${inner.key}`] = inner.keyPos;
  }
  return out;
}
