// Creating bare repositories and inspecting their refs after a push.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeAtomically } from '../core/atomic-write.ts';
import { gitOrThrow, runGit } from './git-exec.ts';

/** A bare repository exists once its HEAD file does (creation renames a finished repo into place). */
export function isBareRepo(path: string): boolean {
  return existsSync(join(path, 'HEAD'));
}

/**
 * Create a bare repository at `root/<dirName>` unless one is there. It is initialised in a
 * temporary directory and renamed into place, so a concurrent creator or reader never sees
 * half a repository.
 */
export async function initBareRepo(root: string, dirName: string): Promise<string> {
  const target = join(root, dirName);
  if (isBareRepo(target)) return target;
  try {
    // The temp directory's name starts with a dot: project names cannot, so it never collides with a project.
    await writeAtomically(target, root, async (tmp) => {
      await mkdir(tmp);
      await gitOrThrow(tmp, ['init', '--bare', '--quiet', '--initial-branch=main']);
      // Force pushes are decided per branch by Slipway's pre-receive hook (branch-protection.ts).
      await gitOrThrow(tmp, ['config', 'receive.denyNonFastForwards', 'false']);
    });
  } catch (err) {
    if (isBareRepo(target)) return target; // Lost a creation race; the winner's repo is fine.
    throw err;
  }
  return target;
}

/** Every branch and tag (`refs/heads/*`, `refs/tags/*`) with its value. */
export async function readAllRefs(repo: string): Promise<Map<string, string>> {
  return parseRefList(await gitOrThrow(repo, ['for-each-ref', '--format=%(objectname) %(refname)', 'refs/heads/', 'refs/tags/']), () => true);
}

function parseRefList(out: Buffer, keep: (name: string) => boolean): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of out.toString('utf8').split('\n')) {
    const space = line.indexOf(' ');
    if (space < 0) continue;
    const name = line.slice(space + 1);
    if (keep(name)) values.set(name, line.slice(0, space));
  }
  return values;
}

/** Current values of the given full ref names; absent refs are missing from the map. */
export async function readRefs(repo: string, refs: readonly string[]): Promise<Map<string, string>> {
  if (refs.length === 0) return new Map();
  // for-each-ref takes names literally (or as prefixes up to a slash), never as revision syntax.
  const out = await gitOrThrow(repo, ['for-each-ref', '--format=%(objectname) %(refname)', '--', ...refs]);
  const wanted = new Set(refs);
  return parseRefList(out, (name) => wanted.has(name));
}

/**
 * After the first push into an empty repository HEAD may name a branch that was not pushed
 * (the repo starts on `main`; the user may push only `master` or `trunk`). Point it at a branch
 * that exists, preferring main then master, so clones check something out.
 */
export async function fixUnbornHead(repo: string): Promise<void> {
  const head = (await runGit(repo, ['symbolic-ref', '-q', 'HEAD'])).stdout.toString('utf8').trim();
  if (head && (await runGit(repo, ['show-ref', '--verify', '-q', head])).code === 0) return;
  const out = await gitOrThrow(repo, ['for-each-ref', '--format=%(refname)', 'refs/heads/']);
  const branches = out.toString('utf8').split('\n').filter(Boolean);
  const pick = ['refs/heads/main', 'refs/heads/master'].find((b) => branches.includes(b)) ?? branches[0];
  if (pick) await gitOrThrow(repo, ['symbolic-ref', 'HEAD', pick]);
}

/** The branch HEAD points at (born or not); `main` when HEAD is detached. */
export async function defaultBranchOf(repo: string): Promise<string> {
  const head = (await runGit(repo, ['symbolic-ref', '-q', 'HEAD'])).stdout.toString('utf8').trim();
  return head.startsWith('refs/heads/') ? head.slice('refs/heads/'.length) : 'main';
}
