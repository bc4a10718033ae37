// What a job leaves on disk while it runs, and its removal when the job could not clean up
// after itself (issue 10 item 5: every interrupted job left a `slipway-steps-*` folder).
// A job's directory is `<workDir>/<job id>` (job-run.ts); the executors' own per-job temp
// folders (`slipway-steps-*` of the shell executor, `slipway-job-*` of the container
// executor, job users' homes) go under one temp root per installation, so that at start-up,
// before the runner takes a job, everything in it is known to be left by a job this
// installation's runner no longer runs, and no other Slipway on the machine is touched.
import { chmodSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The executors' temp root of one installation: traversable (0711) so host jobs' users reach their own folders in it, not listable. */
export function jobTempRoot(instance: string): string {
  const dir = join(tmpdir(), `slipway-tmp-${instance}`);
  mkdirSync(dir, { recursive: true, mode: 0o711 });
  chmodSync(dir, 0o711);
  return dir;
}

/**
 * At start-up, while no job runs: removes every job directory under `workDir` (the tool
 * cache stays) and everything under `tempRoot`. Returns how many entries went.
 */
export function removeJobLeftovers(paths: { workDir: string; tempRoot: string }): number {
  let n = 0;
  for (const [dir, isLeftover] of [
    [paths.workDir, (name: string) => name.startsWith('job_')],
    [paths.tempRoot, () => true],
  ] as const) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    for (const name of names.filter(isLeftover)) {
      rmSync(join(dir, name), { recursive: true, force: true });
      n++;
    }
  }
  return n;
}
