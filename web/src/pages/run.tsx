// A run: its job graph, each job's steps with durations and its live log, annotations
// linked to their lines, the step summary, artifacts, cancel / re-run, and Approve / Reject
// for a job waiting at its environment's gate.
// URL: /p/:project/runs/:number[/jobs/:job][?attempt=N][#L42]
import { useEffect, useMemo } from 'preact/hooks';
import { api, enc } from '../api.ts';
import { can } from '../can.ts';
import { ActionButton, ErrorBox, Loading, Section, Status } from '../components.tsx';
import { getProject } from '../data.ts';
import { useLive, type LiveEvent } from '../events.ts';
import { ago, branchOf, duration, short } from '../format.ts';
import { useLoad } from '../load.ts';
import { LogView } from '../log/log-view.tsx';
import type { LogModel } from '../log/model.ts';
import { renderMarkdown } from '../markdown.ts';
import { navigate, type Location } from '../router.ts';
import { useUser } from '../session.ts';
import type { Annotation, Artifact, Job, Plan, Run } from '../types.ts';
import { GatePanel } from '../gate.tsx';
import { JobGraph } from './job-graph.tsx';
import { ProjectTabs } from './project-tabs.tsx';
import { useRunLogs } from './run-logs.ts';

const finished = (s: string) => ['success', 'failure', 'cancelled', 'skipped'].includes(s);
const streamOf = (j: Job) => `job:${j.reusedFrom ?? j.id}`;

/** The log line an annotation was written on: the marker line with its message, in its step. */
function annotationLine(model: LogModel, a: Annotation): number {
  const fold = model.stepFold(a.step);
  const from = fold ? fold.start : 0;
  const to = fold && fold.end !== -1 ? fold.end : model.lines.length;
  for (let i = from; i < to; i++) if (model.kinds[i] === a.level && model.lines[i]!.includes(a.message)) return i;
  return -1;
}

export function RunPage({ project, run: number, job: jobKey, loc }: { project: string; run: number; job?: string; loc: Location }) {
  const user = useUser();
  const ref = `${enc(project)}%2F${number}`;
  const attemptQ = loc.query.get('attempt');
  const q = attemptQ ? `?attempt=${enc(attemptQ)}` : '';
  // Everything in parallel, by the run's project/number (the routes take it as well as an id).
  const data = useLoad(async () => {
    const [p, run] = await Promise.all([getProject(project), api<Run>(`/api/runs/${ref}${q}`)]);
    return { p, run };
  }, [project, number, attemptQ]);
  const run = data.data?.run;
  const extras = useLoad(async () => {
    const [plan, annotations, summary, artifacts] = await Promise.all([
      api<Plan>(`/api/runs/${ref}/plan${q}`),
      api<Annotation[]>(`/api/runs/${ref}/annotations`),
      api<{ markdown: string }>(`/api/runs/${ref}/summary`),
      api<Artifact[]>(`/api/runs/${ref}/artifacts`),
    ]);
    return { plan, annotations, summary, artifacts };
  }, [project, number, attemptQ]);
  // This run's events only (until it is loaded, any run's of the project).
  const mine = (e: LiveEvent) => e.project === project && ((e.type === 'run-updated' && (!run || e.id === run.id)) || (e.type === 'job-updated' && (!run || e.run === run.id)));
  useLive(mine, data.reload, [project, number, run?.id]);
  useLive(mine, extras.reload, [project, number, run?.id]);
  const logs = useRunLogs(run?.id, run?.attempt);

  const job = run && (run.jobs.find((j) => j.key === jobKey) ?? run.jobs.find((j) => j.status === 'failure') ?? run.jobs.find((j) => j.status === 'running') ?? run.jobs[0]);
  const model = job ? logs.model(streamOf(job)) : undefined;
  const lineMatch = /^L(\d+)$/.exec(loc.hash);
  const base = `/p/${project}/runs/${number}`;
  const jobHref = (key: string) => `${base}/jobs/${enc(key)}${attemptQ ? `?attempt=${attemptQ}` : ''}`;
  // Without a line in the URL, a failed job opens at its first error.
  const firstError = useMemo(() => {
    if (!model || !job || job.status !== 'failure') return undefined;
    const i = model.kinds.indexOf('error');
    return i === -1 ? undefined : i;
  }, [model, job?.status, logs.ended]);
  const target = lineMatch ? Number(lineMatch[1]) - 1 : firstError;

  useEffect(() => {
    if (!loc.hash) window.scrollTo(0, 0);
  }, [number]);

  if (!data.data) return <main>{data.error ? <ErrorBox error={data.error} /> : <Loading />}</main>;
  const { p } = data.data;
  const r = run!;
  const control = can(user, 'runs.control', p);
  const failed = r.jobs.some((j) => j.status === 'failure' || j.status === 'cancelled');
  const rerun = async (jobs: string) => {
    const next = await api<Run>(`/api/runs/${r.id}/rerun`, { method: 'POST', body: { jobs } });
    navigate(`${base}?attempt=${next.attempt}`);
  };
  return (
    <main class="run">
      <ProjectTabs project={project} />
      <header class="run-head">
        <h1>
          <Status status={r.status} /> #{r.number} {r.title}
        </h1>
        <p class="muted">
          {r.workflow} · {r.event} on <b>{branchOf(r.ref)}</b> <code class="sha">{short(r.sha)}</code> · {ago(r.createdAt)}
          {r.startedAt && ` · ${duration(r.startedAt, r.finishedAt)}`}
          {r.attempts > 1 && (
            <span class="attempts">
              {' '}
              · attempt{' '}
              {Array.from({ length: r.attempts }, (_, i) => i + 1).map((a) => (
                <a key={a} class={a === r.attempt ? 'here' : ''} href={`${base}?attempt=${a}`}>
                  {a}
                </a>
              ))}
            </span>
          )}
        </p>
        {r.error && <pre class="error">{r.error}</pre>}
        {control && (
          <div class="buttons">
            {!finished(r.status) && <ActionButton label="Cancel run" danger run={() => api(`/api/runs/${r.id}/cancel`, { method: 'POST' }).then(data.reload)} />}
            {finished(r.status) && <ActionButton label="Re-run all jobs" run={() => rerun('all')} />}
            {finished(r.status) && failed && <ActionButton label="Re-run failed jobs" run={() => rerun('failed')} />}
          </div>
        )}
        <ErrorBox error={data.error} />
      </header>
      {extras.data && <JobGraph plan={extras.data.plan.jobs} jobs={r.jobs} href={jobHref} selected={job?.key} />}
      {job && model && (
        <section class="card job-panel" data-job-panel={job.key}>
          <h2>
            <Status status={job.status} /> {job.name} <span class="muted">{duration(job.startedAt, job.finishedAt)}</span>
            {control && finished(r.status) && <ActionButton label="Re-run this job" run={() => rerun(job.key)} />}
          </h2>
          {job.error && <pre class="error">{job.error}</pre>}
          {job.status === 'waiting' && job.gateEnvironment && (
            <GatePanel
              key={job.id}
              what="job"
              rightsUrl={`/api/runs/${r.id}/jobs/${enc(job.id)}/approval-rights`}
              decideUrl={`/api/runs/${r.id}/jobs/${enc(job.id)}/approvals`}
              reload={data.reload}
            />
          )}
          {job.waitingFor && (
            <p class="muted" data-testid="waiting-for-runner">
              {job.waitingFor}
            </p>
          )}
          <ol class="steps">
            {job.steps.map((s) => {
              const fold = model.stepFold(s.number);
              return (
                <li key={s.number} data-step={s.number}>
                  <Status status={s.status} />{' '}
                  {fold ? <a href={`${jobHref(job.key)}#L${fold.start + 1}`}>{s.name}</a> : s.name}
                  <span class="muted"> {duration(s.startedAt, s.finishedAt)}</span>
                  {s.exitCode !== null && s.exitCode !== 0 && <span class="error"> exit code {s.exitCode}</span>}
                </li>
              );
            })}
          </ol>
          {logs.error && <p class="error">{logs.error}</p>}
          <LogView model={model} version={logs.version} target={target} follow={!finished(job.status)} />
        </section>
      )}
      {extras.data && extras.data.annotations.length > 0 && (
        <Section title="Annotations">
          <ul class="annotations">
            {extras.data.annotations.map((a, i) => {
              const j = r.jobs.find((x) => x.key === a.job);
              const line = j ? annotationLine(logs.model(streamOf(j)), a) : -1;
              return (
                <li key={i} class={`k-${a.level}`}>
                  <b>{a.level}</b> {a.title && <b>{a.title}: </b>}
                  {line >= 0 ? <a href={`${jobHref(a.job)}#L${line + 1}`}>{a.message}</a> : a.message}
                  <span class="muted">
                    {' '}
                    {a.job} · step {a.step}
                    {a.file && ` · ${a.file}${a.line ? `:${a.line}` : ''}`}
                  </span>
                </li>
              );
            })}
          </ul>
        </Section>
      )}
      {extras.data && extras.data.summary.markdown.trim() && (
        <Section title="Summary">
          <div class="markdown" dangerouslySetInnerHTML={{ __html: renderMarkdown(extras.data.summary.markdown) }} />
        </Section>
      )}
      {extras.data && extras.data.artifacts.length > 0 && (
        <Section title="Artifacts">
          <ul class="plain">
            {extras.data.artifacts.map((a) => (
              <li key={a.name}>
                <a href={`/api/runs/${r.id}/artifacts/${enc(a.name)}`} download>
                  {a.name}
                </a>{' '}
                <span class="muted">{(a.size / 1024).toFixed(1)} KiB</span>
              </li>
            ))}
          </ul>
        </Section>
      )}
      {r.releases.length > 0 && (
        <Section title="Releases">
          <ul class="plain">
            {r.releases.map((x) => (
              <li key={x.id}>
                {x.id} <code>{x.image}</code> <code class="digest">{x.digest}</code>
              </li>
            ))}
          </ul>
        </Section>
      )}
    </main>
  );
}
