// A project's settings: members and roles, environment protection, secret names (values
// are write-only: set, never shown), protected branches. Editing controls show only for
// maintainers (and admins); reading follows the role's read permissions.
import { api, enc } from '../api.ts';
import { can } from '../can.ts';
import { ActionButton, ErrorBox, Loading, Section } from '../components.tsx';
import { getProject } from '../data.ts';
import { useLoad } from '../load.ts';
import { useUser } from '../session.ts';
import type { EnvironmentRules, Member } from '../types.ts';
import { ProjectTabs } from './project-tabs.tsx';
import { EnvironmentProtection } from './settings-environments.tsx';

interface BranchRule {
  pattern: string;
  pushRoles: string[];
  allowForcePush: boolean;
  default: boolean;
}

const formValue = (form: HTMLFormElement, name: string) => String(new FormData(form).get(name) ?? '').trim();

export function SettingsPage({ project }: { project: string }) {
  const user = useUser();
  const base = `/api/projects/${enc(project)}`;
  const data = useLoad(async () => {
    const p = await getProject(project);
    const optional = <T,>(path: string, fallback: T) => api<T>(path).catch(() => fallback);
    const [members, envs, secrets, branches] = await Promise.all([
      optional<Member[]>(`${base}/members`, []),
      optional<EnvironmentRules[]>(`${base}/environments`, []),
      can(user, 'secrets.list', p) ? optional<{ name: string }[]>(`${base}/secrets`, []) : Promise.resolve(undefined),
      optional<BranchRule[]>(`${base}/protected-branches`, []),
    ]);
    return { p, members, envs, secrets, branches };
  }, [project]);
  if (!data.data) return <main>{data.error ? <ErrorBox error={data.error} /> : <Loading />}</main>;
  const { p, members, envs, secrets, branches } = data.data;
  const manage = can(user, 'members.write', p);
  const protect = can(user, 'protection.write', p);
  const writeSecrets = can(user, 'secrets.write', p);
  const submit = (f: (form: HTMLFormElement) => Promise<unknown>) => async (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    try {
      await f(form);
      form.reset();
      await data.reload();
    } catch (err) {
      window.alert((err as Error).message);
    }
  };
  return (
    <main>
      <ProjectTabs project={project} />
      <ErrorBox error={data.error} />
      <p class="muted">Your role here: {p.role ?? (user.role === 'admin' ? 'admin' : 'none')}</p>
      <div class="grid">
        <Section title="Members">
          <table class="list">
            <tbody>
              {members.map((m) => (
                <tr key={m.user} data-member={m.user}>
                  <td>{m.user}</td>
                  <td>{m.role}</td>
                  <td>{manage && <ActionButton label="Remove" danger confirm={`This removes ${m.user} from ${project}: they lose their ${m.role} role here.`} run={() => api(`${base}/members/${enc(m.user)}`, { method: 'DELETE' }).then(data.reload)} />}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {manage && (
            <form class="inline" onSubmit={(e) => void submit((f) => api(`${base}/members/${enc(formValue(f, 'user'))}`, { method: 'PUT', body: { role: formValue(f, 'role') } }))(e)}>
              <input name="user" placeholder="user" required aria-label="user" />
              <select name="role" aria-label="role">
                <option>viewer</option>
                <option>developer</option>
                <option>maintainer</option>
              </select>
              <button type="submit">Add or change</button>
            </form>
          )}
        </Section>
        <Section title="Environment protection">
          <EnvironmentProtection project={p} envs={envs} reload={data.reload} />
        </Section>
        {secrets && (
          <Section title="Project secrets">
            <p class="muted">Every job sees these. Values are write-only: set or replace them here, they are never shown. An environment's own secrets are under Environment protection.</p>
            <ul class="plain">
              {secrets.map((s) => (
                <li key={s.name}>
                  <code>{s.name}</code> {writeSecrets && <ActionButton label="Remove" danger confirm={`This removes the secret ${s.name}: jobs will no longer see secrets.${s.name}.`} run={() => api(`${base}/secrets/${enc(s.name)}`, { method: 'DELETE' }).then(data.reload)} />}
                </li>
              ))}
            </ul>
            {writeSecrets && (
              <form class="inline" onSubmit={(e) => void submit((f) => api(`${base}/secrets/${enc(formValue(f, 'name'))}`, { method: 'PUT', body: { value: String(new FormData(f).get('value')) } }))(e)}>
                <input name="name" placeholder="NAME" required aria-label="secret name" />
                <input name="value" type="password" placeholder="value" required aria-label="secret value" autoComplete="off" />
                <button type="submit">Set</button>
              </form>
            )}
          </Section>
        )}
        <Section title="Protected branches">
          <table class="list">
            <tbody>
              {branches.map((b) => (
                <tr key={b.pattern}>
                  <td>
                    <code>{b.pattern}</code> {b.default && <span class="tag">default</span>}
                  </td>
                  <td>push: {b.pushRoles.join(', ')}</td>
                  <td>{b.allowForcePush ? 'force-push allowed' : 'no force-push'}</td>
                  <td>{protect && <ActionButton label="Unprotect" danger confirm={`This removes the rule for ${b.pattern}: anyone who may push could force-push or delete those branches.`} run={() => api(`${base}/protected-branches/${enc(b.pattern)}`, { method: 'DELETE' }).then(data.reload)} />}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {protect && (
            <form class="inline" onSubmit={(e) => void submit((f) => api(`${base}/protected-branches/${enc(formValue(f, 'pattern'))}`, { method: 'PUT', body: { pushRoles: formValue(f, 'roles') === 'maintainer' ? ['maintainer'] : ['maintainer', 'developer'], allowForcePush: false } }))(e)}>
              <input name="pattern" placeholder="release/*" required aria-label="branch pattern" />
              <select name="roles" aria-label="who may push">
                <option value="developer">developers and maintainers push</option>
                <option value="maintainer">only maintainers push</option>
              </select>
              <button type="submit">Protect</button>
            </form>
          )}
        </Section>
      </div>
    </main>
  );
}
