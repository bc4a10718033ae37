// dotenv files for `slipway run --env-file` and `--secret-file`, as act reads them (its
// godotenv): `NAME=value` lines, `#` comments and blank lines skipped, an optional `export `
// prefix; values unquoted (trimmed, ` #…` a comment), in single quotes (literal) or in double
// quotes (\n \r \t \\ \" \$ escapes). Quoted values may span lines. Errors name file:line.
import { readFileSync } from 'node:fs';
import { CliError } from './client.ts';

const namePattern = /^[A-Za-z_][A-Za-z0-9_.]*$/;
const escapes: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\', '"': '"', $: '$' };

/** Parses dotenv text; `file` names it in errors. */
export function parseDotenv(text: string, file: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const at = `${file}:${i + 1}`;
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const body = line.replace(/^export\s+/, '');
    const eq = body.indexOf('=');
    if (eq <= 0) throw new CliError(`${at}: expected NAME=value`, 2);
    const name = body.slice(0, eq).trim();
    if (!namePattern.test(name)) throw new CliError(`${at}: ${JSON.stringify(name)} is not a variable name (letters, digits, _ and ., not starting with a digit)`, 2);
    let rest = body.slice(eq + 1).trimStart();
    const quote = rest[0];
    if (quote !== '"' && quote !== "'") {
      out[name] = rest.replace(/\s+#.*$/, '').trim();
      continue;
    }
    // A quoted value: read on (across lines) to the closing quote.
    let value = '';
    let closed = false;
    rest = rest.slice(1);
    for (;;) {
      for (let j = 0; j < rest.length; j++) {
        const c = rest[j]!;
        if (quote === '"' && c === '\\' && j + 1 < rest.length) {
          const next = rest[++j]!;
          value += escapes[next] ?? `\\${next}`;
        } else if (c === quote) {
          const after = rest.slice(j + 1).trim();
          if (after !== '' && !after.startsWith('#')) throw new CliError(`${at}: unexpected ${JSON.stringify(after)} after the closing quote`, 2);
          closed = true;
          break;
        } else value += c;
      }
      if (closed) break;
      if (++i >= lines.length) throw new CliError(`${at}: the value of ${name} has no closing ${quote}`, 2);
      value += '\n';
      rest = lines[i]!;
    }
    out[name] = value;
  }
  return out;
}

export function readDotenv(path: string, option: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new CliError(`${option} ${path}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`, 2);
  }
  return parseDotenv(text, path);
}
