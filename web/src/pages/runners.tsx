// Settings → Runners (admins): every runner that has asked for work, online or not, paused
// or draining, the labels it offers, how many jobs it runs of how many at once, its version,
// and the jobs it runs now, each linked to its run. Job events refresh it;
// a timer too, since a runner going quiet sends no event.
import { useEffect } from 'preact/hooks';
import { api, enc } from '../api.ts';
import { ActionButton, ErrorBox, Loading, Section } from '../components.tsx';
import { useLive } from '../events.ts';
import { ago } from '../format.ts';
import { useLoad } from '../load.ts';
import type { RunnerInfo } from '../types.ts';
import { can } from '../can.ts';
import { useUser } from '../session.ts';

const builtinPrefix = 'builtin-';

/** Pause / resume / drain / remove, for those who may (runners.manage): the API's own refusals show beside the button. */
function RunnerControls({ runner, done }: { runner: RunnerInfo; done: () => Promise<unknown> }) {
  const path = `/api/runners/${enc(runner.name)}`;
  const post = (verb: string) => async () => {
    await api(`${path}/${verb}`, { method: 'POST' });
    await done();
  };
  return (
    <td class="actions">
      {runner.state === 'active' ? (
        <>
          <ActionButton name="pause" label="Pause" run={post('pause')} />
          <ActionButton name="drain" label="Drain" confirm={`${runner.name} finishes the jobs it runs and takes no new one; a remote runner then exits.`} run={post('drain')} />
        </>
      ) : (
        <ActionButton name="resume" label="Resume" run={post('resume')} />
      )}
      {!runner.name.startsWith(builtinPrefix) && (
        <ActionButton
          name="remove"
          label="Remove"
          danger
          confirm={`${runner.name}'s credential is revoked and ${runner.jobs.length === 0 ? 'it is forgotten' : `the ${runner.jobs.length} job(s) it runs are queued again for another runner`}; to come back it must register again.`}
          run={async () => {
            await api(path, { method: 'DELETE' });
            await done();
          }}
        />
      )}
    </td>
  );
}

export function RunnersPage() {
  const data = useLoad(() => api<RunnerInfo[]>('/api/runners'), []);
  const manage = can(useUser(), 'runners.manage');
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
                {manage && <RunnerControls runner={r} done={data.reload} />}
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
    </main>
  );
}
