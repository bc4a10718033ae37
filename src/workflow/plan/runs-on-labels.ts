// `runs-on` labels with expressions (docs.github.com "Workflow syntax" §jobs.<job_id>.runs-on;
// context availability: github, needs, strategy, matrix, vars, inputs). Each label is
// evaluated as soon as every context it reads is known: `matrix` when a literal matrix is
// planned (each leg its own labels), `github` and `inputs` when the run is created; a
// label reading anything else (needs, vars) stays as written. A label that is one
// expression giving a list (`os: [[self-hosted, linux]]`) becomes those labels.
import { evaluate, interpolate, soleExpression } from '../expressions/index.ts';
import { parseExpression, walkExpression } from '../expressions/parser.ts';
import { splitTemplate } from '../expressions/template.ts';

/** `labels` with every label evaluated whose contexts are all among `values`. */
export function resolveLabels(labels: readonly string[], values: Record<string, unknown>): string[] {
  const known = new Set(Object.keys(values).map((k) => k.toLowerCase()));
  return labels.flatMap((label) => {
    if (!label.includes('${{') || !readsOnly(label, known)) return [label];
    const context = { values };
    const sole = soleExpression(label);
    if (sole === undefined) return [interpolate(label, context)];
    const value = evaluate(sole, context);
    return Array.isArray(value) ? value.map(String) : [interpolate(label, context)];
  });
}

/** The labels of one matrix leg (`matrix` undefined: the job has none). */
export function legLabels(labels: readonly string[], matrix: Record<string, unknown> | undefined): string[] {
  return matrix ? resolveLabels(labels, { matrix }) : [...labels];
}

function readsOnly(template: string, known: Set<string>): boolean {
  let only = true;
  for (const part of splitTemplate(template)) {
    if (part.kind !== 'expression') continue;
    walkExpression(parseExpression(part.expression), (node) => {
      if (node.kind === 'context' && !known.has(node.name.toLowerCase())) only = false;
    });
  }
  return only;
}
