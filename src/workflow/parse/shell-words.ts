// Shell-like words, as GitHub's runner and docker split `options:` and a custom `shell:`
// template: blanks separate words, '…' and "…" quote, a backslash escapes. No expansion.
import { SlipwayError } from '../../core/errors.ts';

/** Splits a command line on blanks, honouring '…' and "…" quoting and backslash escapes. */
export function tokenize(line: string): string[] {
  const out: string[] = [];
  let current = '';
  let started = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quote === "'") {
      if (c === "'") quote = null;
      else current += c;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1] as string)) current += line[++i];
      else current += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      started = true;
    } else if (c === '\\' && i + 1 < line.length) {
      current += line[++i];
      started = true;
    } else if (/\s/.test(c)) {
      if (started) out.push(current);
      current = '';
      started = false;
    } else {
      current += c;
      started = true;
    }
  }
  if (quote) throw new SlipwayError('WORKFLOW_INVALID', `unterminated ${quote} quote in "${line}"`);
  if (started) out.push(current);
  return out;
}
