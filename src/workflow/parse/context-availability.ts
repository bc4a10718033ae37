// Which contexts and special functions an expression may use, by the key it is written
// under (docs.github.com "Contexts reference" §Context availability; the same lists as
// actions/languageservices workflow-v1.0.json `context`). GitHub rejects the file when an
// expression names a context its key does not offer (e.g. `env` in a job-level `if`,
// `secrets` in `concurrency`), so Slipway does too, before anything runs, instead of
// failing the job with "Unrecognized named-value" later. Keys not listed are not checked.
import type { Expr } from '../expressions/parser.ts';
import { walkExpression } from '../expressions/parser.ts';
import { statusFunctions } from '../expressions/functions.ts';

interface Availability {
  contexts: readonly string[];
  /** `if` keys: success(), failure(), cancelled(), always(). */
  status?: boolean;
  /** Step keys: hashFiles(). */
  hashFiles?: boolean;
}

const base = ['github', 'inputs', 'vars'];
const withNeeds = [...base, 'needs'];
const strategy = [...withNeeds, 'strategy', 'matrix'];
const runnerNoSecrets = [...strategy, 'steps', 'job', 'runner', 'env'];
const runner = [...runnerNoSecrets, 'secrets'];
const credentials = [...strategy, 'secrets', 'env'];

/** Key-path patterns (`J` a job id, `N` a step index, `*` any one key) → what they allow; the first match wins. */
const table: readonly [RegExp, Availability][] = [
  [/^run-name$/, { contexts: base }],
  [/^concurrency(\.|$)/, { contexts: base }],
  [/^env\./, { contexts: [...base, 'secrets'] }],
  [/^defaults\.run\./, { contexts: [] }],
  [/^on\.workflow_call\.inputs\.[^.]+\.default$/, { contexts: base }],
  [/^on\.workflow_call\.outputs\.[^.]+\.value$/, { contexts: [...base, 'jobs'] }],
  [/^jobs\.[^.]+\.if$/, { contexts: withNeeds, status: true }],
  [/^jobs\.[^.]+\.strategy(\.|$)/, { contexts: withNeeds }],
  [/^jobs\.[^.]+\.env\./, { contexts: [...strategy, 'secrets'] }],
  [/^jobs\.[^.]+\.secrets\./, { contexts: [...strategy, 'secrets'] }],
  [/^jobs\.[^.]+\.outputs\./, { contexts: runner }],
  [/^jobs\.[^.]+\.environment\.url$/, { contexts: runnerNoSecrets }],
  [/^jobs\.[^.]+\.defaults\.run\./, { contexts: [...strategy, 'env'] }],
  [/^jobs\.[^.]+\.(container|services\.[^.]+)\.env\./, { contexts: runner }],
  [/^jobs\.[^.]+\.(container|services\.[^.]+)\.credentials(\.|$)/, { contexts: credentials }],
  [/^jobs\.[^.]+\.steps\[\d+\]\.if$/, { contexts: runnerNoSecrets, status: true, hashFiles: true }],
  [/^jobs\.[^.]+\.steps\[\d+\]\.(name|run|env|with|working-directory|continue-on-error|timeout-minutes)(\.|$)/, { contexts: runner, hashFiles: true }],
  [/^jobs\.[^.]+\.(name|runs-on|timeout-minutes|cancel-timeout-minutes|continue-on-error|concurrency|environment|container|services|with|snapshot)(\.|\[|$)/, { contexts: strategy }],
];

export function availabilityAt(path: string): Availability | undefined {
  return table.find(([pattern]) => pattern.test(path))?.[1];
}

/** The first context or function `expr` uses that `path` does not offer, as a message; undefined when all are allowed. */
export function unavailable(expr: Expr, path: string): string | undefined {
  const allowed = availabilityAt(path);
  if (!allowed) return undefined;
  let problem: string | undefined;
  walkExpression(expr, (node) => {
    if (problem) return;
    if (node.kind === 'context') {
      const name = node.name.toLowerCase();
      if (!allowed.contexts.includes(name)) {
        problem = allowed.contexts.length === 0
          ? `the \`${name}\` context is not available here: \`${keyName(path)}\` allows no contexts`
          : `the \`${name}\` context is not available in \`${keyName(path)}\`; available: ${allowed.contexts.join(', ')}`;
      }
    } else if (node.kind === 'call') {
      const name = node.name.toLowerCase();
      if (statusFunctions.has(node.name) && !allowed.status) problem = `${node.name}() is only available in \`if\` conditions`;
      if (name === 'hashfiles' && !allowed.hashFiles) problem = `hashFiles() is only available in steps`;
    }
  });
  return problem;
}

/** `jobs.build.steps[2].env.X` → `jobs.<job_id>.steps.env`, as GitHub's table names keys. */
function keyName(path: string): string {
  return path
    .replace(/^jobs\.[^.]+/, 'jobs.<job_id>')
    .replace(/\.steps\[\d+\]/, '.steps')
    .replace(/\.services\.[^.]+/, '.services.<service_id>')
    .replace(/^(on\.workflow_call\.(?:inputs|outputs))\.[^.]+/, '$1.<id>')
    .replace(/^((?:.*\.)?(?:env|outputs|with|secrets))\.[^.]+$/, '$1')
    .replace(/\[\d+\]/g, '');
}
