// The unprivileged users host jobs run as: one per job running at once (`slipway-job-1`,
// `slipway-job-2`, …), made with `useradd --system` the first time a slot is needed. One
// user per running job, rather than one for all, is what lets a job's end kill every
// process it left (all processes of its uid, however they detached) without touching
// another job's, and keeps two jobs' workspaces apart (each 0700, owned by its own user).
// A slot is held through a lock file naming the holder's pid, so two Slipway processes on
// one host never hand out the same user.
import { Serial } from '../../../core/serial.ts';
import { mkdir, open, readFile, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SlipwayError } from '../../../core/errors.ts';
import { run } from '../../../exec/run.ts';
import { signalProcess } from '../../../exec/kill.ts';

export interface JobUser {
  name: string;
  uid: number;
  gid: number;
}

interface JobUsersOptions {
  /** User names are `<prefix>-<n>`. Default `slipway-job`. */
  prefix?: string;
  /** Where slot lock files live. Default `<tmpdir>/slipway-job-users`. */
  lockDir?: string;
  /** The most slots tried before giving up. Default 64 (runner.concurrency's maximum). */
  maxSlots?: number;
}

export class JobUsers {
  readonly #prefix: string;
  readonly #lockDir: string;
  readonly #maxSlots: number;
  /** Serialises acquire(): two jobs starting at once must not both run useradd for one name. */
  readonly #queue = new Serial();

  constructor(options: JobUsersOptions = {}) {
    this.#prefix = options.prefix ?? 'slipway-job';
    this.#lockDir = options.lockDir ?? join(tmpdir(), 'slipway-job-users');
    this.#maxSlots = options.maxSlots ?? 64;
  }

  /** A free user, created if it does not exist yet; held until `release`. */
  acquire(): Promise<JobUser> {
    return this.#queue.run(() => this.#acquire());
  }

  async release(user: JobUser): Promise<void> {
    await unlink(this.#lockFile(user.name)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }

  async #acquire(): Promise<JobUser> {
    if (process.getuid?.() !== 0) {
      throw new SlipwayError('CONFIG_INVALID', 'runner.host: the host executor runs each job as an unprivileged user of its own, which needs Slipway to run as root');
    }
    await mkdir(this.#lockDir, { recursive: true, mode: 0o700 });
    for (let slot = 1; slot <= this.#maxSlots; slot++) {
      const name = `${this.#prefix}-${slot}`;
      if (!(await this.#lock(name))) continue;
      try {
        return (await lookUp(name)) ?? (await create(name));
      } catch (err) {
        await this.release({ name, uid: -1, gid: -1 });
        throw err;
      }
    }
    throw new SlipwayError('EXEC_FAILED', `all ${this.#maxSlots} host job users are busy`);
  }

  /** Takes the slot's lock file; a lock whose holder is gone (a crash) is taken over. */
  async #lock(name: string): Promise<boolean> {
    const file = this.#lockFile(name);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const handle = await open(file, 'wx', 0o600);
        await handle.writeFile(`${process.pid}\n`);
        await handle.close();
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const holder = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      if (holder > 0 && signalProcess(holder, 0)) return false;
      await unlink(file).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
    }
    return false;
  }

  #lockFile(name: string): string {
    return join(this.#lockDir, `${name}.lock`);
  }
}

async function lookUp(name: string): Promise<JobUser | undefined> {
  const result = await run(['getent', 'passwd', name]);
  if (result.exitCode === 2) return undefined; // getent(1): "key could not be found"
  if (result.exitCode !== 0) throw new SlipwayError('EXEC_FAILED', `getent passwd ${name} exited with ${result.exitCode}: ${result.output.trim()}`);
  const [, , uid, gid] = result.stdout.trim().split(':');
  return { name, uid: Number(uid), gid: Number(gid) };
}

async function create(name: string): Promise<JobUser> {
  // No home (each job gets a fresh one), no login shell, its own group, no subordinate ids.
  const result = await run(['useradd', '--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', name]);
  // 9: the name exists (another process made it meanwhile); anything else is a failure.
  if (result.exitCode !== 0 && result.exitCode !== 9) {
    throw new SlipwayError('EXEC_FAILED', `useradd ${name} exited with ${result.exitCode}: ${result.output.trim()}`);
  }
  const user = await lookUp(name);
  if (!user) throw new SlipwayError('EXEC_FAILED', `useradd ${name} succeeded but the user cannot be found`);
  return user;
}
