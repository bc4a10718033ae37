// Finds a process's descendants through /proc, for cancelling builds: the RUN containers that
// buildah and podman start are in sessions of their own, out of reach of a process-group kill.
import { readdir, readFile } from 'node:fs/promises';

export interface ProcessInfo {
  pid: number;
  session: number;
}

async function processTable(): Promise<Map<number, ProcessInfo & { ppid: number }>> {
  const table = new Map<number, ProcessInfo & { ppid: number }>();
  for (const entry of await readdir('/proc').catch(() => [])) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // proc(5): after "pid (comm) " come state, ppid, pgrp, session; comm may contain anything.
    const [, ppid, , session] = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
    if (ppid === undefined || session === undefined || Number.isNaN(ppid)) continue;
    table.set(Number(entry), { pid: Number(entry), ppid, session });
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
    if (info) found.push({ pid: info.pid, session: info.session });
    queue.push(...(children.get(pid) ?? []));
  }
  return found;
}
