// The part of node-semver's range grammar (github.com/npm/node-semver "Ranges") that
// `node-version` specs use, matched against one release version (the job's Node):
// `||` alternatives of space-separated comparators; `<`, `<=`, `>`, `>=`, `=` with a
// partial version; X-ranges (`20`, `20.x`, `20.1.*`, `*`); `~` and `^`; hyphen ranges
// (`18 - 20`). A release version is never a prerelease, so `<21.0.0-0` is `<21.0.0` here.
// `semver` is only a transitive dependency; this small matcher keeps it out.

export type Version = readonly [number, number, number];
type Op = '<' | '<=' | '>' | '>=' | '=';
type Comparator = readonly [Op, Version];

/** `v24.1.0` / `24.1.0` (a prerelease or build suffix is dropped); undefined when not a version. */
export function parseVersion(text: string): Version | undefined {
  const m = /^\s*v?(\d+)\.(\d+)\.(\d+)(?:[-+][0-9A-Za-z.+-]*)?\s*$/.exec(text);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

export function compare(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

const isX = (part: string | undefined) => part === undefined || part === '' || /^[xX*]$/.test(part);

/** `20`, `20.x`, `v20.1.2`: the given numbers (undefined where X or missing). */
function parsePartial(text: string): (number | undefined)[] | undefined {
  const m = /^v?(\d+|[xX*])(?:\.(\d+|[xX*])(?:\.(\d+|[xX*])(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)?)?$/.exec(text);
  if (!m) return undefined;
  const parts = [m[1], m[2], m[3]];
  // Once one part is X, the later ones are too (`20.x.5` is `20.x`).
  const first = parts.findIndex(isX);
  return parts.map((p, i) => (first !== -1 && i >= first ? undefined : Number(p)));
}

/** The lowest version a partial names, and the first one above it (undefined: no bound). */
function bounds(p: (number | undefined)[]): { low: Version; high: Version | undefined } {
  const [a, b, c] = p;
  if (a === undefined) return { low: [0, 0, 0], high: undefined };
  if (b === undefined) return { low: [a, 0, 0], high: [a + 1, 0, 0] };
  if (c === undefined) return { low: [a, b, 0], high: [a, b + 1, 0] };
  return { low: [a, b, c], high: undefined };
}

function comparatorsOf(token: string, range: string): Comparator[] {
  const m = /^(<=|>=|<|>|=|~>|~|\^)?(.*)$/.exec(token)!;
  const op = m[1] ?? '';
  const p = parsePartial(m[2]!);
  if (!p) throw new Error(`"${token}" in the range "${range}" is not a version, an X-range (20.x) or a comparator (>=18)`);
  const { low, high } = bounds(p);
  const exact = p[2] !== undefined;
  const [a, b, c] = p;
  switch (op) {
    case '':
    case '=':
      return exact ? [['=', low]] : [['>=', low], ...(high ? [['<', high] as Comparator] : [])];
    case '>':
      return exact ? [['>', low]] : high ? [['>=', high]] : [['<', [0, 0, 0]]];
    case '>=':
      return [['>=', low]];
    case '<':
      return [['<', low]];
    case '<=':
      return exact ? [['<=', low]] : high ? [['<', high]] : [];
    case '~':
    case '~>':
      // ~1.2.3 := >=1.2.3 <1.3.0; ~1.2 := >=1.2.0 <1.3.0; ~1 := >=1.0.0 <2.0.0
      if (a === undefined) return [];
      return [['>=', low], ['<', b === undefined ? [a + 1, 0, 0] : [a, b + 1, 0]]];
    default: {
      // ^: the left-most non-zero part may not change.
      if (a === undefined) return [];
      let top: Version;
      if (a > 0 || b === undefined) top = [a + 1, 0, 0];
      else if (b > 0 || c === undefined) top = [0, b + 1, 0];
      else top = [0, 0, c + 1];
      return [['>=', low], ['<', top]];
    }
  }
}

function holds([op, v]: Comparator, version: Version): boolean {
  const d = compare(version, v);
  return op === '<' ? d < 0 : op === '<=' ? d <= 0 : op === '>' ? d > 0 : op === '>=' ? d >= 0 : d === 0;
}

/** One `||` alternative as comparators. */
function parseAlternative(text: string, range: string): Comparator[] {
  const hyphen = /^(\S+)\s+-\s+(\S+)$/.exec(text);
  if (hyphen) {
    // 1.2 - 2.3.4 := >=1.2.0 <=2.3.4; 1.2.3 - 2.3 := >=1.2.3 <2.4.0
    const from = parsePartial(hyphen[1]!);
    const to = parsePartial(hyphen[2]!);
    if (!from || !to) throw new Error(`"${text}" in the range "${range}" is not a hyphen range of two versions`);
    const upper = bounds(to);
    return [['>=', bounds(from).low], ...(to[2] !== undefined ? [['<=', upper.low] as Comparator] : upper.high ? [['<', upper.high] as Comparator] : [])];
  }
  // `>= 18` is `>=18`, as node-semver reads it.
  const tokens = text.replace(/(<=|>=|<|>|=|~>|~|\^)\s+/g, '$1').split(/\s+/).filter(Boolean);
  return tokens.flatMap((t) => comparatorsOf(t, range));
}

/** Parses `range`, throwing an Error that names the bad part; the result checks a version. */
export function parseRange(range: string): (version: Version) => boolean {
  const alternatives = range.split('||').map((alt) => parseAlternative(alt.trim(), range));
  return (version) => alternatives.some((cs) => cs.every((c) => holds(c, version)));
}

export function satisfies(version: Version, range: string): boolean {
  return parseRange(range)(version);
}
