// A local action's metadata file (docs.github.com "Metadata syntax for GitHub Actions"):
// `action.yml` or `action.yaml` in the action's directory. Only composite actions run
// here (`runs.using: composite`); their steps are read with the workflow's step reader so
// they get the same checks and messages.
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { StepSpec } from '../../workflow/model.ts';
import { Reader, checkKeys, child, getPair, readMap } from '../../workflow/yaml/reader.ts';
import { readBoolean, readString } from '../../workflow/parse/read-values.ts';
import { parseYamlTree } from '../../workflow/yaml/tree.ts';
import { readStep } from '../../workflow/parse/parse-step.ts';
import { SlipwayError, formatDiagnostic } from '../../core/errors.ts';

interface ActionInput {
  required: boolean;
  default?: string;
}

interface CompositeAction {
  file: string;
  name: string;
  inputs: Record<string, ActionInput>;
  /** Output name → `value` expression over the action's `steps`. */
  outputs: Record<string, string>;
  steps: StepSpec[];
}

/** `action.yml`, else `action.yaml`, in `dir`; undefined when neither is there. */
export function findActionFile(dir: string): string | undefined {
  return ['action.yml', 'action.yaml'].map((f) => join(dir, f)).find((f) => existsSync(f));
}

/** Reads and checks the action in `dir`; `displayRoot` makes the file names in messages relative. */
export function loadCompositeAction(dir: string, displayRoot = dir): CompositeAction {
  const path = findActionFile(dir);
  if (!path) throw new SlipwayError('WORKFLOW_INVALID', `no action.yml or action.yaml in ${relative(displayRoot, dir) || '.'}`);
  const file = relative(displayRoot, path);
  const { root, problems } = parseYamlTree(readFileSync(path, 'utf8'));
  const r = new Reader(file);
  for (const p of problems) r.error(p, '', p.message);
  const action: CompositeAction = { file, name: file, inputs: {}, outputs: {}, steps: [] };
  const map = root && readMap(r, root, '', 'an action definition (a mapping)');
  if (map) {
    checkKeys(r, map, '', ['name', 'description', 'author', 'inputs', 'outputs', 'runs', 'branding']);
    const name = getPair(map, 'name');
    if (name) action.name = readString(r, name.value, 'name') ?? file;
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
    const outputs = getPair(map, 'outputs');
    const outputsMap = outputs && readMap(r, outputs.value, 'outputs');
    for (const pair of outputsMap?.pairs ?? []) {
      const m = readMap(r, pair.value, child('outputs', pair.key));
      const value = m && getPair(m, 'value');
      if (!value) r.error(pair.keyPos, child('outputs', pair.key), 'a composite action output needs `value`');
      else action.outputs[pair.key] = readString(r, value.value, child(child('outputs', pair.key), 'value')) ?? '';
    }
    const runs = getPair(map, 'runs');
    const runsMap = runs && readMap(r, runs.value, 'runs');
    if (!runsMap) {
      if (!runs) r.error(map, '', 'missing `runs`');
    } else {
      const using = getPair(runsMap, 'using');
      const usingText = using && readString(r, using.value, 'runs.using');
      if (usingText !== 'composite') {
        r.error(using?.value ?? runsMap, 'runs.using', `found ${usingText ? `\`${usingText}\`` : 'nothing'}; Slipway runs local actions with \`using: composite\` (use \`docker://image\` steps for containers)`);
      }
      const steps = getPair(runsMap, 'steps');
      if (steps?.value.kind === 'seq') {
        steps.value.items.forEach((node, i) => {
          const step = readStep(r, node, `runs.steps[${i}]`, i);
          if (step?.run !== undefined && !step.shell) r.error(node, `runs.steps[${i}]`, '`shell` is required on `run` steps of a composite action');
          if (step) action.steps.push(step);
        });
      } else if (usingText === 'composite') {
        r.error(steps?.value ?? runsMap, 'runs.steps', 'expected a sequence of steps');
      }
    }
  }
  if (r.diagnostics.length > 0) throw new SlipwayError('WORKFLOW_INVALID', `invalid action:\n${r.diagnostics.map(formatDiagnostic).join('\n')}`, { detail: r.diagnostics });
  return action;
}
