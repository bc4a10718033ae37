// Job ids and step ids are unique ignoring case: GitHub matches them case-insensitively
// (`needs: Build` finds `build`, `steps.Test` reads `steps.test`), so `build` and `Build`
// in one file would be the same id. The error names where both are written.
import type { Position } from '../yaml/node.ts';
import type { Reader } from '../yaml/reader.ts';

export interface WrittenId {
  id: string;
  at: Position;
  /** The key path reported (`jobs.Build`, `jobs.test.steps[2].id`). */
  path: string;
  /** How the first one is named in the message (`jobs.build`, `steps[0]`). */
  name: string;
}

export function checkUniqueIds(r: Reader, ids: readonly WrittenId[], what: 'job id' | 'step id'): void {
  const seen = new Map<string, WrittenId>();
  for (const written of ids) {
    const key = written.id.toLowerCase();
    const first = seen.get(key);
    if (!first) {
      seen.set(key, written);
      continue;
    }
    const same = first.id === written.id ? `\`${written.id}\`` : `\`${written.id}\` (ids ignore case: \`${first.id}\` is the same)`;
    r.error(written.at, written.path, `duplicate ${what} ${same}; ${first.name} at line ${first.at.line} already uses it`);
  }
}
