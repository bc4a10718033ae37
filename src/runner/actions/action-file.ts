// An action's metadata file (docs.github.com "Metadata syntax for GitHub Actions"):
// `action.yml` or `action.yaml` in the action's directory, read into one of the three
// kinds of action GitHub runs: composite (`runs.steps`, read with the workflow's step
// reader so they get the same checks and messages), JavaScript (`node12`…`node24`:
// `main`, `pre`, `post`) and Docker container (`image`, `args`, `entrypoint`, …).
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { StepSpec } from '../../workflow/model.ts';
import { Reader, type MapNode, checkKeys, child, getPair, readMap } from '../../workflow/yaml/reader.ts';
import { readBoolean, readEnv, readString, readStringList } from '../../workflow/parse/read-values.ts';
import { parseYamlTree } from '../../workflow/yaml/tree.ts';
import { readStep } from '../../workflow/parse/parse-step.ts';
import { SlipwayError, formatDiagnostic } from '../../core/errors.ts';

export interface ActionInput {
  required: boolean;
  default?: string;
}

interface CompositeRuns {
  using: 'composite';
  steps: StepSpec[];
}

/** `pre`/`post` with their conditions (GitHub's default for both: `always()`). */
interface Stages {
  preIf?: string;
  postIf?: string;
}

export interface NodeRuns extends Stages {
  using: 'node12' | 'node16' | 'node20' | 'node24';
  /** Paths relative to the action's directory. */
  main: string;
  pre?: string;
  post?: string;
}

export interface DockerRuns extends Stages {
  using: 'docker';
  /** `Dockerfile` (a path in the action's directory) or `docker://ref`. */
  image: string;
  args: string[];
  env: Record<string, string>;
  entrypoint?: string;
  preEntrypoint?: string;
  postEntrypoint?: string;
}

export interface ActionDefinition {
  file: string;
  name: string;
  inputs: Record<string, ActionInput>;
  /** Output name → `value` expression over the steps (composite); '' for the other kinds, whose code sets them. */
  outputs: Record<string, string>;
  runs: CompositeRuns | NodeRuns | DockerRuns;
}

const nodeVersions = ['node12', 'node16', 'node20', 'node24'] as const;
/** What `runs.using` may say, in the order messages list them. */
export const supportedUsing = ['composite', ...nodeVersions, 'docker'] as const;

function findActionFile(dir: string): string | undefined {
  return ['action.yml', 'action.yaml'].map((f) => join(dir, f)).find((f) => existsSync(f));
}

/** Reads and checks the action in `dir`; `displayRoot` makes the file names in messages relative. */
export function loadAction(dir: string, displayRoot = dir): ActionDefinition {
  const path = findActionFile(dir);
  if (!path) throw new SlipwayError('WORKFLOW_INVALID', `no action.yml or action.yaml in ${relative(displayRoot, dir) || '.'}`);
  const file = relative(displayRoot, path) || path;
  const { root, problems } = parseYamlTree(readFileSync(path, 'utf8'));
  const r = new Reader(file);
  for (const p of problems) r.error(p, '', p.message);
  const action: ActionDefinition = { file, name: file, inputs: {}, outputs: {}, runs: { using: 'composite', steps: [] } };
  const map = root && readMap(r, root, '', 'an action definition (a mapping)');
  if (map) {
    checkKeys(r, map, '', ['name', 'description', 'author', 'inputs', 'outputs', 'runs', 'branding']);
    const name = getPair(map, 'name');
    if (name) action.name = readString(r, name.value, 'name') ?? file;
    readInputs(r, map, action);
    const runs = getPair(map, 'runs');
    const runsMap = runs && readMap(r, runs.value, 'runs');
    if (!runsMap) {
      if (!runs) r.error(map, '', 'missing `runs`');
    } else {
      const read = readRuns(r, runsMap);
      if (read) action.runs = read;
    }
    readOutputs(r, map, action);
  }
  if (r.diagnostics.length > 0) throw new SlipwayError('WORKFLOW_INVALID', `invalid action:\n${r.diagnostics.map(formatDiagnostic).join('\n')}`, { detail: r.diagnostics });
  return action;
}

function readInputs(r: Reader, map: MapNode, action: ActionDefinition): void {
  const inputs = getPair(map, 'inputs');
  const inputsMap = inputs && readMap(r, inputs.value, 'inputs');
  for (const pair of inputsMap?.pairs ?? []) {
    const p = child('inputs', pair.key);
    const m = pair.value.kind === 'scalar' && pair.value.value === null ? undefined : readMap(r, pair.value, p);
    const input: ActionInput = { required: false };
    for (const f of m?.pairs ?? []) {
      if (f.key === 'required') input.required = readBoolean(r, f.value, child(p, 'required')).value;
      else if (f.key === 'default') input.default = readString(r, f.value, child(p, 'default'));
      else if (f.key !== 'description' && f.key !== 'deprecationMessage') r.error(f.keyPos, child(p, f.key), `unknown key \`${f.key}\`; expected description, required, default or deprecationMessage`);
    }
    action.inputs[pair.key] = input;
  }
}

/** Composite outputs map a `value`; a JavaScript or Docker action sets its own, so theirs only describe. */
function readOutputs(r: Reader, map: MapNode, action: ActionDefinition): void {
  const outputs = getPair(map, 'outputs');
  const outputsMap = outputs && readMap(r, outputs.value, 'outputs');
  const composite = action.runs.using === 'composite';
  for (const pair of outputsMap?.pairs ?? []) {
    const p = child('outputs', pair.key);
    const m = pair.value.kind === 'scalar' && pair.value.value === null && !composite ? undefined : readMap(r, pair.value, p);
    const value = m && getPair(m, 'value');
    if (composite && !value) r.error(pair.keyPos, p, 'a composite action output needs `value`');
    else action.outputs[pair.key] = value ? (readString(r, value.value, child(p, 'value')) ?? '') : '';
  }
}

function readRuns(r: Reader, runs: MapNode): ActionDefinition['runs'] | undefined {
  const using = getPair(runs, 'using');
  const usingText = using && readString(r, using.value, 'runs.using');
  const text = (key: string) => {
    const pair = getPair(runs, key);
    return pair && readString(r, pair.value, child('runs', key));
  };
  const stages = (): Stages => ({ preIf: text('pre-if'), postIf: text('post-if') });
  if (usingText === 'composite') {
    checkKeys(r, runs, 'runs', ['using', 'steps']);
    const steps = getPair(runs, 'steps');
    const out: CompositeRuns = { using: 'composite', steps: [] };
    if (steps?.value.kind !== 'seq') {
      r.error(steps?.value ?? runs, 'runs.steps', 'expected a sequence of steps');
      return out;
    }
    steps.value.items.forEach((node, i) => {
      const step = readStep(r, node, `runs.steps[${i}]`, i);
      if (step?.run !== undefined && !step.shell) r.error(node, `runs.steps[${i}]`, '`shell` is required on `run` steps of a composite action');
      if (step) out.steps.push(step);
    });
    return out;
  }
  if (nodeVersions.includes(usingText as NodeRuns['using'])) {
    checkKeys(r, runs, 'runs', ['using', 'main', 'pre', 'post', 'pre-if', 'post-if']);
    const main = text('main');
    if (!main) r.error(runs, 'runs.main', `missing \`main\`; a \`using: ${usingText}\` action needs the file to run`);
    return { using: usingText as NodeRuns['using'], main: main ?? '', pre: text('pre'), post: text('post'), ...stages() };
  }
  if (usingText === 'docker') {
    checkKeys(r, runs, 'runs', ['using', 'image', 'args', 'env', 'entrypoint', 'pre-entrypoint', 'post-entrypoint', 'pre-if', 'post-if']);
    const image = text('image');
    if (!image) r.error(runs, 'runs.image', 'missing `image`; a `using: docker` action needs `Dockerfile` (or a path to one) or `docker://image`');
    const args = getPair(runs, 'args');
    const env = getPair(runs, 'env');
    return {
      using: 'docker',
      image: image ?? '',
      args: args ? readStringList(r, args.value, 'runs.args').map((a) => a.value) : [],
      env: env ? readEnv(r, env.value, 'runs.env') : {},
      entrypoint: text('entrypoint'),
      preEntrypoint: text('pre-entrypoint'),
      postEntrypoint: text('post-entrypoint'),
      ...stages(),
    };
  }
  const found = usingText ? `\`${usingText}\`` : 'nothing';
  r.error(using?.value ?? runs, 'runs.using', `found ${found}; supported: ${supportedUsing.join(', ')}`);
  return undefined;
}
