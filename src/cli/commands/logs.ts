import type { Command } from '../command.ts';
import { clientOptions, clientHelp, str, clientFor } from '../command.ts';
import { CliError } from '../client.ts';
import { readEvents } from '../sse-client.ts';
import type { RunView } from './runs.ts';
import { statusText } from '../output.ts';
import { jobLogStream } from '../../store/repos/log-streams.ts';

export const logsCommand: Command = {
  name: 'logs',
  summary: "print a run's (or a deployment's) log",
  usage: 'RUN [-f] [--job JOB] [--attempt N] | --deployment ID [-f]',
  help: `  RUN              run id, or PROJECT#NUMBER (as \`slipway runs\` shows)
  -f, --follow     stream the log live until the run ends; exit 1 if it did not succeed
  --json           the run with each job's log apart (with -f: one JSON line per log chunk, then the run);
                   a run that failed before its jobs (an invalid workflow) prints its error and exits 1
  --job JOB        only this job's log (its key or name; needed with --attempt when the run has several jobs)
  --attempt N      the job's attempt N: a job a crash or a lost runner interrupted ran again as a new attempt,
                   with a log of its own (default: the latest; the log says when earlier attempts exist)
  --deployment ID  a deployment's log instead
${clientHelp}`,
  options: { ...clientOptions, follow: { type: 'boolean', short: 'f' }, deployment: { type: 'string' }, job: { type: 'string' }, attempt: { type: 'string' } },
  async run(values, [ref]) {
    const client = clientFor(values);
    const deployment = str(values.deployment);
    if (!ref && !deployment) throw new CliError('usage: slipway logs RUN [-f]', 2);
    let path = deployment ? `/api/deployments/${encodeURIComponent(deployment)}/logs` : `/api/runs/${encodeURIComponent(ref!)}/logs`;
    const jobName = str(values.job);
    const attempt = str(values.attempt);
    if (!deployment && (jobName !== undefined || attempt !== undefined)) {
      const run = await client.json<RunView>('GET', `/api/runs/${encodeURIComponent(ref!)}`);
      const job = pickJob(run, jobName);
      path = `/api/runs/${encodeURIComponent(ref!)}/jobs/${encodeURIComponent(job.id)}/logs${attempt !== undefined ? `?attempt=${encodeURIComponent(attempt)}` : ''}`;
    }
    if (!deployment) await printRunnerWaits(client, ref!);
    if (!values.follow) {
      const text = await (await client.request('GET', path)).text();
      if (deployment) {
        process.stdout.write(values.json ? `${JSON.stringify({ deployment, log: text })}\n` : text);
        return 0;
      }
      const run = await client.json<RunView>('GET', `/api/runs/${encodeURIComponent(ref!)}`);
      if (values.json) {
        console.log(JSON.stringify({ ...run, logs: await jobLogs(client, ref!, run, path, text, attempt) }, null, 2));
        return run.error ? 1 : 0;
      }
      // Reusable workflows of other repositories were resolved when the run was planned, before any job log.
      for (const a of run.actions ?? []) if (a.job === null) console.log(`Reusable workflow ${a.uses} resolved to ${a.sha} (source ${a.source})`);
      process.stdout.write(text);
      await printRunWarnings(client, ref!);
      if (attempt === undefined) await printEarlierAttempts(client, ref!);
      // A run that never got to its jobs (an invalid workflow) has only its error to show.
      if (run.error) console.error(`run ${run.project}#${run.number} ${statusText(run.status)}\n${run.error}`);
      return run.error ? 1 : 0;
    }
    path += path.includes('?') ? '&' : '?';
    const titles = deployment ? new Map<string, string>() : streamTitles(await client.json<RunView>('GET', `/api/runs/${encodeURIComponent(ref!)}`));
    const res = await client.request('GET', `${path}follow=1`, undefined, { accept: 'text/event-stream' });
    // Jobs' chunks interleave while they run at once (matrix legs): a header at every switch says whose the lines are.
    let current: string | undefined;
    for await (const e of readEvents(res)) {
      if (e.event === 'log') {
        const { stream, text } = JSON.parse(e.data) as { stream: string; text: string };
        if (values.json) {
          console.log(JSON.stringify({ job: titles.get(stream) ?? stream, text }));
          continue;
        }
        if (titles.size > 1 && stream !== current) process.stdout.write(`=== ${titles.get(stream) ?? stream} ===\n`);
        current = stream;
        process.stdout.write(text);
      }
      if (e.event === 'end') break;
    }
    if (deployment) {
      const d = await client.json<{ status: string }>('GET', `/api/deployments/${encodeURIComponent(deployment)}`);
      console.error(`deployment ${statusText(d.status)}`);
      return d.status === 'success' ? 0 : 1;
    }
    await printRunWarnings(client, ref!);
    if (attempt === undefined) await printEarlierAttempts(client, ref!);
    const run = await client.json<RunView>('GET', `/api/runs/${encodeURIComponent(ref!)}`);
    if (values.json) console.log(JSON.stringify({ run }));
    else console.error(`run ${run.project}#${run.number} ${statusText(run.status)}${run.error ? `\n${run.error}` : ''}`);
    return run.status === 'success' ? 0 : 1;
  },
};

type JobView = RunView['jobs'][number] & { reusedFrom?: string | null };

/** The `=== title ===` of each job log stream, as the server's plain-text run log heads them. */
function streamTitles(run: RunView): Map<string, string> {
  return new Map(run.jobs.map((j: JobView) => [jobLogStream(j.reusedFrom ?? j.id, j.attempt), j.attempt > 1 ? `${j.name} (attempt ${j.attempt})` : j.name]));
}

/** `--json`: each job's log apart (one request per job), or the one log `--job` asked for. */
async function jobLogs(client: ReturnType<typeof clientFor>, ref: string, run: RunView, path: string, text: string, attempt: string | undefined) {
  if (path.includes('/jobs/')) {
    const job = run.jobs.find((j) => path.includes(`/jobs/${encodeURIComponent(j.id)}/`));
    return [{ job: job?.key, name: job?.name, attempt: attempt === undefined ? job?.attempt : Number(attempt), text }];
  }
  return Promise.all(run.jobs.map(async (j) => ({
    job: j.key, name: j.name, attempt: j.attempt,
    text: await (await client.request('GET', `/api/runs/${encodeURIComponent(ref)}/jobs/${encodeURIComponent(j.id)}/logs`)).text(),
  })));
}

/** The job `--job` names (by key or name), or the run's only job. */
function pickJob(run: RunView, name: string | undefined): RunView['jobs'][number] {
  if (name === undefined) {
    if (run.jobs.length === 1) return run.jobs[0]!;
    throw new CliError(`run ${run.project}#${run.number} has ${run.jobs.length} jobs: name one with --job (${run.jobs.map((j) => j.key).join(', ')})`, 2);
  }
  const job = run.jobs.find((j) => j.key === name) ?? run.jobs.find((j) => j.name === name);
  if (!job) throw new CliError(`run ${run.project}#${run.number} has no job "${name}"; its jobs: ${run.jobs.map((j) => j.key).join(', ')}`, 2);
  return job;
}

/** On stderr: the jobs whose earlier attempts a crash or a lost runner interrupted, and how to read those logs. */
async function printEarlierAttempts(client: ReturnType<typeof clientFor>, ref: string): Promise<void> {
  const run = await client.json<RunView>('GET', `/api/runs/${encodeURIComponent(ref)}`);
  for (const j of run.jobs) {
    if (j.attempt <= 1) continue;
    const reasons = j.interruptedAttempts.map((a) => `attempt ${a.attempt} ${a.reason}`).join('; ');
    console.error(`note: job ${j.key} shows its attempt ${j.attempt}; earlier attempts exist (${reasons || 'interrupted'}): slipway logs ${ref} --job ${j.key} --attempt N`);
  }
}

/** On stderr: jobs queued with no online runner offering their labels (scheduler/runner-waits.ts), which have no log yet. */
async function printRunnerWaits(client: ReturnType<typeof clientFor>, ref: string): Promise<void> {
  const run = await client.json<RunView>('GET', `/api/runs/${encodeURIComponent(ref)}`);
  for (const j of run.jobs) if (j.waitingFor) console.error(`job ${j.key}: ${j.waitingFor}`);
}

/** Warnings and errors the run carries besides its log (annotations such as deploy.yml's protection note), on stderr. */
async function printRunWarnings(client: ReturnType<typeof clientFor>, ref: string): Promise<void> {
  const annotations = await client.json<{ level: string; message: string; file: string | null; line: number | null }[]>('GET', `/api/runs/${encodeURIComponent(ref)}/annotations`);
  for (const a of annotations) {
    if (a.level === 'notice') continue;
    // A message that starts with its file already names where it is.
    const where = a.file && !a.message.startsWith(`${a.file}:`) ? `${a.file}${a.line !== null ? `:${a.line}` : ''}: ` : '';
    console.error(`${a.level}: ${where}${a.message}`);
  }
}
