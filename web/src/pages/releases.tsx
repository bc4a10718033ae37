// A project's releases: digest, commit, and where each one serves now.
import { ErrorBox, Loading, Section } from '../components.tsx';
import { getReleases, getServing } from '../data.ts';
import { useLive } from '../events.ts';
import { ago, short } from '../format.ts';
import { useLoad } from '../load.ts';
import { ProjectTabs } from './project-tabs.tsx';

export function ReleasesPage({ project }: { project: string }) {
  const data = useLoad(async () => {
    const [releases, serving] = await Promise.all([getReleases(project), getServing(project).catch(() => [])]);
    return { releases, serving };
  }, [project]);
  useLive((e) => e.project === project && (e.type === 'release-created' || e.type === 'deployment-updated'), data.reload, [project]);
  const d = data.data;
  return (
    <main>
      <ProjectTabs project={project} />
      <ErrorBox error={data.error} />
      {!d ? (
        <Loading />
      ) : (
        <Section title="Releases">
          <table class="list releases">
            <thead>
              <tr>
                <th>Release</th>
                <th>Commit</th>
                <th>Image</th>
                <th>Serving in</th>
                <th>Made</th>
              </tr>
            </thead>
            <tbody>
              {d.releases.map((r) => (
                <tr key={r.id} data-release={r.id}>
                  <td>{r.id}</td>
                  <td>
                    <code class="sha">{short(r.sha)}</code> <span class="muted">{r.ref.replace(/^refs\/heads\//, '')}</span>
                  </td>
                  <td>
                    <code>{r.image}</code>
                    <div>
                      <code class="digest">{r.digest}</code>
                    </div>
                  </td>
                  <td>
                    {d.serving
                      .filter((s) => s.release?.id === r.id)
                      .map((s) => (
                        <span key={s.environment} class="tag">
                          {s.environment}
                        </span>
                      ))}
                  </td>
                  <td class="muted">{ago(r.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Section>
      )}
    </main>
  );
}
