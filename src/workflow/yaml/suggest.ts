// "Did you mean" for unknown keys and names: the closest candidate by edit distance,
// ignoring case and treating `_` like `-` (runs_on → runs-on), when it is close enough.

/** Optimal-string-alignment distance: Levenshtein plus swapping two neighbours (nedds → needs). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  const at = (i: number, j: number): number => d[i * cols + j] as number;
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      d[i * cols + j] = best;
    }
  }
  return at(rows - 1, cols - 1);
}

const normalize = (s: string): string => s.toLowerCase().replaceAll('_', '-');

/** The closest candidate, or undefined when none is within a third of the word's length (at least 1). */
export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  const w = normalize(word);
  const limit = Math.max(1, Math.floor(w.length / 3));
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(w, normalize(candidate));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/**
 * The tail of an "unknown X" message: "did you mean `x`?" when a candidate is close, else
 * "expected one of: …", or `none` when there are no candidates and `none` is given.
 */
export function hint(word: string, candidates: readonly string[], none?: string): string {
  const guess = suggest(word, candidates);
  if (guess) return `did you mean \`${guess}\`?`;
  return candidates.length === 0 && none !== undefined ? none : `expected one of: ${candidates.join(', ')}`;
}
