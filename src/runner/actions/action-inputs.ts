// An action's inputs as GitHub's runner gives them: the value the step's `with:` gave, else
// the action's `default` (an expression over the calling step's contexts), else '' with a
// warning when it is required; a `with:` key the action does not declare is warned about
// and kept apart (`extra`: a composite's `inputs` context holds only the declared ones,
// while JavaScript and Docker actions get every one as an INPUT_<NAME> variable).
import type { ExprContext } from '../expression-adapter.ts';
import { interpolateText } from '../expression-adapter.ts';
import type { JobState } from '../job-state.ts';
import type { ActionInput } from './action-file.ts';

export function resolveInputs(declared: Record<string, ActionInput>, given: Record<string, string>, outer: ExprContext, state: JobState): { inputs: Record<string, string>; extra: Record<string, string> } {
  const { log } = state;
  const rest = new Map(Object.entries(given).map(([k, v]) => [k.toLowerCase(), { name: k, value: v }]));
  const inputs: Record<string, string> = {};
  for (const [name, spec] of Object.entries(declared)) {
    const value = rest.get(name.toLowerCase())?.value;
    rest.delete(name.toLowerCase());
    if (value !== undefined) inputs[name] = value;
    else if (spec.default !== undefined) inputs[name] = interpolateText(spec.default, outer, state.hashFiles);
    else {
      if (spec.required) log.line(`##[warning]Input required and not supplied: ${name}`);
      inputs[name] = '';
    }
  }
  if (rest.size > 0) {
    log.line(`##[warning]Unexpected input(s) '${[...rest.keys()].join("', '")}', valid inputs are ['${Object.keys(declared).join("', '")}']`);
  }
  return { inputs, extra: Object.fromEntries([...rest.values()].map(({ name, value }) => [name, value])) };
}

/** `INPUT_<NAME>`, as `@actions/core` getInput reads it: spaces to `_`, upper case. */
export function inputVariables(inputs: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.replace(/ /g, '_').toUpperCase()}`, v]));
}
