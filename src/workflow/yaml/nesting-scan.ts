// A linear pre-scan that bounds how deeply a YAML text nests before the `yaml` library
// sees it. The library's lexer and parser recurse per level: 6 KB of `- - - …` takes a
// third of a second and 10,000 levels overflow the stack; a megabyte of `[` takes seconds.
// The scan counts the levels a line opens (its indentation among the lines above it, and
// `- `, `? `, `: ` on it; `[` and `{` in flow) outside quoted scalars, comments and block
// scalars, and stops at the first place past the limit. It may overcount in odd corners (a
// quoted string spanning lines); the tree built afterwards checks the exact depth.
import type { Position } from './node.ts';

const isBlank = (ch: string | undefined): boolean => ch === undefined || ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
// YAML 1.2 §8.1.1: a chomping and an indentation indicator (1–9), in either order.
const blockScalarHeader = /^[|>](?:[1-9][-+]?|[-+][1-9]?)?[ \t]*(?:#.*)?\r?$/;

/** Where `text` first nests deeper than `maxDepth`, or undefined. */
export function findTooDeep(text: string, maxDepth: number): Position | undefined {
  // Column of the node that owns the open block scalar (`key: |`); its content is indented more.
  let blockScalarOwner = -1;
  // Indentations of the open block lines above this one.
  const indents: number[] = [];
  let lineStart = 0;
  while (lineStart < text.length) {
    const newline = text.indexOf('\n', lineStart);
    const lineEnd = newline === -1 ? text.length : newline;
    let pos = lineStart;
    while (pos < lineEnd && text[pos] === ' ') pos++;
    const indent = pos - lineStart;
    const blank = pos >= lineEnd || text[pos] === '\r';
    if (blockScalarOwner >= 0 && (blank || indent > blockScalarOwner)) {
      lineStart = lineEnd + 1;
      continue;
    }
    blockScalarOwner = -1;
    if (blank || text[pos] === '#' || (indent === 0 && text[pos] === '%')) {
      lineStart = lineEnd + 1;
      continue;
    }
    while (indents.length > 0 && (indents[indents.length - 1] as number) >= indent) indents.pop();
    indents.push(indent);
    if (indents.length > maxDepth) return positionAt(text, pos);
    let levels = indents.length;
    let valueStart = true;
    let owner = indent;
    let next = lineEnd + 1;
    while (pos < lineEnd) {
      const ch = text[pos] as string;
      if (ch === ' ' || ch === '\t') {
        pos++;
        continue;
      }
      if (ch === '#' && (pos === lineStart || isBlank(text[pos - 1]))) break;
      if ((ch === ':' || (valueStart && (ch === '-' || ch === '?'))) && isBlank(text[pos + 1])) {
        if (++levels > maxDepth) return positionAt(text, pos);
        if (ch !== ':') owner = pos - lineStart;
        valueStart = true;
        pos++;
        continue;
      }
      if (indent === 0 && pos === lineStart && /^(?:---|\.\.\.)(?:[ \t\r]|$)/.test(text.slice(pos, pos + 4))) {
        pos += 3; // A document marker; what follows it starts a value.
        continue;
      }
      if (valueStart && (ch === '&' || ch === '!')) {
        while (pos < lineEnd && !isBlank(text[pos])) pos++; // An anchor or a tag; the value follows.
        continue;
      }
      if (valueStart && (ch === '[' || ch === '{')) {
        const end = scanFlow(text, pos, maxDepth);
        if (typeof end !== 'number') return end;
        // The rest of the line after a flow collection holds no new level.
        next = text.indexOf('\n', end) === -1 ? text.length : text.indexOf('\n', end) + 1;
        break;
      }
      if (valueStart && (ch === '|' || ch === '>') && blockScalarHeader.test(text.slice(pos, lineEnd))) {
        blockScalarOwner = owner;
        break;
      }
      if (valueStart && (ch === '"' || ch === "'")) {
        pos = skipQuoted(text, pos, lineEnd);
        valueStart = false;
        continue;
      }
      if (valueStart) owner = pos - lineStart;
      valueStart = false;
      pos++;
    }
    lineStart = next;
  }
  return undefined;
}

/** From an opening `[` or `{`: the offset after its closing bracket, or where it nests too deep. */
function scanFlow(text: string, start: number, maxDepth: number): number | Position {
  let depth = 0;
  let pos = start;
  while (pos < text.length) {
    const ch = text[pos] as string;
    if (ch === '[' || ch === '{') {
      if (++depth > maxDepth) return positionAt(text, pos);
    } else if (ch === ']' || ch === '}') {
      if (--depth === 0) return pos + 1;
    } else if (ch === '#' && isBlank(text[pos - 1])) {
      const eol = text.indexOf('\n', pos);
      pos = eol === -1 ? text.length : eol;
      continue;
    } else if ((ch === '"' || ch === "'") && /[[{,:\s]/.test(text[pos - 1] ?? ' ')) {
      pos = skipQuoted(text, pos, text.length);
      continue;
    }
    pos++;
  }
  return text.length;
}

/** The offset after the quoted scalar opening at `start` (`''` and `\"` escape), at most `end`. */
function skipQuoted(text: string, start: number, end: number): number {
  const quote = text[start];
  let pos = start + 1;
  while (pos < end) {
    const ch = text[pos];
    if (quote === '"' && ch === '\\') pos += 2;
    else if (ch === quote && quote === "'" && text[pos + 1] === "'") pos += 2;
    else if (ch === quote) return pos + 1;
    else pos++;
  }
  return end;
}

function positionAt(text: string, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}
