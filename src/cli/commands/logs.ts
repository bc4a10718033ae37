import type { Command } from '../command.ts';
import { clientOptions, clientHelp, str, clientFor } from '../command.ts';
import { CliError } from '../client.ts';
import { readEvents } from '../sse-client.ts';
import type { RunView } from './runs.ts';
import { statusText } from '../output.ts';

export const logsCommand: Command = {
  name: 'logs',
  summary: "print a run's (or a deployment's) log",
  usage: 'RUN [-f] [--job JOB] [--attempt N] | --deployment ID [-f]',
  help: `  RUN              run id, or PROJECT#NUMBER (as \`slipway runs\` shows)
  -f, --follow     stream the log live until the run ends; exit 1 if it did not succeed
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
      process.stdout.write(await (await client.request('GET', path)).text());
      if (!deployment) {
        await printRunWarnings(client, ref!);
        if (attempt === undefined) await printEarlierAttempts(client, ref!);
      }
      return 0;
    }
    path += path.includes('?') ? '&' : '?';
    const res = await client.request('GET', `${path}follow=1`, undefined, { accept: 'text/event-stream' });
    for await (const e of readEvents(res)) {
      if (e.event === 'log') process.stdout.write((JSON.parse(e.data) as { text: string }).text);
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
    if (values.json) console.log(JSON.stringify(run, null, 2));
    else console.error(`run ${run.project}#${run.number} ${statusText(run.status)}${run.error ? `\n${run.error}` : ''}`);
    return run.status === 'success' ? 0 : 1;
  },
};

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
