// What turns the shell executor into one an admin may enable on a server (runner.host):
// every step runs as the job's own unprivileged user (job-users.ts), through `setpriv`
// with no supplementary groups and no_new_privs (so no setuid binary such as sudo raises
// it again), in a clean environment that never contains the server's, with a workspace and
// a HOME it owns; at the job's end every process of that user is ended and what it left in
// the shared temp directories is removed.
import { chmod, chown, lstat, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SlipwayError } from '../../../core/errors.ts';
import { run } from '../../../exec/run.ts';
import type { JobSetup } from '../../executor.ts';
import type { JobUser, JobUsers } from './job-users.ts';
import { endProcessesOf } from './user-processes.ts';

/** The PATH of a step, below what $GITHUB_PATH and the workflow's `env` add. */
const cleanPath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Where a job's processes may leave files that outlive it. */
const sharedTemp = ['/tmp', '/var/tmp', '/dev/shm'];

export class HostIsolation {
  readonly #users: JobUsers;
  readonly #killGraceMs: number;
  #user: JobUser | undefined;
  #home: string | undefined;
  #workspace: string | undefined;
  readonly #tempRoot: string;

  /** `tempRoot`: where job users' homes are made (runner/job-leftovers.ts); default os.tmpdir(). */
  constructor(users: JobUsers, options: { killGraceMs?: number; tempRoot?: string } = {}) {
    this.#users = users;
    this.#killGraceMs = options.killGraceMs ?? 2000;
    this.#tempRoot = options.tempRoot ?? tmpdir();
  }

  get user(): JobUser | undefined {
    return this.#user;
  }

  /**
   * Takes a user and hands it the job's directories: the workspace (owned, 0700); the
   * file-command and temp directories (`job.volumes`) stay root's but writable by the
   * user's group, sticky, so a step can write $GITHUB_ENV but cannot swap it for a symlink
   * the runner, reading it as root, would follow; the scripts readable, not writable.
   */
  async prepare(job: JobSetup, scriptDir: string): Promise<void> {
    const user = await this.#users.acquire();
    this.#user = user;
    // Anything an earlier holder of this user left running (a crash) ends now.
    await endProcessesOf(user.uid, 0);
    this.#workspace = job.workspace;
    await chown(job.workspace, user.uid, user.gid);
    await chmod(job.workspace, 0o700);
    await this.reclaim();
    for (const volume of job.volumes) {
      const dir = volume.slice(0, volume.indexOf(':'));
      await chown(dir, 0, user.gid);
      await chmod(dir, 0o1770);
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        if (!entry.isFile()) continue;
        await chown(join(dir, entry.name), 0, user.gid);
        await chmod(join(dir, entry.name), 0o660);
      }
    }
    await chown(scriptDir, 0, user.gid);
    await chmod(scriptDir, 0o750);
    this.#home = await mkdtemp(join(this.#tempRoot, `${user.name}-home-`));
    await chown(this.#home, user.uid, user.gid);
  }

  /**
   * Gives the user what the runner itself wrote into the workspace since (built-in actions
   * run as root: a checkout with `path`, a restored cache, a downloaded artifact). Only
   * root's files change hands, and GNU chown -R -P walks with openat and never follows a
   * symlink, so a link a step planted cannot point it elsewhere.
   */
  async reclaim(): Promise<void> {
    const user = this.#need();
    if (!this.#workspace) return;
    const result = await run(['chown', '-R', '-P', '--from=0', `${user.uid}:${user.gid}`, this.#workspace]);
    if (result.exitCode !== 0) throw new SlipwayError('EXEC_FAILED', `could not hand the workspace to ${user.name}: ${result.output.trim()}`);
  }

  /** The argv that runs `argv` as the job's user. */
  argv(argv: string[]): string[] {
    const user = this.#need();
    return ['setpriv', `--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', '--no-new-privs', '--', ...argv];
  }

  /**
   * The step's whole environment: a fixed base and the step's own variables (GITHUB_*,
   * RUNNER_*, the workflow's `env`). The runner prefixes $GITHUB_PATH entries to its own
   * PATH; that part is replaced by the clean one.
   */
  env(stepEnv: Record<string, string>, serverPath = process.env.PATH ?? ''): NodeJS.ProcessEnv {
    const user = this.#need();
    const env: NodeJS.ProcessEnv = {
      PATH: cleanPath,
      HOME: this.#home,
      USER: user.name,
      LOGNAME: user.name,
      SHELL: '/bin/sh',
      LANG: 'C.UTF-8',
      TMPDIR: stepEnv.RUNNER_TEMP ?? this.#home,
      ...stepEnv,
    };
    const path = stepEnv.PATH;
    if (path !== undefined && serverPath !== '' && path.endsWith(`:${serverPath}`)) env.PATH = `${path.slice(0, -serverPath.length)}${cleanPath}`;
    return env;
  }

  /** Ends every process of the user, removes what it left in shared temp dirs, frees it. */
  async release(): Promise<void> {
    const user = this.#user;
    if (!user) return;
    await endProcessesOf(user.uid, this.#killGraceMs);
    // The workspace is the runner's to remove (and may sit in /tmp itself).
    for (const dir of sharedTemp) await removeOwnedBy(dir, user.uid, this.#workspace);
    if (this.#home) await rm(this.#home, { recursive: true, force: true });
    this.#home = undefined;
    this.#workspace = undefined;
    this.#user = undefined;
    await this.#users.release(user);
  }

  #need(): JobUser {
    if (!this.#user) throw new SlipwayError('INTERNAL', 'HostIsolation used before prepare()');
    return this.#user;
  }
}

/** Top-level entries of `dir` owned by `uid`, but `keep`; rm never follows a symlink it removes. */
async function removeOwnedBy(dir: string, uid: number, keep: string | undefined): Promise<void> {
  for (const name of await readdir(dir).catch(ifMissing([]))) {
    const path = join(dir, name);
    if (path === keep) continue;
    const stat = await lstat(path).catch(ifMissing(undefined));
    if (stat?.uid === uid) await rm(path, { recursive: true, force: true });
  }
}

/** A catch handler for what may be gone (a temp dir this host lacks, an entry removed meanwhile). */
function ifMissing<T>(value: T): (err: NodeJS.ErrnoException) => T {
  return (err) => {
    if (err.code === 'ENOENT') return value;
    throw err;
  };
}
