// A called workflow's `inputs` (docs.github.com "Reusing workflows"): the calling job's
// `with`, evaluated and typed as `on.workflow_call.inputs` declares, defaults filled in.
import type { InputSpec, JobSpec, Workflow } from '../workflow/model.ts';
import type { ExpressionContext } from '../workflow/expressions/index.ts';
import { evaluateTemplate } from './contexts.ts';

/** Types a value as the input declares (workflow_call inputs are boolean, number or string). */
function typeInput(spec: InputSpec | undefined, value: unknown): unknown {
  if (value === undefined || value === null) return value;
  if (spec?.type === 'boolean') return value === true || String(value).toLowerCase() === 'true';
  if (spec?.type === 'number') return typeof value === 'number' ? value : Number(value);
  return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** `inputs` of a called workflow's job: the caller's `with`, then declared defaults. */
export function calledInputs(caller: JobSpec, called: Workflow, context: ExpressionContext): Record<string, unknown> {
  const declared = called.on.workflowCall?.inputs ?? {};
  const inputs: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(declared)) {
    if (spec.default !== undefined) inputs[name] = typeInput(spec, typeof spec.default === 'string' ? evaluateTemplate(spec.default, context) : spec.default);
  }
  for (const [name, text] of Object.entries(caller.with)) inputs[name] = typeInput(declared[name], evaluateTemplate(text, context));
  return inputs;
}
