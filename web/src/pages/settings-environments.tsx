// Settings → Environment protection: per environment, its rules and where they come from
// (the server's, or deploy.yml on the default branch), an edit form for maintainers (PUT
// /api/projects/:p/environments/:env, the route the CLI uses), removing the server's rules,
// and the environment's secret names (values write-only). The API checks every value; its
// refusal is shown next to the form that caused it.
import { useState } from 'preact/hooks';
import { api, enc } from '../api.ts';
import { can } from '../can.ts';
import { ActionButton, ErrorBox } from '../components.tsx';
import { useLoad } from '../load.ts';
import { useUser } from '../session.ts';
import type { EnvironmentRules, Project, RulesSource } from '../types.ts';

function sourceText(s: RulesSource): string {
  if (s.kind === 'server') return `set on the server by ${s.updatedBy}, ${new Date(s.updatedAt).toLocaleString()}`;
  return `from deploy.yml on the default branch ${s.ref.replace(/^refs\/heads\//, '')} (${s.sha.slice(0, 7)})`;
}

const field = (form: HTMLFormElement, name: string) => String(new FormData(form).get(name) ?? '').trim();
const names = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * The PUT body from the form: an empty field removes its key (null), so what the form shows
 * is what the environment gets. Numbers the user typed wrongly go as they are and the API
 * says which field is wrong.
 */
export function rulesFromForm(form: HTMLFormElement): Record<string, unknown> {
  const required = field(form, 'required');
  const approvers = names(field(form, 'approvers'));
  const wait = field(form, 'wait');
  const notAuthor = new FormData(form).get('not_author') === 'on';
  const approval =
    required || approvers.length > 0 || wait || notAuthor
      ? { ...(required && { required: Number.isFinite(Number(required)) ? Number(required) : required }), ...(approvers.length > 0 && { approvers }), ...(wait && { wait }), not_author: notAuthor }
      : null;
  const branches = names(field(form, 'branches'));
  const hosts = names(field(form, 'hosts'));
  return {
    approval,
    branches: branches.length > 0 ? branches : null,
    promote_from: field(form, 'promote_from') || null,
    ...(hosts.length > 0 && { hosts }),
  };
}

function RulesForm({ base, env, reload }: { base: string; env: EnvironmentRules; reload: () => Promise<unknown> }) {
  const [error, setError] = useState<Error | undefined>();
  const [saved, setSaved] = useState(false);
  const r = env.rules;
  const onSubmit = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    setSaved(false);
    try {
      await api(`${base}/environments/${enc(env.name)}`, { method: 'PUT', body: rulesFromForm(e.target as HTMLFormElement) });
      setSaved(true);
      await reload();
    } catch (err) {
      setError(err as Error);
    }
  };
  const list = (v: unknown) => (Array.isArray(v) ? v.join(', ') : '');
  return (
    <form class="rules-form" aria-label={`protection of ${env.name}`} onSubmit={(e) => void onSubmit(e)}>
      <fieldset>
        <legend>Approval</legend>
        <label>
          approvals required <input name="required" inputMode="numeric" size={3} defaultValue={r.approval?.required === undefined ? '' : String(r.approval.required)} />
        </label>{' '}
        <label>
          approvers <input name="approvers" placeholder="alice, bob (empty: any maintainer)" defaultValue={list(r.approval?.approvers)} />
        </label>{' '}
        <label>
          <input name="not_author" type="checkbox" defaultChecked={r.approval?.not_author === true} /> not the one who asked for it
        </label>{' '}
        <label>
          wait <input name="wait" placeholder="10m" size={6} defaultValue={r.approval?.wait ?? ''} />
        </label>
      </fieldset>
      <label>
        branches <input name="branches" placeholder="main, release/*" defaultValue={list(r.branches)} />
      </label>{' '}
      <label>
        promote from <input name="promote_from" placeholder="staging" defaultValue={r.promote_from ?? ''} />
      </label>{' '}
      <label>
        hosts <input name="hosts" placeholder="ssh://deploy@web-1" defaultValue={list(r.hosts)} />
      </label>{' '}
      <button type="submit">Save protection</button>
      {saved && !error && <span class="muted"> saved</span>}
      <ErrorBox error={error} />
    </form>
  );
}

function EnvironmentSecrets({ base, env, project }: { base: string; env: string; project: Project }) {
  const user = useUser();
  const path = `${base}/environments/${enc(env)}/secrets`;
  const secrets = useLoad(() => api<{ name: string }[]>(path), [path]);
  const [error, setError] = useState<Error | undefined>();
  const write = can(user, 'secrets.write', project, env);
  const onSubmit = async (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    setError(undefined);
    try {
      await api(`${path}/${enc(field(form, 'name'))}`, { method: 'PUT', body: { value: String(new FormData(form).get('value') ?? '') } });
      form.reset();
      await secrets.reload();
    } catch (err) {
      setError(err as Error);
    }
  };
  return (
    <div class="env-secrets">
      <h4>Secrets of {env}</h4>
      <ErrorBox error={secrets.error} />
      {secrets.data?.length === 0 && <p class="muted">None.</p>}
      <ul class="plain">
        {(secrets.data ?? []).map((s) => (
          <li key={s.name} data-secret={s.name}>
            <code>{s.name}</code>{' '}
            {write && <ActionButton label="Remove" danger confirm={`This removes the secret ${s.name} of ${env}: deployments to ${env} will no longer see it.`} run={() => api(`${path}/${enc(s.name)}`, { method: 'DELETE' }).then(secrets.reload)} />}
          </li>
        ))}
      </ul>
      {write && (
        <form class="inline" onSubmit={(e) => void onSubmit(e)}>
          <input name="name" placeholder="NAME" required aria-label={`secret name for ${env}`} />
          <input name="value" type="password" placeholder="value" required aria-label={`secret value for ${env}`} autoComplete="off" />
          <button type="submit">Set</button>
          <ErrorBox error={error} />
        </form>
      )}
    </div>
  );
}

export function EnvironmentProtection({ project, envs, reload }: { project: Project; envs: EnvironmentRules[]; reload: () => Promise<unknown> }) {
  const user = useUser();
  const base = `/api/projects/${enc(project.name)}`;
  return (
    <>
      {envs.length === 0 && <p class="muted">No environments: deploy.yml on the default branch defines them.</p>}
      {envs.map((e) => {
        const protect = can(user, 'environments.protect', project, e.name);
        const fromServer = e.source.kind === 'server';
        return (
          <div key={e.name} class="env-rules" data-env={e.name}>
            <h3>
              {e.name} <span class="muted" data-testid="rules-source">({sourceText(e.source)})</span>
            </h3>
            <pre class="code">{JSON.stringify(e.rules, null, 2)}</pre>
            {protect && <RulesForm key={JSON.stringify(e.rules)} base={base} env={e} reload={reload} />}
            {protect && fromServer && (
              <ActionButton
                label="Remove server protection"
                danger
                confirm={`This removes the protection of ${e.name} set on the server: deploy.yml on the default branch protects it again (or nothing does, if it does not name ${e.name}).`}
                run={() => api(`${base}/environments/${enc(e.name)}`, { method: 'DELETE' }).then(reload)}
              />
            )}
            {can(user, 'secrets.list', project, e.name) && <EnvironmentSecrets base={base} env={e.name} project={project} />}
          </div>
        );
      })}
    </>
  );
}
