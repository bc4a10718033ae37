// A project: its branches with their latest run, recent runs, environments, recent releases
// and how to push to it.
import { ErrorBox, Loading, Section, Status } from '../components.tsx';
import { getProject, getReleases, getRuns, getServing } from '../data.ts';
import { useLive } from '../events.ts';
import { ago, branchOf, duration, short } from '../format.ts';
import { useLoad } from '../load.ts';
import type { Run } from '../types.ts';
import { ServingList } from './projects.tsx';
import { ProjectTabs } from './project-tabs.tsx';

export function RunRow({ run }: { run: Run }) {
  return (
    <tr data-run={run.number}>
      <td>
        <Status status={run.status} />
      </td>
      <td>
        <a href={`/p/${run.project}/runs/${run.number}`}>
          #{run.number} {run.title}
        </a>
        <div class="muted">
          {run.workflow} · {run.event}
        </div>
      </td>
      <td>
        {branchOf(run.ref)} <code class="sha">{short(run.sha)}</code>
      </td>
      <td class="muted">
        {ago(run.createdAt)}
        {run.startedAt && ` · ${duration(run.startedAt, run.finishedAt)}`}
      </td>
    </tr>
  );
}

export function ProjectPage({ project }: { project: string }) {
  const data = useLoad(async () => {
    const [p, runs, serving, releases] = await Promise.all([getProject(project), getRuns(project, 30), getServing(project).catch(() => []), getReleases(project).catch(() => [])]);
    return { p, runs, serving, releases };
  }, [project]);
  useLive((e) => e.project === project, data.reload, [project]);
  const d = data.data;
  const branches = new Map<string, Run>();
  for (const r of d?.runs ?? []) if (!branches.has(r.ref)) branches.set(r.ref, r);
  const gitUrl = `${window.location.origin}/git/${project}.git`;
  return (
    <main>
      <ProjectTabs project={project} />
      <ErrorBox error={data.error} />
      {!d ? (
        <Loading />
      ) : (
        <div class="grid">
          <Section title="Branches">
            {branches.size === 0 ? (
              <p class="muted">No runs yet.</p>
            ) : (
              <table class="list">
                <tbody>
                  {[...branches].map(([ref, run]) => (
                    <tr key={ref} data-branch={branchOf(ref)}>
                      <td>
                        <b>{branchOf(ref)}</b>
                      </td>
                      <td>
                        <a href={`/p/${project}/runs/${run.number}`}>
                          <Status status={run.status} /> #{run.number} {run.title}
                        </a>
                      </td>
                      <td class="muted">{ago(run.createdAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </Section>
          <Section title="Environments">
            <ServingList serving={d.serving} project={project} />
          </Section>
          <Section title="Recent runs" id="runs">
            <table class="list runs">
              <tbody>
                {d.runs.map((r) => (
                  <RunRow key={r.id} run={r} />
                ))}
              </tbody>
            </table>
          </Section>
          <Section title="Releases">
            <ul class="plain">
              {d.releases.slice(0, 5).map((r) => (
                <li key={r.id}>
                  <code class="sha">{short(r.sha)}</code> {r.id} <span class="muted">{ago(r.createdAt)}</span>
                </li>
              ))}
            </ul>
            <a href={`/p/${project}/releases`}>All releases</a>
          </Section>
          <Section title="How to push">
            <p>Push over HTTP with your user name and a token (or password) as the credentials:</p>
            <pre class="code">
              {`git remote add slipway ${gitUrl}\ngit push slipway HEAD:main`}
            </pre>
            <p class="muted">Workflows: .slipway/workflows/*.yml (GitHub Actions syntax). Environments: .slipway/deploy.yml.</p>
          </Section>
        </div>
      )}
    </main>
  );
}
