// The commit time a build is stamped with (SOURCE_DATE_EPOCH, reproducible-builds.org): the
// committer date of the commit being built, read from the checkout that holds the context.
import { run } from '../exec/run.ts';

/** Seconds since the epoch of `sha`'s committer date, or a reason why it cannot be known there. */
export async function commitTime(dir: string, sha: string): Promise<{ seconds: number } | { unknown: string }> {
  // safe.directory: the checkout may belong to the job's user, not to the runner's.
  const result = await run(['git', '-c', 'safe.directory=*', '-C', dir, 'show', '-s', '--format=%ct', sha], { keep: 4096 });
  const seconds = Number(result.stdout.trim());
  if (result.exitCode !== 0 || !Number.isSafeInteger(seconds) || seconds < 0) {
    return { unknown: `git show ${sha} in ${dir} exited with ${result.exitCode}: ${result.stderr.trim().slice(0, 300)}` };
  }
  return { seconds };
}

/** Whether the Containerfile declares `ARG SOURCE_DATE_EPOCH` (else passing it only earns a "not consumed" warning). */
export function declaresSourceDateEpoch(containerfile: string): boolean {
  return /^\s*ARG\s+SOURCE_DATE_EPOCH\b/im.test(containerfile);
}
