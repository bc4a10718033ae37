// Stopping what a command started. Every process spawned through src/exec leads its own
// process group (detached), so one kill(-pid) reaches its children; those that left the
// group (setsid) are found through /proc while the leader is still there to find them by.
import { readdirSync, readFileSync } from 'node:fs';
import { processTree } from './process-tree.ts';

export type KillSignal = 'SIGTERM' | 'SIGKILL';

/** Signals a process group; false when it is gone (ESRCH). */
export function signalGroup(pgid: number, signal: KillSignal | 'SIGINT' | 0): boolean {
  // kill(-0) would signal Slipway's own group; 0 is the pid of a process that never started.
  if (pgid <= 0) return false;
  return signalProcess(-pgid, signal);
}

/** Signals one process; false when it is gone (ESRCH). */
export function signalProcess(pid: number, signal: KillSignal | 'SIGINT' | 0): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

/** Fields of /proc/<pid>/stat after the parenthesised command name: state, ppid, pgrp, … */
function statFields(pid: string): string[] | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined; // exited meanwhile
  }
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/**
 * Whether a process group has a member that is not a zombie. `kill(-pgid, 0)` succeeds
 * while only zombies remain, and a zombie reparented to a PID 1 that reaps late (as in
 * some sandboxes) would otherwise hold a job's clean-up for the whole kill grace period.
 * Reads /proc; where there is none, falls back to the signal check.
 */
export function groupAlive(pgid: number): boolean {
  if (!signalGroup(pgid, 0)) return false;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return true;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(entry);
    if (fields && Number(fields[2]) === pgid && fields[0] !== 'Z') return true;
  }
  return false;
}

/** Whether process `pid` exists and is not a zombie (read from /proc). */
export function pidAlive(pid: number): boolean {
  const fields = statFields(String(pid));
  return fields !== undefined && fields[0] !== 'Z';
}

/** How to stop something: send it a signal, and ask whether any of it still runs. */
interface Stoppable {
  terminate(signal: KillSignal): Promise<void>;
  isAlive(): Promise<boolean>;
}

interface GraceOptions {
  /** Time between SIGTERM and SIGKILL. */
  graceMs: number;
  /** How often `isAlive` is asked during the grace period. Default 20. */
  pollMs?: number;
}

/** SIGTERM, then SIGKILL if anything is still alive once the grace period is over. */
export async function terminateWithGrace(target: Stoppable, options: GraceOptions): Promise<void> {
  await target.terminate('SIGTERM');
  const deadline = Date.now() + options.graceMs;
  while (Date.now() < deadline) {
    if (!(await target.isAlive())) return;
    await delay(Math.min(options.pollMs ?? 20, Math.max(0, deadline - Date.now())));
  }
  if (await target.isAlive()) await target.terminate('SIGKILL');
}

/**
 * The process group led by `pid` plus the descendants that left it, as found now: call it
 * while the leader runs (once it exits, its orphans are reparented and out of reach).
 */
export async function processTreeOf(pid: number): Promise<Stoppable> {
  // Every descendant by pid, not only those outside the group now: one may be about to
  // call setsid between this look and the signal.
  const strays = (await processTree(pid)).map((p) => p.pid).filter((p) => p !== pid);
  return {
    async terminate(signal) {
      signalGroup(pid, signal);
      for (const stray of strays) signalProcess(stray, signal);
    },
    async isAlive() {
      return groupAlive(pid) || strays.some(pidAlive);
    },
  };
}

export const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
