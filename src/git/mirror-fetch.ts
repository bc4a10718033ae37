// Mirroring a ref from a forge into a hosted repository (issue 12 item 5): the real `git
// fetch` from the forge's clone URL, then the ref set to the commit the forge announced.
// Only http(s) is allowed (git's protocol.allow): a file:// or ssh:// URL would let whoever
// configures a project read any repository this server can reach on disk, other projects'
// included. A token travels as an HTTP header through git's environment, never in argv or URL.
import { run } from '../exec/run.ts';
import { ExecError } from '../exec/exec-error.ts';
import { gitConfigEnv, httpOnly } from './config-env.ts';
import { gitEnv, gitOrThrow, runGit } from './git-exec.ts';
import { fixUnbornHead } from './repo-admin.ts';
import { isZeroSha } from './repo-read.ts';
import { SlipwayError } from '../core/errors.ts';

export interface MirrorSource {
  /** An http(s) clone URL without credentials. */
  url: string;
  /** `Authorization` header value for a private repository, e.g. `Basic …`. */
  authorization?: string;
}

const fetchTimeoutMs = 5 * 60_000;

/** Why `url` cannot be mirrored from, or undefined when it can. */
export function mirrorUrlProblem(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `not a URL: ${JSON.stringify(url)}`;
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return `only http(s) clone URLs are mirrored, not ${u.protocol}`;
  if (u.username || u.password) return 'the URL carries credentials: give a token instead (it is stored encrypted)';
  return undefined;
}

/**
 * Sets `ref` in the bare repository `repo` to `sha` as fetched from `source` (`sha` all
 * zeros: deletes the ref). Throws BAD_REQUEST when the forge does not have the commit on that
 * ref, EXEC_FAILED (masked) when git cannot fetch.
 */
export async function mirrorRef(repo: string, source: MirrorSource, ref: string, sha: string): Promise<void> {
  const problem = mirrorUrlProblem(source.url);
  if (problem) throw new SlipwayError('BAD_REQUEST', problem);
  if (!/^refs\/(heads|tags)\/[^\s~^:?*[\\]+$/.test(ref) || ref.includes('..') || ref.includes('@{')) throw new SlipwayError('BAD_REQUEST', `ref ${JSON.stringify(ref)} is not a branch or tag`);
  if (isZeroSha(sha)) {
    await gitOrThrow(repo, ['update-ref', '-d', ref]);
    return;
  }
  const settings: Record<string, string> = { ...httpOnly };
  if (source.authorization) settings['http.extraHeader'] = `Authorization: ${source.authorization}`;
  const secret = source.authorization;
  // No destination: the objects arrive, no ref (which clients would see) holds them until update-ref.
  const args = ['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', '--', source.url, ref];
  const mask = (text: string) => (secret ? text.replaceAll(secret, '***') : text);
  const fetched = await run(['git', `--git-dir=${repo}`, ...args], { env: gitEnv(gitConfigEnv(settings)), timeoutMs: fetchTimeoutMs });
  if (fetched.exitCode !== 0) {
    // Named without --git-dir: a forge (an unauthenticated caller) reads this error, and the server's paths are none of its business.
    throw new ExecError({ ...fetched, command: ['git', ...args] }, { message: `git fetch ${source.url} ${ref} failed${fetched.timedOut ? ' (timed out)' : ''} (exit ${fetched.exitCode}): ${fetched.stderr.trim().slice(-500)}`, mask });
  }
  // The forge's ref may have moved on since the event; the event's commit must have come with it.
  const known = await runGit(repo, ['cat-file', '-e', `${sha}^{commit}`]);
  if (known.code !== 0) throw new SlipwayError('BAD_REQUEST', `the forge's ${ref} does not contain commit ${sha} (force-pushed away since the event?)`);
  await gitOrThrow(repo, ['update-ref', ref, sha]);
  if (ref.startsWith('refs/heads/')) await fixUnbornHead(repo);
}
