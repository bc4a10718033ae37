// One deployment at a time per environment, across every process on the database. The
// lock is a row (store/repos/environment-locks.ts) with a lease: the holder renews it
// while deploying; a holder that died stops renewing, and once the lease has expired the
// next deployment takes the lock over. Losing the lock mid-deploy aborts the deploy.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Store } from '../../store/store.ts';
import type { EnvironmentLock } from '../../store/repos/environment-locks.ts';
import { SlipwayError } from '../../core/errors.ts';

export interface LockTiming {
  /** How long a lease lasts without renewal. */
  leaseMs: number;
  /** How often a waiting deployment asks again. */
  pollMs: number;
}

export const defaultLockTiming: LockTiming = { leaseMs: 30_000, pollMs: 500 };

/** `<hostname>:<pid>:<random>`: names the process, and tells its incarnations apart. */
export function newHolderId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

interface HeldLock {
  /** Aborted if the lease could not be renewed (another holder took over). */
  signal: AbortSignal;
  release(): Promise<void>;
}

interface AcquireRequest {
  projectId: string;
  environment: string;
  deploymentId: string;
  holder: string;
  timing: LockTiming;
  /** Called once, with the current holder, when the lock is busy. */
  onWait: (current: EnvironmentLock) => void;
  /** Aborting stops waiting (the server is stopping). */
  signal: AbortSignal;
}

export async function acquireEnvironmentLock(store: Store, r: AcquireRequest): Promise<HeldLock> {
  const locks = store.environmentLocks;
  const request = { projectId: r.projectId, environment: r.environment, holder: r.holder, deploymentId: r.deploymentId, leaseMs: r.timing.leaseMs };
  let told = false;
  while (!(await locks.acquire(request))) {
    const current = await locks.get(r.projectId, r.environment);
    if (current && !told) {
      told = true;
      r.onWait(current);
    }
    if (r.signal.aborted) throw new SlipwayError('CONFLICT', 'stopped while waiting for the environment lock');
    await new Promise((resolve) => setTimeout(resolve, r.timing.pollMs));
  }
  const lost = new AbortController();
  const renew = setInterval(() => {
    void locks.renew(r.projectId, r.environment, r.holder, r.timing.leaseMs).then(
      (held) => {
        if (!held) lost.abort(new SlipwayError('CONFLICT', `lost the lock on ${r.environment}: its lease expired and another deployment took it`));
      },
      () => {}, // a failed renewal is retried at the next tick; the lease outlasts several
    );
  }, Math.max(50, Math.floor(r.timing.leaseMs / 3)));
  return {
    signal: lost.signal,
    async release() {
      clearInterval(renew);
      await locks.release(r.projectId, r.environment, r.holder);
    },
  };
}

/**
 * Locks left by a dead process on this host (its pid is gone) are released at start;
 * locks of other hosts are taken over when their lease ends.
 */
export async function releaseDeadLocks(store: Store): Promise<EnvironmentLock[]> {
  const released: EnvironmentLock[] = [];
  for (const lock of await store.environmentLocks.all()) {
    const [host, pid] = lock.holder.split(':');
    if (host !== hostname() || !pid || isAlive(Number(pid))) continue;
    await store.environmentLocks.release(lock.project_id, lock.environment, lock.holder);
    released.push(lock);
  }
  return released;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
