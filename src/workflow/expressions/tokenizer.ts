// Tokens of GitHub Actions expressions, following the runner's lexer: numbers use the
// same parser as string→number coercion (hex, exponent, sign), strings are single-quoted
// with '' as the escape, identifiers may contain `-`, and `true`/`false`/`null`/`NaN`/
// `Infinity` are keywords except right after a `.`.
import { expressionError } from './expression-error.ts';
import { parseNumber } from './values.ts';

export type TokenType =
  | '(' | ')' | '[' | ']' | ',' | '.' | '*'
  | '!' | '!=' | '==' | '<' | '<=' | '>' | '>=' | '&&' | '||'
  | 'number' | 'string' | 'identifier' | 'true' | 'false' | 'null' | 'eof';

export interface Token {
  type: TokenType;
  /** Source text of the token. */
  text: string;
  /** Value of number and string literals. */
  value?: number | string;
  /** 1-based position in the expression. */
  position: number;
}

const boundary = new Set(['(', '[', ')', ']', ',', '.', '!', '>', '<', '=', '&', '|']);

function isBoundary(c: string | undefined): boolean {
  return c === undefined || boundary.has(c) || /\s/.test(c);
}

const identifier = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  const src = expression;
  let i = 0;
  const previous = (): TokenType | undefined => tokens[tokens.length - 1]?.type;
  const push = (type: TokenType, start: number, value?: number | string): void => {
    tokens.push({ type, text: src.slice(start, i), value, position: start + 1 });
  };
  const readWord = (): void => {
    while (i < src.length && !isBoundary(src[i])) i++;
  };

  while (i < src.length) {
    const start = i;
    const c = src[i++] as string;
    const next = src[i];
    if (/\s/.test(c)) continue;
    switch (c) {
      case '(': case ')': case '[': case ']': case ',': case '*':
        push(c, start);
        continue;
      case '.': {
        const prev = previous();
        if (prev === 'identifier' || prev === ']' || prev === ')' || prev === '*') {
          push('.', start);
        } else {
          readNumber(start);
        }
        continue;
      }
      case '!': case '<': case '>':
        if (next === '=') i++;
        push(next === '=' ? (`${c}=` as TokenType) : c, start);
        continue;
      case '=': case '&': case '|':
        if (next !== c) {
          readWord();
          throw unexpected(start);
        }
        i++;
        push(`${c}${c}` as TokenType, start);
        continue;
      case "'":
        readString(start);
        continue;
      case '-': case '+':
        readNumber(start);
        continue;
      default:
        if (c >= '0' && c <= '9') readNumber(start);
        else readIdentifier(start);
    }
  }
  tokens.push({ type: 'eof', text: '', position: src.length + 1 });
  return tokens;

  function unexpected(start: number): Error {
    return expressionError(`Unexpected symbol: '${src.slice(start, Math.max(i, start + 1))}'`, src, start + 1);
  }

  function readNumber(start: number): void {
    // A number runs to the next boundary character, but `.` belongs to it (1.5).
    while (i < src.length && (!isBoundary(src[i]) || src[i] === '.')) i++;
    const value = parseNumber(src.slice(start, i));
    if (Number.isNaN(value)) throw unexpected(start);
    push('number', start, value);
  }

  function readString(start: number): void {
    let value = '';
    for (;;) {
      if (i >= src.length) throw unexpected(start);
      const ch = src[i++] as string;
      if (ch === "'") {
        if (src[i] !== "'") break;
        i++;
      }
      value += ch;
    }
    push('string', start, value);
  }

  function readIdentifier(start: number): void {
    readWord();
    const text = src.slice(start, i);
    if (previous() !== '.') {
      if (text === 'true' || text === 'false' || text === 'null') return push(text, start);
      if (text === 'NaN') return push('number', start, Number.NaN);
      if (text === 'Infinity') return push('number', start, Number.POSITIVE_INFINITY);
    }
    if (!identifier.test(text)) throw unexpected(start);
    push('identifier', start);
  }
}
