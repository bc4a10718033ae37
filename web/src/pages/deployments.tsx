// Deployments per environment: history (trigger, release, commit, per-host status,
// duration), the selected deployment's live log, a waiting one's gate with Approve /
// Reject, and Promote / Roll back to this release, each confirmed in words that say what
// will happen. URL: /p/:project/deployments[/:number][?env=E]
import { api, enc } from '../api.ts';
import { can } from '../can.ts';
import { ActionButton, ErrorBox, Loading, Section, Status } from '../components.tsx';
import { getDeployments, getProject, getServing } from '../data.ts';
import { useLive } from '../events.ts';
import { ago, duration, short } from '../format.ts';
import { useLoad } from '../load.ts';
import type { Location } from '../router.ts';
import { useUser } from '../session.ts';
import type { Deployment, EnvironmentRules } from '../types.ts';
import { GatePanel } from '../gate.tsx';
import { DeploymentLog } from './deployment-log.tsx';
import { ProjectTabs } from './project-tabs.tsx';

const running = (s: string) => !['success', 'failure', 'rejected'].includes(s);

function Gate({ d, rules, reload }: { d: Deployment; rules: EnvironmentRules | undefined; reload: () => Promise<void> }) {
  const approvers = rules?.rules.approval?.approvers;
  const whoMay = `${approvers ? approvers.join(', ') : 'maintainers of the project'}${rules?.rules.approval?.not_author !== false ? ', not the person who requested, pushed or wrote it' : ''}`;
  // The rights are asked again after each decision (the key changes with the count).
  return <GatePanel key={d.approvals.length} what="deployment" rightsUrl={`/api/deployments/${d.id}/approval-rights`} decideUrl={`/api/deployments/${d.id}/approvals`} whoMay={whoMay} reload={reload} />;
}

export function DeploymentsPage({ project, selected, loc }: { project: string; selected?: number; loc: Location }) {
  const user = useUser();
  const env = loc.query.get('env') ?? undefined;
  const data = useLoad(async () => {
    const [p, list, serving, envs] = await Promise.all([
      getProject(project),
      getDeployments(project, env),
      getServing(project),
      api<EnvironmentRules[]>(`/api/projects/${enc(project)}/environments`).catch(() => []),
    ]);
    return { p, list, serving, envs };
  }, [project, env]);
  useLive((e) => e.project === project && (e.type === 'deployment-updated' || e.type === 'release-created'), data.reload, [project, env]);
  if (!data.data) return <main>{data.error ? <ErrorBox error={data.error} /> : <Loading />}</main>;
  const { p, list, serving, envs } = data.data;
  const current = selected !== undefined ? list.find((d) => d.number === selected) : list[0];
  const names = [...new Set([...envs.map((e) => e.name), ...serving.map((s) => s.environment)])];
  const servingIn = (e: string) => serving.find((s) => s.environment === e);
  const rulesOf = (e: string) => envs.find((x) => x.name === e);
  const mayDeploy = (e: string) => can(user, 'deploy.run', p, e);
  const rollback = (d: Deployment) => {
    const now = servingIn(d.environment)?.release;
    return `This deploys release ${d.release?.id} (commit ${short(d.release?.sha)}) to ${d.environment} again, replacing ${now ? `release ${now.id} (commit ${short(now.sha)})` : 'nothing'} that serves there now.${rulesOf(d.environment)?.rules.approval ? ' The environment is gated: the rollback waits for approval.' : ''}`;
  };
  return (
    <main>
      <ProjectTabs project={project} />
      <nav class="filters">
        <a href={`/p/${project}/deployments`} class={!env ? 'here' : ''}>
          All environments
        </a>
        {names.map((n) => (
          <a key={n} href={`/p/${project}/deployments?env=${enc(n)}`} class={env === n ? 'here' : ''}>
            {n}
          </a>
        ))}
      </nav>
      <ErrorBox error={data.error} />
      <div>
        <Section title="Environments">
          <ul class="plain">
            {names.map((n) => {
              const s = servingIn(n);
              const from = rulesOf(n)?.rules.promote_from;
              const fromRelease = from ? servingIn(from)?.release : undefined;
              return (
                <li key={n} data-env={n}>
                  <b>{n}</b>: {s?.release ? <><code class="sha">{short(s.release.sha)}</code> {s.release.id} <span class="muted">since {ago(s.since)}</span></> : <span class="muted">nothing serving</span>}
                  {from && mayDeploy(n) && fromRelease && fromRelease.id !== s?.release?.id && !list.some((d) => d.environment === n && running(d.status)) && (
                    <ActionButton
                      label={`Promote from ${from}`}
                      confirm={`This deploys release ${fromRelease.id} (commit ${short(fromRelease.sha)}), which serves in ${from} now, to ${n}${s?.release ? `, replacing release ${s.release.id} (commit ${short(s.release.sha)})` : ''}.${rulesOf(n)?.rules.approval ? ' It waits for approval first.' : ''}`}
                      run={() => api(`/api/projects/${enc(project)}/environments/${enc(n)}/promotions`, { method: 'POST', body: { from } }).then(data.reload)}
                    />
                  )}
                </li>
              );
            })}
          </ul>
        </Section>
        <Section title="History">
          {list.length === 0 ? (
            <p class="muted">No deployments yet.</p>
          ) : (
            <table class="list deployments">
              <thead>
                <tr>
                  <th />
                  <th>#</th>
                  <th>Environment</th>
                  <th>Release</th>
                  <th>Trigger</th>
                  <th>Hosts</th>
                  <th>Duration</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {list.map((d) => {
                  const serves = servingIn(d.environment)?.release?.id === d.release?.id;
                  return (
                    <tr key={d.id} data-deployment={d.number} class={current?.id === d.id ? 'here' : ''}>
                      <td>
                        <Status status={d.status} />
                      </td>
                      <td>
                        <a href={`/p/${project}/deployments/${d.number}${env ? `?env=${enc(env)}` : ''}`}>#{d.number}</a>
                      </td>
                      <td>{d.environment}</td>
                      <td>
                        <code class="sha">{short(d.release?.sha)}</code> <span class="muted">{d.release?.id}</span>
                      </td>
                      <td>
                        {d.trigger}
                        {d.triggeredBy && ` by ${d.triggeredBy}`} <span class="muted">{ago(d.createdAt)}</span>
                      </td>
                      <td>
                        {d.hosts.map((h) => (
                          <span key={h.host} class="host" title={h.error ?? ''}>
                            {h.host} <Status status={h.status} />
                          </span>
                        ))}
                      </td>
                      <td class="muted">{duration(d.startedAt, d.finishedAt)}</td>
                      <td>
                        {d.status === 'success' && !serves && d.release && mayDeploy(d.environment) && (
                          <ActionButton
                            label="Roll back to this release"
                            confirm={rollback(d)}
                            run={() => api(`/api/projects/${enc(project)}/environments/${enc(d.environment)}/rollbacks`, { method: 'POST', body: { to: d.release!.id } }).then(data.reload)}
                          />
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
        </Section>
      </div>
      {current && (
        <section class="card" data-testid="deployment">
          <h2>
            <Status status={current.status} /> Deployment #{current.number} to {current.environment}
          </h2>
          <p class="muted">
            release {current.release?.id} · commit <code class="sha">{short(current.release?.sha)}</code> · {current.trigger}
            {current.triggeredBy && ` by ${current.triggeredBy}`} · {ago(current.createdAt)}
          </p>
          {current.error && <pre class="error">{current.error}</pre>}
          {current.status === 'waiting_for_approval' && <Gate d={current} rules={rulesOf(current.environment)} reload={data.reload} />}
          <DeploymentLog id={current.id} live={running(current.status)} />
        </section>
      )}
    </main>
  );
}
