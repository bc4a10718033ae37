// A process's resident memory and CPU time, read from /proc (proc(5): /proc/PID/status
// VmRSS, /proc/PID/stat utime + stime in clock ticks), sampled on a timer for the bench.
import { readdir, readFile } from 'node:fs/promises';

/** Linux's USER_HZ: /proc/PID/stat counts CPU time in these ticks (100 on every x86_64 kernel). */
const ticksPerSecond = 100;

export interface ProcReading {
  at: number;
  rssBytes: number;
  cpuSeconds: number;
}

export async function readProc(pid: number): Promise<ProcReading> {
  const [status, stat] = await Promise.all([readFile(`/proc/${pid}/status`, 'utf8'), readFile(`/proc/${pid}/stat`, 'utf8')]);
  const rss = /^VmRSS:\s+(\d+) kB/m.exec(status);
  if (!rss) throw new Error(`/proc/${pid}/status has no VmRSS line`);
  // The command name (field 2) may hold blanks: count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return { at: Date.now(), rssBytes: Number(rss[1]) * 1024, cpuSeconds: (utime + stime) / ticksPerSecond };
}

/** Samples `pid` every `everyMs` until stop(); stop() returns the readings, a last one included. */
export function sampleProc(pid: number, everyMs: number): { stop(): Promise<ProcReading[]> } {
  const readings: ProcReading[] = [];
  let failure: unknown;
  const take = () => readProc(pid).then((r) => void readings.push(r), (err: unknown) => void (failure ??= err));
  void take();
  const timer = setInterval(take, everyMs);
  return {
    async stop() {
      clearInterval(timer);
      await take();
      if (failure) throw new Error(`sampling /proc/${pid}: ${(failure as Error).message}`, { cause: failure });
      return readings;
    },
  };
}

/** CPU seconds of each process whose command line holds `text` (PostgreSQL backends name their database in theirs). */
export async function cpuOfMatching(text: string): Promise<Map<number, number>> {
  const found = new Map<number, number>();
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (!(await readFile(`/proc/${name}/cmdline`, 'utf8')).includes(text)) continue;
      found.set(Number(name), (await readProc(Number(name))).cpuSeconds);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && (err as NodeJS.ErrnoException).code !== 'ESRCH') throw err; // it ended meanwhile
    }
  }
  return found;
}
