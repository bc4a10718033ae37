// Every project the caller may read: its last run and, per environment, what is serving.
import { api } from '../api.ts';
import { ErrorBox, Loading, Status } from '../components.tsx';
import { getRuns, getServing, type Serving } from '../data.ts';
import { useLive } from '../events.ts';
import { ago, branchOf, short } from '../format.ts';
import { useLoad } from '../load.ts';
import type { Project, Run } from '../types.ts';

interface Row {
  project: Project;
  run: Run | undefined;
  serving: Serving[];
}

export function ServingList({ serving, project }: { serving: Serving[]; project: string }) {
  if (!serving.length) return <span class="muted">not deployed</span>;
  return (
    <ul class="envs">
      {serving.map((s) => (
        <li key={s.environment} data-env={s.environment}>
          <a href={`/p/${project}/deployments?env=${s.environment}`}>
            <b>{s.environment}</b>
          </a>{' '}
          {s.release ? (
            <>
              <code class="sha">{short(s.release.sha)}</code> <span class="muted">{s.release.id}</span> <span class="muted">since {ago(s.since)}</span>
            </>
          ) : (
            <span class="muted">nothing serving</span>
          )}{' '}
          {s.last && <Status status={s.last.status} />}
          {s.url && (
            <a class="muted" href={s.url} target="_blank" rel="noreferrer">
              {s.url}
            </a>
          )}
        </li>
      ))}
    </ul>
  );
}

export function Projects() {
  const rows = useLoad<Row[]>(async () => {
    const projects = await api<Project[]>('/api/projects');
    return Promise.all(
      projects.map(async (project) => {
        const [runs, serving] = await Promise.all([getRuns(project.name, 1), getServing(project.name).catch(() => [])]);
        return { project, run: runs[0], serving };
      }),
    );
  }, []);
  useLive(() => true, rows.reload, []);
  return (
    <main>
      <h1>Projects</h1>
      <ErrorBox error={rows.error} />
      {!rows.data ? (
        <Loading />
      ) : rows.data.length === 0 ? (
        <p class="muted">No projects yet. Push a repository to create one: git push http://HOST/git/NAME.git</p>
      ) : (
        <table class="list">
          <thead>
            <tr>
              <th>Project</th>
              <th>Last run</th>
              <th>Serving</th>
            </tr>
          </thead>
          <tbody>
            {rows.data.map(({ project, run, serving }) => (
              <tr key={project.name} data-project={project.name}>
                <td>
                  <a href={`/p/${project.name}`}>
                    <b>{project.name}</b>
                  </a>
                  {project.public && <span class="tag">public</span>}
                </td>
                <td>
                  {run ? (
                    <a href={`/p/${project.name}/runs/${run.number}`}>
                      <Status status={run.status} /> #{run.number} {run.title} <span class="muted">on {branchOf(run.ref)} {ago(run.createdAt)}</span>
                    </a>
                  ) : (
                    <span class="muted">no runs</span>
                  )}
                </td>
                <td>
                  <ServingList serving={serving} project={project.name} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}
