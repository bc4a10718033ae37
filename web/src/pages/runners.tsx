// Settings → Runners (admins): every runner that has asked for work, online or not, paused
// or draining, the labels it offers, how many jobs it runs of how many at once, its version,
// and the jobs it runs now, each linked to its run. Job events refresh it;
// a timer too, since a runner going quiet sends no event.
import { useEffect } from 'preact/hooks';
import { api, enc } from '../api.ts';
import { ErrorBox, Loading, Section } from '../components.tsx';
import { useLive } from '../events.ts';
import { ago } from '../format.ts';
import { useLoad } from '../load.ts';
import type { RunnerInfo } from '../types.ts';

export function RunnersPage() {
  const data = useLoad(() => api<RunnerInfo[]>('/api/runners'), []);
  useLive((e) => e.type === 'job-updated', data.reload, []);
  useEffect(() => {
    const timer = setInterval(() => void data.reload(), 10_000);
    return () => clearInterval(timer);
  }, []);
  if (!data.data) return <main>{data.error ? <ErrorBox error={data.error} /> : <Loading />}</main>;
  return (
    <main>
      <h1>Runners</h1>
      <ErrorBox error={data.error} />
      <Section title="Runners">
        {data.data.length === 0 && <p class="muted">No runner has asked for work yet.</p>}
        <table class="list">
          <tbody>
            {data.data.map((r) => (
              <tr key={r.name} data-runner={r.name}>
                <td>{r.name}</td>
                <td>
                  <span class={`status s-${r.online ? 'success' : 'cancelled'}`} data-online={String(r.online)}>
                    {r.online ? 'online' : 'offline'}
                  </span>{' '}
                  {r.state !== 'active' && (
                    <span class="status s-cancelled" data-state={r.state}>
                      {r.state}
                    </span>
                  )}{' '}
                  <span class="muted">seen {ago(r.lastSeenAt)}</span>
                  <div class="muted" data-capacity>
                    {r.jobs.length}/{r.concurrency ?? '?'} jobs at once{r.version ? ` · ${r.version}` : ''}
                  </div>
                </td>
                <td>
                  {r.labels.map((l) => (
                    <span key={l} class="tag">
                      {l}
                    </span>
                  ))}
                </td>
                <td>
                  {r.jobs.length === 0 && <span class="muted">idle</span>}
                  {r.jobs.map((j) => (
                    <div key={j.id}>
                      <a href={`/p/${enc(j.project ?? '')}/runs/${j.runNumber}`}>
                        {j.project}#{j.runNumber}
                      </a>{' '}
                      {j.name}
                    </div>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
    </main>
  );
}
