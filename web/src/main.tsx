// The app: the session, the page for the URL, and the header. Pages live in pages/.
import { render } from 'preact';
import type { ComponentType } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import './style.css';
import { api, setCsrf, whenUnauthorized } from './api.ts';
import { closeEvents } from './events.ts';
import { interceptLinks, match, navigate, useLocation, type Location } from './router.ts';
import { SessionContext, type SessionState } from './session.ts';
import type { Session, SessionUser } from './types.ts';
import { SignIn } from './pages/sign-in.tsx';
import { Projects } from './pages/projects.tsx';
import { ProjectPage } from './pages/project.tsx';
import { RunPage } from './pages/run.tsx';
import { DeploymentsPage } from './pages/deployments.tsx';
import { ReleasesPage } from './pages/releases.tsx';
import { SettingsPage } from './pages/settings.tsx';
import { RunnersPage } from './pages/runners.tsx';
import { can } from './can.ts';

/** The metrics page with its charting library, loaded when first opened (most visits never chart). */
function LazyMetrics(props: { project: string; loc: Location }) {
  const [Page, setPage] = useState<ComponentType<{ project: string; loc: Location }> | null>(null);
  useEffect(() => {
    void import('./pages/metrics.tsx').then((m) => setPage(() => m.MetricsPage));
  }, []);
  return Page ? <Page {...props} /> : <p class="muted">Loading…</p>;
}

function Page() {
  const loc = useLocation();
  const p = loc.path;
  let m: Record<string, string> | null;
  if ((m = match('/p/:project/runs/:run/jobs/:job', p))) return <RunPage project={m.project!} run={Number(m.run)} job={m.job} loc={loc} />;
  if ((m = match('/p/:project/runs/:run', p))) return <RunPage project={m.project!} run={Number(m.run)} loc={loc} />;
  if ((m = match('/p/:project/deployments/:number', p))) return <DeploymentsPage project={m.project!} selected={Number(m.number)} loc={loc} />;
  if ((m = match('/p/:project/deployments', p))) return <DeploymentsPage project={m.project!} loc={loc} />;
  if ((m = match('/p/:project/releases', p))) return <ReleasesPage project={m.project!} />;
  if ((m = match('/p/:project/settings', p))) return <SettingsPage project={m.project!} />;
  if ((m = match('/p/:project/metrics', p))) return <LazyMetrics project={m.project!} loc={loc} />;
  if ((m = match('/p/:project', p))) return <ProjectPage project={m.project!} />;
  if (p === '/settings/runners') return <RunnersPage />;
  if (p === '/' || p === '/projects') return <Projects />;
  return (
    <main>
      <h1>Not found</h1>
      <p>
        No page at {p}. <a href="/">Projects</a>
      </p>
    </main>
  );
}

function Header({ user, signOut }: { user: SessionUser; signOut: () => Promise<void> }) {
  return (
    <header class="top">
      <a class="brand" href="/">
        Slipway
      </a>
      <nav>
        <a href="/">Projects</a>
        {can(user, 'runners.read') && <a href="/settings/runners">Runners</a>}
      </nav>
      <span class="who">
        <span data-testid="user">{user.name}</span> <span class="muted">({user.role})</span>
        <button onClick={() => void signOut()}>Sign out</button>
      </span>
    </header>
  );
}

function App() {
  const [user, setUser] = useState<SessionUser | null | undefined>(undefined);
  useEffect(() => {
    whenUnauthorized(() => setUser(null));
    api<Session>('/api/session')
      .then((s) => {
        setCsrf(s.csrf);
        setUser(s.user);
      })
      .catch(() => setUser(null));
  }, []);
  const state = useMemo<SessionState>(
    () => ({
      user,
      async signIn(body) {
        const s = await api<Session>('/api/session', { method: 'POST', body });
        setCsrf(s.csrf);
        setUser(s.user);
      },
      async signOut() {
        await api('/api/session', { method: 'DELETE' }).catch(() => {});
        closeEvents();
        setCsrf('');
        setUser(null);
        navigate('/');
      },
    }),
    [user],
  );
  if (user === undefined) return <p class="muted boot">Loading…</p>;
  return (
    <SessionContext.Provider value={state}>
      {user ? (
        <>
          <Header user={user} signOut={state.signOut} />
          <Page />
        </>
      ) : (
        <SignIn />
      )}
    </SessionContext.Provider>
  );
}

interceptLinks();
render(<App />, document.getElementById('app')!);
