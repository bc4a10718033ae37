// Recursive-descent parser for GitHub Actions expressions. Precedence, highest first
// (docs.github.com "Evaluate expressions" §Operators): `( )`, `[ ]` and `.`, `!`,
// `< <= > >=`, `== !=`, `&&`, `||`. Function names and arity are checked here, so a typo
// fails before anything runs, as on GitHub.
import { expressionError } from './expression-error.ts';
import { knownFunctions } from './functions.ts';
import { tokenize } from './tokenizer.ts';
import type { Token, TokenType } from './tokenizer.ts';

type ComparisonOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

export type Expr =
  | { kind: 'literal'; value: null | boolean | number | string; position: number }
  | { kind: 'context'; name: string; position: number }
  /** `a.b`, `a['b']`, `a.*`, `a[*]`. */
  | { kind: 'index'; target: Expr; index: Expr | '*'; position: number }
  | { kind: 'not'; operand: Expr; position: number }
  | { kind: 'compare'; op: ComparisonOp; left: Expr; right: Expr; position: number }
  | { kind: 'logical'; op: '&&' | '||'; left: Expr; right: Expr; position: number }
  /** `name` is the canonical spelling (`startsWith`), whatever case the user wrote. */
  | { kind: 'call'; name: string; args: Expr[]; position: number };

/** The runner's limit on nesting (ExpressionConstants.MaxDepth). */
const maxDepth = 50;

export function parseExpression(expression: string): Expr {
  const tokens = tokenize(expression);
  let at = 0;
  let depth = 0;

  const peek = (): Token => tokens[at] as Token;
  const take = (): Token => tokens[at++] as Token;
  const fail = (token: Token): Error =>
    token.type === 'eof'
      ? expressionError('Unexpected end of expression', expression, token.position)
      : expressionError(`Unexpected symbol: '${token.text}'`, expression, token.position);
  const expect = (type: TokenType): Token => {
    const token = take();
    if (token.type !== type) throw fail(token);
    return token;
  };
  const nest = <T>(parse: () => T, token: Token): T => {
    if (++depth > maxDepth) {
      throw expressionError(`Exceeded max expression depth ${maxDepth}`, expression, token.position);
    }
    const result = parse();
    depth--;
    return result;
  };

  // One left-associative level per precedence, tightest first; each takes the level above as operands.
  const binary = (operand: () => Expr, kind: 'logical' | 'compare', ops: readonly TokenType[]) => (): Expr => {
    let left = operand();
    while (ops.includes(peek().type)) {
      const op = take();
      left = { kind, op: op.type, left, right: operand(), position: op.position } as Expr;
    }
    return left;
  };
  const parseComparison = binary(parseUnary, 'compare', ['<', '<=', '>', '>=']);
  const parseEquality = binary(parseComparison, 'compare', ['==', '!=']);
  const parseAnd = binary(parseEquality, 'logical', ['&&']);
  const parseOr = binary(parseAnd, 'logical', ['||']);

  if (peek().type === 'eof') throw expressionError('An expression was expected', expression);
  const result = parseOr();
  if (peek().type !== 'eof') throw fail(peek());
  return result;

  function parseUnary(): Expr {
    if (peek().type !== '!') return parsePostfix();
    const op = take();
    return nest(() => ({ kind: 'not', operand: parseUnary(), position: op.position }), op);
  }

  function parsePostfix(): Expr {
    let target = parsePrimary();
    for (;;) {
      const token = peek();
      if (token.type === '.') {
        take();
        const name = take();
        if (name.type === '*') target = { kind: 'index', target, index: '*', position: name.position };
        else if (name.type === 'identifier') {
          const index: Expr = { kind: 'literal', value: name.text, position: name.position };
          target = { kind: 'index', target, index, position: name.position };
        } else throw fail(name);
      } else if (token.type === '[') {
        take();
        let index: Expr | '*';
        if (peek().type === '*') {
          take();
          index = '*';
        } else {
          index = nest(parseOr, token);
        }
        expect(']');
        target = { kind: 'index', target, index, position: token.position };
      } else {
        return target;
      }
    }
  }

  function parsePrimary(): Expr {
    const token = take();
    switch (token.type) {
      case 'null':
        return { kind: 'literal', value: null, position: token.position };
      case 'true':
      case 'false':
        return { kind: 'literal', value: token.type === 'true', position: token.position };
      case 'number':
      case 'string':
        return { kind: 'literal', value: token.value as number | string, position: token.position };
      case '(': {
        const inner = nest(parseOr, token);
        expect(')');
        return inner;
      }
      case 'identifier':
        return peek().type === '(' ? parseCall(token) : { kind: 'context', name: token.text, position: token.position };
      default:
        throw fail(token);
    }
  }

  function parseCall(name: Token): Expr {
    const info = knownFunctions.get(name.text.toLowerCase());
    if (!info) throw expressionError(`Unrecognized function: '${name.text}'`, expression, name.position);
    take(); // (
    const args: Expr[] = [];
    if (peek().type !== ')') {
      for (;;) {
        args.push(nest(parseOr, name));
        if (peek().type !== ',') break;
        take();
      }
    }
    expect(')');
    if (args.length < info.minArgs) {
      throw expressionError(`Too few parameters supplied: '${name.text}'`, expression, name.position);
    }
    if (args.length > info.maxArgs) {
      throw expressionError(`Too many parameters supplied: '${name.text}'`, expression, name.position);
    }
    return { kind: 'call', name: info.name, args, position: name.position };
  }
}

/** Calls every node of the tree, parents first. */
export function walkExpression(expr: Expr, visit: (node: Expr) => void): void {
  visit(expr);
  switch (expr.kind) {
    case 'index':
      walkExpression(expr.target, visit);
      if (expr.index !== '*') walkExpression(expr.index, visit);
      break;
    case 'not':
      walkExpression(expr.operand, visit);
      break;
    case 'compare':
    case 'logical':
      walkExpression(expr.left, visit);
      walkExpression(expr.right, visit);
      break;
    case 'call':
      for (const arg of expr.args) walkExpression(arg, visit);
      break;
    default:
      break;
  }
}
