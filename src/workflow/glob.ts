// The one glob module, and the only importer of picomatch. Two syntaxes are written by
// users, each translated into picomatch's where they differ from its defaults:
//
// - GitHub's filter patterns (docs.github.com "Workflow syntax" §Filter pattern cheat
//   sheet), for `on.push.branches/tags/paths` and deploy.yml `branches:`: `*` any
//   characters but `/`, `**` any characters, `?` zero or one and `+` one or more of the
//   preceding character or class, `[a-z0-9]` one listed character, `\` escapes, and a
//   leading `!` excludes what earlier patterns included. Everything else is literal.
// - File globs as GitHub's actions use them (@actions/glob, which runs minimatch with dot
//   files, no braces, no extglobs, no negation inside a pattern), for hashFiles, caches and
//   artifacts: `*` and `?` within a segment, `**` any number of segments, `[…]` and `[!…]`.
import picomatch from 'picomatch';

/** Characters picomatch gives a meaning that GitHub's filter patterns do not. */
const picomatchSpecial = /[\\*?+@!()[\]{}|,^$]/u;
const escapeChar = (ch: string): string => (picomatchSpecial.test(ch) ? `\\${ch}` : ch);

/** A GitHub filter pattern (without its leading `!`) in picomatch syntax. */
function filterToPicomatch(pattern: string): string {
  // Atoms so that `?` and `+` can wrap the one before them in an extglob.
  const atoms: string[] = [];
  // `?` and `+` apply to a preceding character or class; after `*` or at the start they are literal.
  let quantifiable = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string;
    if (ch === '\\' && i + 1 < pattern.length) {
      atoms.push(`\\${pattern[++i] as string}`);
      quantifiable = true;
    } else if (ch === '*' && pattern[i + 1] === '*') {
      i++;
      const wholeSegment = (i === 1 || pattern[i - 2] === '/') && (i + 1 === pattern.length || pattern[i + 1] === '/');
      if (!wholeSegment) atoms.push('*{,/**/*}'); // `.*` inside a segment: within it, or across segments.
      else if (i + 1 === pattern.length && i > 1) atoms.push('**/*'); // `dir/**` needs something after `dir/`.
      else atoms.push('**'); // `**/x` also matches `x`, as on GitHub.
      quantifiable = false;
    } else if (ch === '*') {
      atoms.push('*');
      quantifiable = false;
    } else if ((ch === '?' || ch === '+') && quantifiable) {
      atoms.push(`${ch === '?' ? '?' : '+'}(${atoms.pop() as string})`);
      quantifiable = false;
    } else if (ch === '[' && pattern.indexOf(']', i + 1) > i + 1) {
      const close = pattern.indexOf(']', i + 1);
      atoms.push(`[${[...pattern.slice(i + 1, close)].map((c) => (/[\\\]^![]/u.test(c) ? `\\${c}` : c)).join('')}]`);
      i = close;
      quantifiable = true;
    } else {
      atoms.push(escapeChar(ch));
      quantifiable = true;
    }
  }
  return atoms.join('');
}

/** Why a filter pattern (without its leading `!`) cannot be compiled, e.g. a `[z-a]` range; undefined when it can. */
export function filterPatternProblem(pattern: string): string | undefined {
  try {
    // `debug` makes picomatch throw on a source it cannot compile instead of matching nothing.
    picomatch.makeRe(filterToPicomatch(pattern), { ...filterOptions, debug: true });
    return undefined;
  } catch (err) {
    if (err instanceof SyntaxError) return err.message;
    throw err;
  }
}

const filterOptions = { dot: true, nonegate: true };
const filterCache = new Map<string, (value: string) => boolean>();

function filterMatcher(pattern: string): (value: string) => boolean {
  let matcher = filterCache.get(pattern);
  if (!matcher) {
    matcher = picomatch(filterToPicomatch(pattern), filterOptions);
    if (filterCache.size > 1000) filterCache.clear();
    filterCache.set(pattern, matcher);
  }
  return matcher;
}

/**
 * Whether `value` is selected by GitHub filter patterns, read in order: a pattern that
 * matches includes the value, a matching `!pattern` excludes it again, a later one may re-include.
 */
export function matchesPatterns(value: string, patterns: readonly string[]): boolean {
  let selected = false;
  for (const pattern of patterns) {
    const negated = pattern.startsWith('!');
    if (filterMatcher(negated ? pattern.slice(1) : pattern)(value)) selected = !negated;
  }
  return selected;
}

/** Whether a path segment holds file-glob syntax (else it is a literal name). */
export function isGlobSegment(segment: string): boolean {
  return /[*?[\]]/u.test(segment);
}

/**
 * A test for absolute paths against a file glob given as absolute segments. A path
 * matches when it or one of its ancestors does ("implicit descendants": a pattern that
 * matches a directory matches everything under it).
 */
export function fileGlobMatcher(segments: readonly string[]): (path: string) => boolean {
  const body = segments
    .map((s) => (isGlobSegment(s) ? s.replace(/\[!/gu, '[^') : s.replaceAll('\\', '\\\\')))
    .join('/');
  return picomatch([`/${body}`, `/${body}/**`], { dot: true, nobrace: true, noextglob: true, nonegate: true });
}
