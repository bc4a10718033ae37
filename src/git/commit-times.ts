// When commits were made: the committer time of each, read in one `git log --no-walk` for
// any number of commits (delivery metrics' lead time). A commit the repository does not
// have (pruned, never pushed) is simply absent from the answer.
import { gitOrThrow } from './git-exec.ts';

export async function commitTimes(gitDir: string, shas: readonly string[]): Promise<Map<string, string>> {
  const wanted = [...new Set(shas)].filter((s) => /^[0-9a-f]{40}$/.test(s));
  const times = new Map<string, string>();
  if (wanted.length === 0) return times;
  const out = await gitOrThrow(gitDir, ['log', '--no-walk=unsorted', '--ignore-missing', '--format=%H %ct', ...wanted, '--']);
  for (const line of out.toString('utf8').split('\n')) {
    const [sha, seconds] = line.split(' ');
    if (sha && seconds && /^\d+$/.test(seconds)) times.set(sha, new Date(Number(seconds) * 1000).toISOString());
  }
  return times;
}
