// File globs as GitHub's actions use them (@actions/glob, used by hashFiles, actions/cache
// and actions/upload-artifact): one pattern per line, relative to the workspace unless
// absolute, `~` for the home directory, `*` and `?` within one path segment, `**` any
// number of segments, `[…]` a character class, `!` at the start excludes, later patterns
// win, dot files match, and a pattern that matches a directory matches everything under it
// ("implicit descendants").
import { readdirSync, realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve, sep } from 'node:path';
import { fileGlobMatcher, isGlobSegment } from '../workflow/glob.ts';

interface Pattern {
  negate: boolean;
  /** Absolute literal directory the pattern starts from: walking begins here. */
  searchPath: string;
  /** Whether an absolute path is selected (the glob grammar lives in workflow/glob.ts). */
  matches: (path: string) => boolean;
}

/** Splits `path` input into patterns: one per line, blank lines and `#` comments skipped. */
export function patternLines(text: string): string[] {
  return text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
}

export function compilePattern(line: string, root: string): Pattern {
  const negate = line.startsWith('!');
  let text = negate ? line.slice(1).trim() : line;
  if (text === '~' || text.startsWith('~/')) text = homedir() + text.slice(1);
  const absolute = resolve(isAbsolute(text) ? text : join(root, text));
  const segments = absolute.split(sep).filter(Boolean);
  const literal: string[] = [];
  for (const s of segments) {
    if (isGlobSegment(s)) break;
    literal.push(s);
  }
  return { negate, searchPath: `/${literal.join('/')}`, matches: fileGlobMatcher(segments) };
}

/** Whether the last pattern that matches `path` (absolute) is an include. */
function isSelected(path: string, patterns: readonly Pattern[]): boolean {
  let selected = false;
  for (const p of patterns) if (p.matches(path)) selected = !p.negate;
  return selected;
}

/**
 * Files (not directories; symlinks followed) selected by the patterns, absolute, in a
 * stable depth-first, name-sorted order, each once.
 */
export function globFiles(patternText: string | string[], root: string): string[] {
  const lines = Array.isArray(patternText) ? patternText : patternLines(patternText);
  const patterns = lines.map((l) => compilePattern(l, root));
  const found = new Set<string>();
  const out: string[] = [];
  const visited = new Set<string>();
  const walk = (path: string) => {
    let st;
    try {
      st = statSync(path);
    } catch {
      return; // Missing, or a dangling symlink.
    }
    if (st.isDirectory()) {
      const key = `${st.dev}:${st.ino}`;
      if (visited.has(key)) return; // A symlink loop.
      visited.add(key);
      for (const name of readdirSync(path).sort()) walk(join(path, name));
      visited.delete(key);
    } else if (st.isFile() && !found.has(path) && isSelected(path, patterns)) {
      found.add(path);
      out.push(path);
    }
  };
  for (const p of patterns) if (!p.negate) walk(p.searchPath);
  return out;
}

/**
 * The files whose real path lies under one of `roots` (the job's workspace and temp). The
 * built-in actions that read what a job names (upload-artifact, cache) run as root, so a
 * path or a symlink naming the data dir must select nothing, as it would read nothing for
 * the job itself.
 */
export function confinedTo(files: string[], roots: string[]): string[] {
  const real = roots.map((r) => realpathSync(r));
  return files.filter((file) => {
    let path: string;
    try {
      path = realpathSync(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false; // Removed since the walk.
      throw err;
    }
    return real.some((r) => path === r || path.startsWith(`${r}${sep}`));
  });
}

/** The literal directories the include patterns start from (actions' "search paths"). */
export function searchPaths(patternText: string | string[], root: string): string[] {
  const lines = Array.isArray(patternText) ? patternText : patternLines(patternText);
  return lines.map((l) => compilePattern(l, root)).filter((p) => !p.negate).map((p) => p.searchPath);
}

/** Deepest directory containing all `paths` (upload-artifact's root for relative names). */
export function commonAncestor(paths: string[]): string {
  if (paths.length === 0) return '/';
  let parts = paths[0]!.split('/');
  for (const p of paths.slice(1)) {
    const other = p.split('/');
    let i = 0;
    while (i < parts.length && i < other.length && parts[i] === other[i]) i++;
    parts = parts.slice(0, i);
  }
  return parts.join('/') || '/';
}
