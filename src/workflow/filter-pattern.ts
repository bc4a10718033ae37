// GitHub's filter pattern syntax for branches, tags and paths (docs.github.com "Workflow
// syntax" §Filter pattern cheat sheet): `*` any characters but `/`, `**` any characters,
// `?` zero or one and `+` one or more of the preceding character, `[a-z0-9]` one listed
// character, `\` escapes, and a leading `!` excludes what earlier patterns included.

const cache = new Map<string, RegExp>();

export function patternToRegExp(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (!re) {
    re = new RegExp(`^${translate(pattern)}$`, 'u');
    if (cache.size > 1000) cache.clear();
    cache.set(pattern, re);
  }
  return re;
}

const escape = (ch: string): string => ch.replace(/[.*+?^${}()|[\]\\/]/gu, '\\$&');

function translate(pattern: string): string {
  let out = '';
  // `?` and `+` apply to the preceding character or class; after `*` or at the start
  // there is none, and they are literal.
  let quantifiable = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string;
    if (ch === '\\' && i + 1 < pattern.length) {
      out += escape(pattern[++i] as string);
      quantifiable = true;
    } else if (ch === '*') {
      if (pattern[i + 1] === '*') {
        i++;
        // `**/` also matches no directory at all: `**/README.md` matches `README.md`.
        if (pattern[i + 1] === '/') {
          i++;
          out += '(?:.*/)?';
        } else {
          out += '.*';
        }
      } else {
        out += '[^/]*';
      }
      quantifiable = false;
    } else if ((ch === '?' || ch === '+') && quantifiable) {
      out += ch;
      quantifiable = false;
    } else if (ch === '[') {
      const close = pattern.indexOf(']', i + 1);
      if (close > i + 1) {
        const body = pattern.slice(i + 1, close).replace(/[\\\]^[]/gu, '\\$&');
        out += `[${body}]`;
        i = close;
      } else {
        out += escape(ch);
      }
      quantifiable = true;
    } else {
      out += escape(ch);
      quantifiable = true;
    }
  }
  return out;
}

/**
 * Whether `value` is selected by the patterns, read in order: a pattern that matches
 * includes the value, a matching `!pattern` excludes it again, a later one may re-include.
 */
export function matchesPatterns(value: string, patterns: readonly string[]): boolean {
  let selected = false;
  for (const pattern of patterns) {
    const negated = pattern.startsWith('!');
    if (patternToRegExp(negated ? pattern.slice(1) : pattern).test(value)) selected = !negated;
  }
  return selected;
}
