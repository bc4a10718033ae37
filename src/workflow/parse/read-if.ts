// `if:` values: stored as expression text without the `${{ }}` wrapper and checked here
// so a syntax error, or a context the `if` cannot see, is reported with the other
// diagnostics instead of when the job runs.
import { isSlipwayError } from '../../core/errors.ts';
import { conditionExpression } from '../expressions/index.ts';
import { parseExpression } from '../expressions/parser.ts';
import { unavailable } from './context-availability.ts';
import type { Reader } from '../yaml/reader.ts';
import { readScalarText } from '../yaml/reader.ts';
import type { YNode } from '../yaml/node.ts';

export function readIf(r: Reader, node: YNode, path: string): string | undefined {
  const text = readScalarText(r, node, path);
  if (text === undefined) return undefined;
  try {
    const expression = conditionExpression(text);
    if (expression === undefined) return undefined;
    const problem = unavailable(parseExpression(expression), path);
    if (problem) r.error(node, path, problem);
    return expression;
  } catch (err) {
    if (!isSlipwayError(err)) throw err;
    r.error(node, path, `invalid expression: ${err.message}`);
    return undefined;
  }
}
