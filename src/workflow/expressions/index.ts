// Public API of the expression engine (docs.github.com "Evaluate expressions in workflows
// and actions"): evaluate one expression, interpolate `${{ }}` in text, decide an `if:`.
import type { ExpressionContext } from './context.ts';
import { evaluateExpr, checkNamedValues } from './evaluator.ts';
import { statusFunctions } from './functions.ts';
import type { Expr } from './parser.ts';
import { parseExpression, walkExpression } from './parser.ts';
import { soleExpression, splitTemplate } from './template.ts';
import { kindOf, toBoolean, toJson, toStringValue } from './values.ts';

export type { ExpressionContext, StatusState } from './context.ts';
export { toBoolean } from './values.ts';
export { soleExpression } from './template.ts';

/** Evaluates one expression (without `${{ }}`). Throws SlipwayError('WORKFLOW_INVALID'). */
export function evaluate(expression: string, context: ExpressionContext): unknown {
  const expr = parseExpression(expression);
  checkNamedValues(expr, context, expression);
  return evaluateExpr(expr, context, expression);
}

/**
 * Replaces each `${{ expr }}` with its value as a string: null → '', booleans →
 * 'true'/'false', numbers as the runner prints them, arrays and objects → JSON.
 */
export function interpolate(text: string, context: ExpressionContext): string {
  if (!text.includes('${{')) return text;
  let out = '';
  for (const part of splitTemplate(text)) {
    out += part.kind === 'text' ? part.text : templateString(evaluate(part.expression, context));
  }
  return out;
}

function templateString(value: unknown): string {
  const kind = kindOf(value);
  return kind === 'array' || kind === 'object' ? toJson(value) : toStringValue(value);
}

/**
 * Decides an `if:`. Undefined or blank text means `defaultCondition`. An expression that
 * calls no status function is run as `<defaultCondition> && (expr)` — GitHub's implicit
 * `success() &&` (docs: "Status check functions"). Text with `${{ }}` around the whole
 * value is unwrapped; text mixing `${{ }}` with other text is a string, as on GitHub
 * (and so true unless empty).
 */
export function evaluateCondition(
  ifText: string | undefined,
  context: ExpressionContext,
  defaultCondition = 'success()',
): boolean {
  const expression = conditionExpression(ifText ?? '') ?? defaultCondition;
  const expr = parseExpression(expression);
  checkNamedValues(expr, context, expression);
  if (!callsStatusFunction(expr)) {
    const guard = parseExpression(defaultCondition);
    const guarded: Expr = { kind: 'logical', op: '&&', left: guard, right: expr, position: 1 };
    return toBoolean(evaluateExpr(guarded, context, expression));
  }
  return toBoolean(evaluateExpr(expr, context, expression));
}

/** The expression text of an `if:` value, or undefined when it is blank. */
export function conditionExpression(ifText: string): string | undefined {
  if (ifText.trim() === '') return undefined;
  if (!ifText.includes('${{')) return ifText;
  const sole = soleExpression(ifText);
  if (sole !== undefined) return sole;
  return templateAsFormat(ifText);
}

/** `a ${{ x }} b` → `format('a {0} b', x)`: how the runner reads a mixed template. */
function templateAsFormat(text: string): string {
  let fmt = '';
  const args: string[] = [];
  for (const part of splitTemplate(text)) {
    if (part.kind === 'text') fmt += part.text.replaceAll('{', '{{').replaceAll('}', '}}');
    else {
      fmt += `{${args.length}}`;
      args.push(`(${part.expression})`);
    }
  }
  return `format('${fmt.replaceAll("'", "''")}'${args.map((a) => `, ${a}`).join('')})`;
}

function callsStatusFunction(expr: Expr): boolean {
  let found = false;
  walkExpression(expr, (node) => {
    if (node.kind === 'call' && statusFunctions.has(node.name)) found = true;
  });
  return found;
}
