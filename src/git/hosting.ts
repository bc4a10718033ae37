// Git hosting: bare repositories under one root, served over Smart HTTP by the real git, with
// every applied ref update announced as a PushEvent.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { SlipwayError } from '../core/errors.ts';
import { isValidName } from '../core/ids.ts';
import type { PushEvent } from '../core/types.ts';
import type { User } from '../store/repos/users.ts';
import { runHttpBackend } from './http-backend.ts';
import type { PushCommand } from './push-commands.ts';
import { readCommandList } from './command-list.ts';
import { mirrorRef, type MirrorSource } from './mirror-fetch.ts';
import { SidebandTail } from './sideband-tail.ts';
import { BranchProtection, type BranchProtectionOptions } from './branch-protection.ts';
import { policyEnv, pushPolicy, type PushPolicy } from './push-policy.ts';
import { writeHooksDir } from './hooks-dir.ts';
import { defaultBranchOf, fixUnbornHead, initBareRepo, isBareRepo, readAllRefs, readRefs } from './repo-admin.ts';
import { commitAt, pushCommits, type PushedCommit } from './push-commits.ts';
import {
  changedFilesBetween,
  commitInfoAt,
  isAncestorAt,
  isZeroSha,
  listFilesAt,
  readFileAt,
  type CommitInfo,
} from './repo-read.ts';

export interface GitHostingOptions {
  /** Where a failing push listener is reported (the others still hear the push). */
  log: (message: string) => void;
  /** Directory holding `<project>.git` bare repositories. */
  root: string;
  /** Protected branches; without it no branch is protected (tests of other parts, `slipway run`). */
  protection?: BranchProtectionOptions;
}

// A leading dot: project names cannot start with one, so these never collide with a project.
const emptyTemplate = '.empty';
const hooksDirName = '.hooks';

/** Awaited before the push is acknowledged: a listener that records the event makes it durable. */
type PushListener = (event: PushEvent) => void | Promise<void>;

/** After the listeners: lines for the pusher (`remote: …`) about what the push's events started. */
type PushFeedback = (events: PushEvent[]) => Promise<string[]>;

export class GitHosting {
  readonly #root: string;
  readonly #log: (message: string) => void;
  readonly #listeners: PushListener[] = [];
  #feedback: PushFeedback | undefined;
  readonly #creating = new Map<string, Promise<string>>();
  #hooksDir: Promise<string> | undefined;
  /** The project's branch rules, for the API; undefined when hosting was made without protection. */
  readonly branches: BranchProtection | undefined;

  constructor(options: GitHostingOptions) {
    this.#root = options.root;
    this.#log = options.log;
    this.branches = options.protection && new BranchProtection(options.protection, (p) => this.defaultBranch(p));
  }

  /**
   * Serve Smart HTTP for `/git/<project>.git<subpath>` for an already authenticated user.
   * Rejects before writing anything with INVALID_NAME (project), BAD_REQUEST (subpath) or
   * PROJECT_UNKNOWN (no such repo, and this is not a push that may create it); the caller turns
   * those into responses. Otherwise it writes the whole response itself, and resolves after the
   * push's listeners ran and the response ended.
   */
  async handle(
    req: IncomingMessage,
    res: ServerResponse,
    project: string,
    subpath: string,
    /** Undefined for an anonymous read (of a public project: the front door decided). */
    user: User | undefined,
    options: { allowCreate: boolean },
  ): Promise<void> {
    const repo = this.repoPath(project);
    if (subpath !== '' && (!subpath.startsWith('/') || subpath.includes('\0') || subpath.split('/').includes('..'))) {
      throw new SlipwayError('BAD_REQUEST', `invalid git path ${JSON.stringify(subpath)}`);
    }
    const url = req.url ?? '';
    const query = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
    const pushing =
      subpath === '/git-receive-pack' ||
      (subpath === '/info/refs' && new URLSearchParams(query).get('service') === 'git-receive-pack');
    let served = project;
    if (!isBareRepo(repo)) {
      if (!pushing || !options.allowCreate) throw new SlipwayError('PROJECT_UNKNOWN', `project ${project} not found`);
      // Only the push itself (the POST) creates the repository. Its first request, the ref
      // advertisement, is answered from an empty template, so a read creates nothing.
      if (req.method === 'POST') await this.ensureRepo(project);
      else served = await this.#emptyTemplate();
    }

    // A push's commands are read before git starts, so its protection policy goes into
    // git's environment: the pre-receive hook enforces it before any ref changes.
    // Failures up to here (reading roles or rules) reach the caller before anything is written.
    const head = req.method === 'POST' && subpath === '/git-receive-pack' ? await readCommandList(req) : undefined;
    const env = head && policyEnv(await this.#policy(user, project, head.commands));
    const hooksDir = await this.#hooks();
    const tail = head && this.#feedback ? new SidebandTail() : undefined;
    try {
      await runHttpBackend(req, res, {
        root: this.#root,
        pathInfo: `/${served}.git${subpath}`,
        query,
        remoteUser: user?.name ?? 'anonymous',
        hooksDir,
        env,
        bodyHead: head?.chunks,
        killOnDisconnect: !pushing,
        transformBody: tail && ((chunk) => tail.push(chunk)),
      });
      const events = head && user ? await this.#announce(project, repo, user.name, head.commands) : [];
      if (tail && events.length > 0) res.write(tail.finish(await this.#tell(events)));
    } finally {
      // The held flush-pkt ends git's answer whatever happened above.
      if (tail && !res.destroyed) res.write(tail.finish([]));
      res.end();
    }
  }

  /** Without protection the hook still checks that git applies only the refs read here. */
  #policy(user: User | undefined, project: string, commands: PushCommand[]): Promise<PushPolicy> {
    // The front door lets no anonymous caller push; refuse here too rather than trust it.
    if (!user) throw new SlipwayError('UNAUTHORIZED', `pushing to project ${project} needs a signed-in user`);
    if (this.branches) return this.branches.policy(user, project, commands);
    return Promise.resolve(pushPolicy({ project, role: undefined, rules: [], commands, matches: () => false }));
  }

  /** Slipway's hooks dir, written once per process (hooks-dir.ts). */
  #hooks(): Promise<string> {
    this.#hooksDir ??= writeHooksDir(join(this.#root, hooksDirName));
    return this.#hooksDir;
  }

  /** The branch HEAD names (`main` for a project with no repository yet, as a new one starts). */
  async defaultBranch(project: string): Promise<string> {
    const repo = this.repoPath(project);
    return isBareRepo(repo) ? defaultBranchOf(repo) : 'main';
  }

  /** Lines told to the pusher once a push's listeners ran (at most one provider). */
  onPushed(feedback: PushFeedback): void {
    this.#feedback = feedback;
  }

  async #tell(events: PushEvent[]): Promise<string[]> {
    try {
      return (await this.#feedback?.(events)) ?? [];
    } catch (err) {
      this.#log(`push feedback failed: ${(err as Error).stack ?? String(err)}`);
      return [];
    }
  }

  /** Called once per ref a push changed, after git applied it (never for rejected refs). */
  onPush(listener: PushListener): void {
    this.#listeners.push(listener);
  }

  /** Path of the project's bare repository, created (with its root) when missing. */
  async ensureRepo(project: string): Promise<string> {
    const path = this.repoPath(project);
    if (isBareRepo(path)) return path;
    let pending = this.#creating.get(project);
    if (!pending) {
      pending = initBareRepo(this.#root, `${project}.git`).finally(() => this.#creating.delete(project));
      this.#creating.set(project, pending);
    }
    return pending;
  }

  /** An empty bare repository whose advertisement stands in for a project's before its first push. */
  async #emptyTemplate(): Promise<string> {
    await initBareRepo(this.#root, `${emptyTemplate}.git`);
    return emptyTemplate;
  }

  /**
   * A ref fetched from the forge a project mirrors (src/triggers/forge): the caller records
   * the PushEvent itself, so no push listener hears it. Creates the repository on first use.
   */
  async mirror(project: string, source: MirrorSource, ref: string, sha: string): Promise<void> {
    await mirrorRef(await this.ensureRepo(project), source, ref, sha);
  }

  /** The projects that have a repository. */
  async projects(): Promise<string[]> {
    const entries = await readdir(this.#root).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [];
      throw err;
    });
    return entries.filter((e) => e.endsWith('.git')).map((e) => e.slice(0, -4)).filter((p) => isValidName(p) && isBareRepo(this.repoPath(p)));
  }

  /** Every branch and tag of a project's repository with its value. */
  async refs(project: string): Promise<Map<string, string>> {
    return readAllRefs(this.#existing(project));
  }

  exists(project: string): boolean {
    return isBareRepo(this.repoPath(project));
  }

  /** `<root>/<project>.git`; throws INVALID_NAME for names that are not safe as a path. */
  repoPath(project: string): string {
    if (!isValidName(project)) throw new SlipwayError('INVALID_NAME', `invalid project name ${JSON.stringify(project)}`);
    return join(this.#root, `${project}.git`);
  }

  async readFile(project: string, sha: string, path: string): Promise<string | undefined> {
    return readFileAt(this.#existing(project), sha, path);
  }

  async listFiles(project: string, sha: string, dir: string): Promise<string[]> {
    return listFilesAt(this.#existing(project), sha, dir);
  }

  async changedFiles(project: string, before: string, after: string): Promise<string[]> {
    return changedFilesBetween(this.#existing(project), before, after);
  }

  /** Whether commit `ancestor` is `descendant` or one of its ancestors in the project's repository. */
  async isAncestor(project: string, ancestor: string, descendant: string): Promise<boolean> {
    return isAncestorAt(this.#existing(project), ancestor, descendant);
  }

  /** The commits a push of `ref` from `before` to `after` brought, and the commit `after` (push-commits.ts). */
  async pushCommits(project: string, ref: string, before: string, after: string): Promise<{ commits: PushedCommit[]; head: PushedCommit | undefined }> {
    const repo = this.#existing(project);
    const commits = await pushCommits(repo, ref, before, after);
    return { commits, head: commits.at(-1)?.id === after ? commits.at(-1) : await commitAt(repo, after) };
  }

  async commitInfo(project: string, sha: string): Promise<CommitInfo> {
    return commitInfoAt(this.#existing(project), sha);
  }

  #existing(project: string): string {
    const path = this.repoPath(project);
    if (!isBareRepo(path)) throw new SlipwayError('PROJECT_UNKNOWN', `project ${project} not found`);
    return path;
  }

  /**
   * The request named the refs it wanted changed; receive-pack may have rejected some (stale old
   * value, failed fast-forward check, broken pack). Only refs whose value now is what the push
   * asked for are announced: `after`, or absent for a deletion.
   */
  async #announce(project: string, repo: string, user: string, commands: PushCommand[]): Promise<PushEvent[]> {
    const asked = commands.filter((c) => c.before !== c.after);
    if (asked.length === 0) return [];
    const now = await readRefs(repo, asked.map((c) => c.ref));
    const applied = asked.filter((c) => (isZeroSha(c.after) ? !now.has(c.ref) : now.get(c.ref) === c.after));
    if (applied.some((c) => isZeroSha(c.before) && c.ref.startsWith('refs/heads/'))) await fixUnbornHead(repo);
    const events: PushEvent[] = [];
    for (const c of applied) {
      const event: PushEvent = { project, ref: c.ref, before: c.before, after: c.after, pusher: user };
      events.push(event);
      for (const listener of this.#listeners) {
        try {
          await listener(event);
        } catch (err) {
          // One failing subscriber must not hide the push from the others.
          this.#log(`push listener failed for ${project} ${c.ref}: ${(err as Error).stack ?? String(err)}`);
        }
      }
    }
    return events;
  }
}
