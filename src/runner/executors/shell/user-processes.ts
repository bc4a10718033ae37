// Ends every process of a host job's user. Its steps' process groups are not enough: a
// `setsid` or double-forked child leaves them, and once its parent exits it is reparented
// out of reach of a process-tree walk. Its uid it cannot leave (it has no privileges), so
// the uid is what finds it.
import { procPids, readProcFile } from '../../../exec/proc-fs.ts';
import { delay, signalProcess, type KillSignal } from '../../../exec/kill.ts';

/** Pids of live (not zombie) processes whose real or effective uid is `uid`. */
export async function processesOf(uid: number): Promise<number[]> {
  const pids: number[] = [];
  // No /proc (not Linux): there is no host executor there either.
  for (const pid of await procPids()) {
    // A process that exited since the listing has no status any more.
    const status = (await readProcFile(pid, 'status'))?.toString('utf8') ?? '';
    const state = /^State:\s+(\S)/m.exec(status)?.[1];
    const uids = /^Uid:\s+(\d+)\s+(\d+)/m.exec(status);
    if (!uids || state === 'Z') continue;
    if (Number(uids[1]) === uid || Number(uids[2]) === uid) pids.push(pid);
  }
  return pids;
}

function signalAll(pids: number[], signal: KillSignal): void {
  for (const pid of pids) signalProcess(pid, signal);
}

/**
 * SIGTERM to all of them, SIGKILL to what is left after `graceMs`, repeated until none is
 * left (a process may fork between one look and the next). Refuses uid 0.
 */
export async function endProcessesOf(uid: number, graceMs: number): Promise<void> {
  if (uid === 0) throw new Error('endProcessesOf: refusing to signal every process of root');
  signalAll(await processesOf(uid), 'SIGTERM');
  const deadline = Date.now() + graceMs;
  let left = await processesOf(uid);
  while (left.length > 0 && Date.now() < deadline) {
    await delay(20);
    left = await processesOf(uid);
  }
  for (let round = 0; left.length > 0; round++) {
    if (round === 100) throw new Error(`processes of uid ${uid} keep appearing: ${left.join(', ')}`);
    signalAll(left, 'SIGKILL');
    await delay(10);
    left = await processesOf(uid);
  }
}
