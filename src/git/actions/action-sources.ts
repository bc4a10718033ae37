// Where remote actions and reusable workflows come from (issue 12, "What to build" 1): the
// configured sources, tried in order, each asked with the real git client. `instance` is
// this installation's own git storage (mirrors made by `slipway actions mirror`, then its
// projects under the owner `actions.projectsOwner`); a URL source is another git host
// (https://github.com by default) reached with `git ls-remote` / `git fetch`. A ref (tag,
// branch or full SHA) resolves to a commit, whose tree is unpacked once into the cache by
// SHA: written to a temp dir and renamed, so two resolutions of one commit never clash.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { SlipwayError } from '../../core/errors.ts';
import { renameUnlessThere } from '../../core/atomic-write.ts';
import { run } from '../../exec/run.ts';
import { gitConfigEnv, httpOnly } from '../config-env.ts';
import { gitEnv, runGit } from '../git-exec.ts';
import { isBareRepo } from '../repo-admin.ts';
import { isFullSha, repoAtRef, type ActionRef } from './action-ref.ts';
import { ActionArchives } from './action-archive.ts';
import { pruneUnused, shaNamed, touchUsed, type PruneOptions } from './action-cache-prune.ts';

/** `instance`, or a git host whose repositories are `<url>/<owner>/<repo>` (or a URL with `{owner}`/`{repo}`). */
export type ActionSourceConfig = { name: 'instance' } | { name: string; url: string };

export interface ResolvedAction {
  /** The source that had it (`instance`, `github`, …). */
  source: string;
  sha: string;
  /** The commit's whole tree, unpacked in the cache (read-only for everyone: copy it, don't change it). */
  tree: string;
  /** Whether the tree was already in the cache. */
  cached: boolean;
}

export interface ActionSourcesOptions {
  sources: readonly ActionSourceConfig[];
  /** DATA/actions: `mirrors/<owner>/<repo>.git` and `cache/<sha>`. */
  dir: string;
  /** The owner name that stands for this instance's projects: `uses: <projectsOwner>/<project>@ref`. */
  projectsOwner: string;
  /** The bare repository of a project of this instance, or undefined when there is none. */
  projectRepo?: (project: string) => string | undefined;
  /** How long one git command against a URL source may take. */
  timeoutMs: number;
  /** The most a tree may hold to be sent to a runner over HTTP (archives); default 256 MiB. */
  maxTreeBytes?: number;
}

/** Who asks: decides whether a project of this instance may be read (mirrors are for everyone). */
export interface ResolveAccess {
  mayRead(project: string): Promise<boolean>;
  /** Who is asking, for the refusal (`alice`, `the pusher alice`). */
  who: string;
}

/** Every project is readable: `slipway run` on a developer's machine, tests. */
export const readAnything: ResolveAccess = { mayRead: () => Promise.resolve(true), who: 'you' };

/** What one source said about the ref: found, or why not (`miss`: it does not have the repository). */
type Found = FoundCommit | { miss: string } | { fail: string };
/** `mustFetch`: only a fetch proves the repository has the commit (a pinned SHA not seen there before). */
type FoundCommit = { sha: string; gitDir?: string; url?: string; fetchRef?: string; mustFetch?: true };

export class ActionSources {
  readonly #o: ActionSourcesOptions;
  /** Resolved trees packed for remote runners (archives/<sha>.tar.gz). */
  readonly archives: ActionArchives;

  constructor(options: ActionSourcesOptions) {
    this.#o = options;
    this.archives = new ActionArchives({ dir: options.dir, maxTreeBytes: options.maxTreeBytes ?? 256 * 1024 * 1024 });
  }

  /** The bare repository `slipway actions mirror owner/repo` keeps (names as GitHub: case-insensitive). */
  mirrorPath(owner: string, repo: string): string {
    return join(this.#o.dir, 'mirrors', owner.toLowerCase(), `${repo.toLowerCase()}.git`);
  }

  /**
   * Removes trees and archives unused for `o.maxAgeMs`, except those of `o.inUse` (the
   * SHAs recorded by runs not finished); answers the SHAs whose tree or archive went.
   */
  async prune(o: PruneOptions): Promise<string[]> {
    const trees = await pruneUnused(join(this.#o.dir, 'cache'), shaNamed, o);
    const archives = await pruneUnused(join(this.#o.dir, 'archives'), (name) => shaNamed(name.replace(/\.tar\.gz$/, '')), o);
    return [...new Set([...trees, ...archives])];
  }

  /** The cached tree of `sha`, if some resolution unpacked it already. */
  cachedTree(sha: string): string | undefined {
    const tree = this.#treePath(sha);
    return existsSync(tree) ? tree : undefined;
  }

  /**
   * Resolves `ref` through the sources in order and unpacks its tree into the cache. Throws
   * ACTION_UNRESOLVED saying what each source answered.
   */
  async resolve(ref: ActionRef, access: ResolveAccess = readAnything): Promise<ResolvedAction> {
    const reasons: string[] = [];
    for (const source of this.#o.sources) {
      const found = 'url' in source ? await this.#fromUrl(source, ref) : await this.#fromInstance(ref, access);
      if ('sha' in found) {
        // Marked used (action-cache-prune.ts); one pruned in the meantime is unpacked again.
        const cached = !found.mustFetch && (await touchUsed(this.#treePath(found.sha))) ? this.#treePath(found.sha) : undefined;
        const tree = cached ?? (await this.#unpack(found));
        if (found.url) await this.#remember(source.name, ref, found.sha);
        return { source: source.name, sha: found.sha, tree, cached: cached !== undefined };
      }
      reasons.push('miss' in found ? found.miss : found.fail);
      // A source that has the repository but refuses or lacks the ref ends the search: a later
      // source must not answer for a repository the first one owns (no shadowing by order).
      if ('fail' in found) break;
    }
    const missedEverywhere = reasons.length === this.#o.sources.length && reasons.length > 0;
    // What to do about it, where no source had the repository at all (an offline installation).
    const hint = missedEverywhere ? `; to use it here, mirror it into this instance: slipway actions mirror ${ref.owner}/${ref.repo} --from <git URL or path>` : '';
    throw new SlipwayError('ACTION_UNRESOLVED', `action ${repoAtRef(ref)}: ${reasons.join('; ') || 'no action sources configured (actions.sources)'}${hint}`);
  }

  async #fromInstance(ref: ActionRef, access: ResolveAccess): Promise<Found> {
    const mirror = this.mirrorPath(ref.owner, ref.repo);
    if (isBareRepo(mirror)) return this.#inGitDir(mirror, ref, `source 'instance' mirror ${ref.owner}/${ref.repo}`);
    const project = ref.owner.toLowerCase() === this.#o.projectsOwner ? ref.repo.toLowerCase() : undefined;
    const repo = project === undefined ? undefined : this.#o.projectRepo?.(project);
    if (!project || !repo) {
      const which = project ? `no project ${project}` : `projects are \`${this.#o.projectsOwner}/<project>\``;
      return { miss: `not found in source 'instance' (no mirror ${ref.owner}/${ref.repo}; ${which})` };
    }
    // Unreadable looks like a refusal, never like a miss: the next source must not be asked instead.
    if (!(await access.mayRead(project))) return { fail: `source 'instance' project ${project}: ${access.who} may not read it (missing permission git.read)` };
    return this.#inGitDir(repo, ref, `source 'instance' project ${project}`);
  }

  async #inGitDir(gitDir: string, ref: ActionRef, what: string): Promise<Found> {
    const candidates = isFullSha(ref.ref) ? [ref.ref] : [`refs/tags/${ref.ref}`, `refs/heads/${ref.ref}`];
    for (const name of candidates) {
      const r = await runGit(gitDir, ['rev-parse', '--verify', '--quiet', `${name}^{commit}`]);
      if (r.code === 0) return { sha: r.stdout.toString().trim(), gitDir };
    }
    return { fail: `${what} has no ${isFullSha(ref.ref) ? 'commit' : 'tag or branch'} ${ref.ref}` };
  }

  async #fromUrl(source: { name: string; url: string }, ref: ActionRef): Promise<Found> {
    const url = repoUrl(source.url, ref);
    const what = `source '${source.name}' ${url}`;
    if (isFullSha(ref.ref)) {
      // A pinned commit this source gave for this repository before needs no network. Only
      // then: the cache is shared by SHA, and another project's cached tree must not be had
      // by naming its SHA under any repository.
      if (this.cachedTree(ref.ref) && existsSync(this.#knownPath(source.name, ref, ref.ref))) return { sha: ref.ref, url };
      return { sha: ref.ref, url, fetchRef: ref.ref, mustFetch: true };
    }
    const listed = await this.#git(['ls-remote', '--', url]);
    if (listed.exitCode !== 0) {
      const why = listed.timedOut ? `timed out after ${this.#o.timeoutMs / 1000} s` : lastLine(listed.stderr);
      // A host that answers "not found" does not have the repository; anything else is unreachable.
      if (/not found|does not exist|404/i.test(listed.stderr)) return { miss: `not found in ${what}` };
      return { miss: `${what} unreachable: ${why}` };
    }
    const refs = new Map(listed.stdout.split('\n').filter(Boolean).map((l) => { const [sha, name] = l.split('\t'); return [name!, sha!] as const; }));
    for (const name of [`refs/tags/${ref.ref}`, `refs/heads/${ref.ref}`]) {
      const sha = refs.get(`${name}^{}`) ?? refs.get(name);
      if (sha) return { sha, url, fetchRef: name };
    }
    return { fail: `${what} has no tag or branch ${ref.ref}` };
  }

  /** Unpacks the found commit's tree into cache/<sha> through a temp dir and a rename. */
  async #unpack(found: FoundCommit): Promise<string> {
    const cache = join(this.#o.dir, 'cache');
    await mkdir(cache, { recursive: true });
    const work = await mkdtemp(join(cache, '.tmp-'));
    try {
      let gitDir = found.gitDir;
      if (!gitDir) {
        gitDir = join(work, 'repo.git');
        await checked(run(['git', 'init', '--quiet', '--bare', gitDir], { env: gitEnv() }), 'git init');
        const fetched = await this.#git(['--git-dir', gitDir, 'fetch', '--quiet', '--depth=1', '--no-tags', '--', found.url!, found.fetchRef!]);
        if (fetched.exitCode !== 0) throw new SlipwayError('ACTION_UNRESOLVED', `git fetch ${found.url} ${found.fetchRef} failed: ${lastLine(fetched.stderr)}`);
        const got = await runGit(gitDir, ['rev-parse', '--verify', 'FETCH_HEAD^{commit}']);
        if (got.code !== 0 || got.stdout.toString().trim() !== found.sha) throw new SlipwayError('ACTION_UNRESOLVED', `${found.url} ${found.fetchRef}: fetched ${got.stdout.toString().trim() || 'nothing'}, expected ${found.sha}`);
      }
      const tar = join(work, 'tree.tar');
      const tree = join(work, 'tree');
      await mkdir(tree);
      await checked(run(['git', `--git-dir=${gitDir}`, 'archive', `--output=${tar}`, found.sha], { env: gitEnv() }), 'git archive');
      await checked(run(['tar', '-xf', tar, '-C', tree]), 'tar -x');
      const final = this.#treePath(found.sha);
      // Another resolution of the same commit may get there first: its tree is the same one.
      await renameUnlessThere(tree, final);
      return final;
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  /** Marks that `source` served `sha` for `ref`'s repository (known/<source>/<owner>/<repo>/<sha>). */
  async #remember(source: string, ref: ActionRef, sha: string): Promise<void> {
    const path = this.#knownPath(source, ref, sha);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, '');
  }

  #knownPath(source: string, ref: ActionRef, sha: string): string {
    return join(this.#o.dir, 'known', source, ref.owner.toLowerCase(), ref.repo.toLowerCase(), this.#treePath(sha).slice(-sha.length));
  }

  #treePath(sha: string): string {
    if (!/^[0-9a-f]{40,64}$/.test(sha)) throw new SlipwayError('INTERNAL', `not a commit SHA: ${sha}`);
    return join(this.#o.dir, 'cache', sha);
  }

  /** git against a URL source: http(s) only, no prompt, bounded in time and in a stalled transfer. */
  #git(args: string[]) {
    const settings = { ...httpOnly, 'http.lowSpeedLimit': '1000', 'http.lowSpeedTime': String(Math.ceil(this.#o.timeoutMs / 1000)) };
    return run(['git', ...args], { env: gitEnv(gitConfigEnv(settings)), timeoutMs: this.#o.timeoutMs });
  }
}

/** `<url>/<owner>/<repo>`, or the URL with `{owner}` and `{repo}` filled in. */
export function repoUrl(base: string, ref: ActionRef): string {
  if (base.includes('{owner}') || base.includes('{repo}')) return base.replaceAll('{owner}', ref.owner).replaceAll('{repo}', ref.repo);
  return `${base.replace(/\/$/, '')}/${ref.owner}/${ref.repo}`;
}

const lastLine = (text: string): string => text.trim().split('\n').at(-1)?.replace(/^fatal: /, '') ?? '';

async function checked(result: Promise<{ exitCode: number; stderr: string }>, what: string): Promise<void> {
  const r = await result;
  if (r.exitCode !== 0) throw new SlipwayError('ACTION_UNRESOLVED', `${what} failed: ${lastLine(r.stderr)}`);
}
