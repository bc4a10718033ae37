// The files a step writes to talk back to the runner: $GITHUB_ENV, $GITHUB_OUTPUT,
// $GITHUB_PATH, $GITHUB_STEP_SUMMARY. Format per GitHub's "Workflow commands" docs:
// `NAME=value` lines, or `NAME<<DELIMITER` … `DELIMITER` for multi-line values.
import { readFileSync, writeFileSync } from 'node:fs';

export function parseKeyValueFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line.trim() === '') continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc;
      const value: string[] = [];
      i++;
      while (i < lines.length && lines[i]!.replace(/\r$/, '') !== delimiter) value.push(lines[i++]!);
      if (i >= lines.length) throw new Error(`missing delimiter "${delimiter}" for ${name}`);
      out[name!] = value.join('\n');
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`invalid line "${line}": expected NAME=value or NAME<<DELIMITER`);
    out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

/** Reads a command file and empties it for the next step. */
export function takeFile(path: string): string {
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return '';
  }
  writeFileSync(path, '');
  return text;
}
