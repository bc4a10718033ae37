// One entry of `jobs.<id>.steps` (docs.github.com "Workflow syntax" §jobs.<job_id>.steps).
import type { StepSpec } from '../model.ts';
import type { Reader } from '../yaml/reader.ts';
import { checkKeys, child, describe, getPair, readMap } from '../yaml/reader.ts';
import { readBoolean, readEnv, readPositiveNumber, readString, readStringMap } from './read-values.ts';
import { readIf } from './read-if.ts';
import type { Position, YNode } from '../yaml/node.ts';

const common = ['id', 'name', 'if', 'env', 'timeout-minutes', 'continue-on-error'];
const runKeys = [...common, 'run', 'shell', 'working-directory'];
const usesKeys = [...common, 'uses', 'with'];
const allKeys = [...new Set([...runKeys, ...usesKeys])];

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
  if (run && uses) {
    r.error(uses.keyPos, child(path, 'uses'), 'found both `run` and `uses`; a step has exactly one of them');
  } else if (!run && !uses) {
    r.error(map, path, 'expected `run` or `uses` in the step, found neither');
  }
  // With one of run/uses known, keys that belong to the other kind get a precise message.
  if (run && !uses) wrongKind(r, map.pairs, path, usesOnly, '`uses:` steps; this step has `run:`');
  if (uses && !run) wrongKind(r, map.pairs, path, runOnly, '`run:` steps; this step has `uses:`');
  checkKeys(r, map, path, allKeys);

  const step: StepSpec = {
    index,
    name: '',
    with: {},
    env: {},
    continueOnError: false,
    pos: { file: r.file, line: map.line, column: map.column },
  };
  for (const pair of map.pairs) {
    const p = child(path, pair.key);
    const v = pair.value;
    switch (pair.key) {
      case 'id': {
        const id = readString(r, v, p);
        if (id !== undefined) checkId(r, id, v, p, 'step id');
        step.id = id;
        break;
      }
      case 'name': step.name = readString(r, v, p) ?? ''; break;
      case 'if': step.if = readIf(r, v, p); break;
      case 'run': step.run = readNonEmpty(r, v, p); break;
      case 'uses': step.uses = readNonEmpty(r, v, p); break;
      case 'with': step.with = readStringMap(r, v, p); break;
      case 'env': step.env = readEnv(r, v, p); break;
      case 'shell': step.shell = readString(r, v, p); break;
      case 'working-directory': step.workingDirectory = readString(r, v, p); break;
      case 'timeout-minutes': readTimeout(r, v, p, step); break;
      case 'continue-on-error': readContinueOnError(r, v, p, step); break;
      default: break;
    }
  }
  step.name ||= defaultName(step);
  return step;
}

/** `timeout-minutes` of a job or step; while it is an expression, `fallback` stands in. */
/** `timeout-minutes` at most 5 days; past it a timer could not even be armed (setTimeout's ceiling is ~24.8 days). */
export const maxTimeoutMinutes = 7200;

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
