// Finds a process's descendants through /proc. A process-group kill misses those that left
// the group with setsid (the RUN containers buildah and podman start live in sessions of
// their own), so stopping a process tree signals them by pid as well.
import { procPids, readProcFile } from './proc-fs.ts';

interface ProcessInfo {
  pid: number;
  group: number;
  session: number;
}

async function processTable(): Promise<Map<number, ProcessInfo & { ppid: number }>> {
  const table = new Map<number, ProcessInfo & { ppid: number }>();
  // No /proc (not Linux): no descendants are known, and callers fall back to the group.
  for (const pid of await procPids()) {
    // A process that exited since the listing has no stat any more.
    const stat = (await readProcFile(pid, 'stat'))?.toString('utf8') ?? '';
    // proc(5): after "pid (comm) " come state, ppid, pgrp, session; comm may contain anything.
    const [, ppid, group, session] = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
    if (ppid === undefined || group === undefined || session === undefined || Number.isNaN(ppid)) continue;
    table.set(pid, { pid, ppid, group, session });
  }
  return table;
}

/** The process itself (first, when it is alive) and all its descendants. */
export async function processTree(root: number): Promise<ProcessInfo[]> {
  const table = await processTable();
  const children = new Map<number, number[]>();
  for (const { pid, ppid } of table.values()) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  const found: ProcessInfo[] = [];
  const queue = [root];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    const info = table.get(pid);
    if (info) found.push({ pid: info.pid, group: info.group, session: info.session });
    queue.push(...(children.get(pid) ?? []));
  }
  return found;
}
