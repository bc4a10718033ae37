// Splits text with `${{ expr }}` placeholders. The closing `}}` is the first one outside a
// single-quoted string, so `${{ format('}}') }}` is one placeholder, as in the runner's
// template reader.
import { expressionError } from './expression-error.ts';

type TemplatePart =
  | { kind: 'text'; text: string }
  /** `offset` is where the expression text starts in the template, 0-based. */
  | { kind: 'expression'; expression: string; offset: number };

export function splitTemplate(template: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let from = 0;
  for (;;) {
    const open = template.indexOf('${{', from);
    if (open < 0) break;
    if (open > from) parts.push({ kind: 'text', text: template.slice(from, open) });
    const start = open + 3;
    const close = findClose(template, start);
    if (close < 0) {
      throw expressionError(`The expression starting at position ${open + 1} is not closed with '}}'`, template);
    }
    const inner = template.slice(start, close);
    if (inner.trim() === '') {
      throw expressionError(`An expression was expected at position ${open + 1}`, template);
    }
    const lead = inner.length - inner.trimStart().length;
    parts.push({ kind: 'expression', expression: inner.trim(), offset: start + lead });
    from = close + 2;
  }
  if (from < template.length) parts.push({ kind: 'text', text: template.slice(from) });
  return parts;
}

function findClose(text: string, start: number): number {
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (ch === "'") inString = !inString; // '' inside a string toggles twice: still inside.
    else if (!inString && ch === '}' && text[i + 1] === '}') return i;
  }
  return -1;
}

/**
 * The expression inside a value that is exactly one `${{ expr }}` (surrounding spaces
 * allowed), else undefined.
 */
export function soleExpression(text: string): string | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith('${{')) return undefined;
  const parts = splitTemplate(trimmed);
  const only = parts[0];
  return parts.length === 1 && only?.kind === 'expression' ? only.expression : undefined;
}
