// `runs-on: ${{ matrix.os }}` (docs.github.com "Workflow syntax" §jobs.<job_id>.strategy.matrix
// example): each leg of a literal matrix gets its own labels when planned, so the
// scheduler matches real labels, not expression text. Only labels whose expressions read
// nothing but `matrix` are known at planning; others (github, inputs, vars, needs) stay
// as written. A label that is one expression giving a list (`os: [[self-hosted, linux]]`)
// becomes those labels.
import { evaluate, interpolate, soleExpression } from '../expressions/index.ts';
import { parseExpression, walkExpression } from '../expressions/parser.ts';
import { splitTemplate } from '../expressions/template.ts';

export function legLabels(labels: readonly string[], matrix: Record<string, unknown> | undefined): string[] {
  if (!matrix) return [...labels];
  return labels.flatMap((label) => {
    if (!label.includes('${{') || !readsOnlyMatrix(label)) return [label];
    const context = { values: { matrix } };
    const sole = soleExpression(label);
    if (sole === undefined) return [interpolate(label, context)];
    const value = evaluate(sole, context);
    return Array.isArray(value) ? value.map(String) : [interpolate(label, context)];
  });
}

function readsOnlyMatrix(template: string): boolean {
  let only = true;
  for (const part of splitTemplate(template)) {
    if (part.kind !== 'expression') continue;
    walkExpression(parseExpression(part.expression), (node) => {
      if (node.kind === 'context' && node.name.toLowerCase() !== 'matrix') only = false;
    });
  }
  return only;
}
