// One entry of `jobs.<id>.steps` (docs.github.com "Workflow syntax" §jobs.<job_id>.steps).
import type { StepSpec } from '../model.ts';
import type { Reader } from '../yaml/reader.ts';
import { checkKeys, child, describe, getPair, readMap } from '../yaml/reader.ts';
import { readBoolean, readEnv, readPositiveNumber, readString, readStringMap } from './read-values.ts';
import { readIf } from './read-if.ts';
import { readStepUses } from './read-step-uses.ts';
import { into, readKeyTable, type KeyTable } from './key-table.ts';
import type { Position, YNode } from '../yaml/node.ts';

const common = ['id', 'name', 'if', 'env', 'timeout-minutes', 'continue-on-error'];
const runKeys = [...common, 'run', 'shell', 'working-directory'];
const usesKeys = [...common, 'uses', 'with'];
const allKeys = [...new Set([...runKeys, ...usesKeys])];
// GitHub's background steps (docs §jobs.<job_id>.steps[*].background, .wait, .wait-all,
// .cancel, .parallel; workflow-v1.0.json `wait-step` …): valid there, not run here yet.
const backgroundKeys = ['background', 'wait', 'wait-all', 'cancel', 'parallel'];

/** Step and job ids: docs "jobs.<job_id>" — start with a letter or `_`, then letters, digits, `-`, `_`. */
const idPattern = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** Reports `id` unless it fits `idPattern`; `what` names it (`job id`, `service name`, …). */
export function checkId(r: Reader, id: string, at: Position, path: string, what: string): void {
  if (idPattern.test(id)) return;
  r.error(at, path, `invalid ${what} \`${id}\`; expected a letter or \`_\` followed by letters, digits, \`-\` or \`_\``);
}

export function readStep(r: Reader, node: YNode, path: string, index: number): StepSpec | undefined {
  const map = readMap(r, node, path, 'a step (a mapping with `run` or `uses`)');
  if (!map) return undefined;
  const run = getPair(map, 'run');
  const uses = getPair(map, 'uses');
  const background = map.pairs.some((p) => backgroundKeys.includes(p.key) && p.key !== 'background');
  if (run && uses) {
    r.error(uses.keyPos, child(path, 'uses'), 'found both `run` and `uses`; a step has exactly one of them');
  } else if (!run && !uses && !background) {
    r.error(map, path, 'expected `run` or `uses` in the step, found neither');
  }
  // With one of run/uses known, keys that belong to the other kind get a precise message.
  if (run && !uses) wrongKind(r, map.pairs, path, usesOnly, '`uses:` steps; this step has `run:`');
  if (uses && !run) wrongKind(r, map.pairs, path, runOnly, '`run:` steps; this step has `uses:`');
  checkKeys(r, map, path, allKeys, backgroundKeys);

  const step: StepSpec = {
    index,
    name: '',
    with: {},
    env: {},
    continueOnError: false,
    pos: { file: r.file, line: map.line, column: map.column },
  };
  readKeyTable(r, map, path, step, stepKeys);
  step.name ||= defaultName(step);
  return step;
}

/** What jobs and steps both have, read the same way. */
interface JobOrStep {
  if?: string;
  env: Record<string, string>;
  with: Record<string, string>;
  timeoutMinutes?: number;
  timeoutMinutesExpression?: string;
  continueOnError: boolean;
  continueOnErrorExpression?: string;
}

/** The keys jobs share with steps; a job overrides `timeout-minutes` (it has a default). */
export const jobAndStepKeys: KeyTable<JobOrStep> = {
  if: into('if', readIf),
  env: into('env', readEnv),
  with: into('with', readStringMap),
  'timeout-minutes': readTimeout,
  'continue-on-error': readContinueOnError,
};

const stepKeys: KeyTable<StepSpec> = {
  ...jobAndStepKeys,
  id: (r, node, path, step) => {
    const id = readString(r, node, path);
    if (id !== undefined) checkId(r, id, node, path, 'step id');
    step.id = id;
  },
  name: (r, node, path, step) => {
    step.name = readString(r, node, path) ?? '';
  },
  run: into('run', readNonEmpty),
  uses: into('uses', readStepUses),
  shell: into('shell', readString),
  'working-directory': into('workingDirectory', readString),
};

/** `timeout-minutes` at most 5 days; past it a timer could not even be armed (setTimeout's ceiling is ~24.8 days). */
export const maxTimeoutMinutes = 7200;

/** `timeout-minutes` of a job or step; while it is an expression, `fallback` stands in. */
export function readTimeout(
  r: Reader, node: YNode, path: string, target: { timeoutMinutes?: number; timeoutMinutesExpression?: string }, fallback?: number,
): void {
  const t = readPositiveNumber(r, node, path, maxTimeoutMinutes, ` minutes (${maxTimeoutMinutes / 1440} days, the longest GitHub lets a self-hosted job run)`);
  target.timeoutMinutes = t.value ?? fallback;
  if (t.expression !== undefined) target.timeoutMinutesExpression = t.expression;
}

/** `continue-on-error` of a job or step: a boolean, or an expression (then false meanwhile). */
export function readContinueOnError(
  r: Reader, node: YNode, path: string, target: { continueOnError: boolean; continueOnErrorExpression?: string },
): void {
  const c = readBoolean(r, node, path);
  target.continueOnError = c.value;
  if (c.expression !== undefined) target.continueOnErrorExpression = c.expression;
}

const usesOnly = ['with'];
const runOnly = ['shell', 'working-directory'];

function wrongKind(r: Reader, pairs: { key: string; keyPos: { line: number; column: number } }[], path: string,
  keys: string[], where: string): void {
  for (const pair of pairs) {
    if (keys.includes(pair.key)) r.error(pair.keyPos, child(path, pair.key), `\`${pair.key}\` applies only to ${where}`);
  }
}

function readNonEmpty(r: Reader, node: YNode, path: string): string | undefined {
  const text = readString(r, node, path);
  if (text !== undefined && text.trim() === '') {
    r.error(node, path, `expected a non-empty string, found ${describe(node)}`);
  }
  return text;
}

// What GitHub shows for an unnamed step: "Run <first line of the script>" or "Run <action>".
function defaultName(step: StepSpec): string {
  const firstLine = (step.run ?? '').split('\n').find((l) => l.trim() !== '')?.trim();
  return `Run ${firstLine ?? step.uses ?? ''}`.trim();
}
