// `--wait` on commands that start a run (dispatch, rerun): follow the run until it finishes,
// printing each job's and each step's state as it changes, so matrix legs and steps can be
// told apart without `slipway logs`; exit 1 unless the run succeeded.
import type { Client } from './client.ts';
import { CliError } from './client.ts';
import type { RunView } from './commands/runs.ts';

const finished = new Set(['success', 'failure', 'cancelled', 'skipped']);

/** Lines for what changed since `seen` (job key or job key + step number → state), which it updates. */
export function progressLines(run: RunView, seen: Map<string, string>): string[] {
  const lines: string[] = [];
  for (const job of run.jobs) {
    if (seen.get(job.key) !== job.status) {
      seen.set(job.key, job.status);
      lines.push(`  ${job.key}: ${job.status}`);
    }
    for (const step of job.steps) {
      const key = `${job.key}\0${step.number}`;
      if (seen.get(key) === step.status) continue;
      seen.set(key, step.status);
      lines.push(`  ${job.key} › ${step.number} ${step.name}: ${step.status}`);
    }
  }
  return lines;
}

export async function followRun(client: Client, run: RunView, options: { intervalMs?: number } = {}): Promise<number> {
  const seen = new Map<string, string>();
  let current = run;
  for (;;) {
    for (const line of progressLines(current, seen)) console.log(line);
    if (finished.has(current.status)) break;
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 500));
    current = await client.json<RunView>('GET', `/api/runs/${encodeURIComponent(current.id)}`);
  }
  console.log(`run ${current.project}#${current.number}: ${current.status}`);
  if (current.status !== 'success') throw new CliError(`run ${current.project}#${current.number} ${current.status}${current.error ? `: ${current.error}` : ''}`);
  return 0;
}
