// Reusable workflows in the same repository (`jobs.<id>.uses: ./.github/workflows/x.yml`,
// docs.github.com "Reusing workflows").
import { posix } from 'node:path';
import type { Diagnostic } from '../../core/errors.ts';
import type { JobSpec, Workflow } from '../model.ts';
import { parseWorkflow } from '../parse/parse-workflow.ts';
import type { ParseSettings } from '../parse/read-options.ts';
import { hint } from '../yaml/suggest.ts';
import { callerPermissions, elevations } from './call-permissions.ts';

/** docs "Limitations": the top-level caller plus up to three levels of reusable workflows. */
export const maxWorkflowNesting = 4;

/** `./.github/workflows/x.yml` → `.github/workflows/x.yml`, the key of `Plan.called` and `Workflow.file`. */
export function calledPath(uses: string): string {
  return posix.normalize(uses.replace(/^\.\//, ''));
}

/**
 * Loads the workflows that `workflow`'s jobs call (by repository path, through `load`) and
 * returns them by path, with every problem found (missing file, not `on: workflow_call`,
 * unknown or missing inputs and secrets, nesting deeper than GitHub allows, cycles).
 */
export async function loadCalledWorkflows(
  workflow: Workflow,
  load: (path: string) => Promise<string | undefined>,
  settings: ParseSettings = {},
): Promise<{ called: Record<string, Workflow>; diagnostics: Diagnostic[] }> {
  const called: Record<string, Workflow> = {};
  const diagnostics: Diagnostic[] = [];
  // Paths already found missing or invalid (reported once); valid ones are in `called`.
  const failed = new Set<string>();

  const visit = async (caller: Workflow, chain: string[], inherited?: Workflow['permissions']): Promise<void> => {
    for (const job of caller.jobs) {
      if (job.uses === undefined || !job.uses.startsWith('./')) continue;
      const path = calledPath(job.uses);
      // At the key itself (`with.x`, `secrets`, …) where the parser recorded it, else the job.
      const at = (message: string, key = 'uses'): void => {
        const pos = job.keyPos?.[key] ?? job.keyPos?.[key.split('.')[0] as string] ?? job.pos;
        diagnostics.push({ file: caller.file, line: pos.line, column: pos.column, path: `jobs.${job.id}.${key}`, message });
      };
      if (path.startsWith('../')) {
        at(`\`${job.uses}\` points outside the repository; expected a path inside it`);
        continue;
      }
      if (chain.includes(path)) {
        at(`reusable workflows call each other in a cycle: ${[...chain.slice(chain.indexOf(path)), path].join(' → ')}`);
        continue;
      }
      if (chain.length >= maxWorkflowNesting) {
        at(`calling \`${path}\` nests workflows ${chain.length + 1} levels deep (${[...chain, path].join(' → ')}); GitHub allows at most ${maxWorkflowNesting}`);
        continue;
      }
      if (failed.has(path)) continue;
      let callee = called[path];
      if (!callee) {
        const text = await load(path);
        if (text === undefined) {
          at(`\`${job.uses}\` does not exist in this commit; expected a workflow file at \`${path}\``);
          failed.add(path);
          continue;
        }
        const parsed = parseWorkflow(path, text, settings);
        diagnostics.push(...parsed.diagnostics);
        if (!parsed.workflow) {
          failed.add(path);
          continue;
        }
        callee = parsed.workflow;
        if (!callee.on.workflowCall) {
          at(`\`${path}\` is not a reusable workflow; expected \`workflow_call\` among its \`on\` events`);
          failed.add(path);
          continue;
        }
        called[path] = callee;
      }
      checkCall(job, callee, at);
      const granted = callerPermissions(job, caller, inherited);
      if (granted !== undefined) for (const message of elevations(granted, callee)) at(message);
      await visit(callee, [...chain, path], granted);
    }
  };
  await visit(workflow, [workflow.file]);
  return { called, diagnostics: inFileOrder(diagnostics) };
}

/** `with` must name declared inputs and give every required one; the same for `secrets`. */
function checkCall(job: JobSpec, callee: Workflow, at: (message: string, key?: string) => void): void {
  const spec = callee.on.workflowCall;
  if (!spec) return;
  const inputs = Object.keys(spec.inputs);
  for (const [name, value] of Object.entries(job.with)) {
    const input = spec.inputs[name];
    if (!input) {
      at(`\`${callee.file}\` has no input \`${name}\`; ${hint(name, inputs, 'it declares no inputs')}`, `with.${name}`);
      continue;
    }
    if (value.includes('${{')) continue;
    if (input.type === 'boolean' && value !== 'true' && value !== 'false') {
      at(`expected true or false for a \`boolean\` input, found \`${value}\``, `with.${name}`);
    } else if (input.type === 'number' && (value.trim() === '' || Number.isNaN(Number(value)))) {
      at(`expected a number for a \`number\` input, found \`${value}\``, `with.${name}`);
    }
  }
  for (const [name, input] of Object.entries(spec.inputs)) {
    if (input.required && input.default === undefined && !(name in job.with)) {
      at(`missing input \`${name}\`; \`${callee.file}\` requires it`, 'with');
    }
  }
  if (job.secrets === 'inherit') return;
  const given = job.secrets ?? {};
  const secrets = Object.keys(spec.secrets);
  for (const name of Object.keys(given)) {
    if (spec.secrets[name]) continue;
    at(`\`${callee.file}\` has no secret \`${name}\`; ${hint(name, secrets, 'it declares no secrets')}`, `secrets.${name}`);
  }
  for (const [name, secret] of Object.entries(spec.secrets)) {
    if (secret.required && !(name in given)) at(`missing secret \`${name}\`; \`${callee.file}\` requires it (or pass \`secrets: inherit\`)`, 'secrets');
  }
}

/** Files in the order they were first reported on; within a file, by position. */
function inFileOrder(diagnostics: Diagnostic[]): Diagnostic[] {
  const files = [...new Set(diagnostics.map((d) => d.file))];
  return diagnostics
    .map((d, i) => ({ d, i }))
    .sort((a, b) => files.indexOf(a.d.file) - files.indexOf(b.d.file) || a.d.line - b.d.line || a.d.column - b.d.column || a.i - b.i)
    .map(({ d }) => d);
}
