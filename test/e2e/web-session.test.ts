// Signing in to the web UI against a real server over real HTTP: passwords and tokens open
// sessions, the cookie authenticates API calls, writes need the CSRF token, signing out ends
// the session, the UI's files come with their cache and security headers, and no /api 401
// makes a browser prompt for Basic credentials. (No runner: nothing here runs a job.)
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHarness, removeDir, type Harness } from '../support/harness.ts';
import { adminPasswordPath } from '../../src/auth/bootstrap-admin.ts';
import { runCli } from '../support/cli.ts';

interface SessionBody {
  user: { name: string; role: string };
  csrf: string | null;
}

describe('web sessions and the UI', () => {
  let h: Harness;
  let web: string;
  let base: string;

  before(async () => {
    web = await mkdtemp(join(tmpdir(), 'slipway-web-'));
    await mkdir(join(web, 'assets'));
    await writeFile(join(web, 'index.html'), '<!doctype html><script type="module" src="/assets/app-1a2b.js"></script>\n');
    await writeFile(join(web, 'assets/app-1a2b.js'), 'console.log("ui");\n');
    h = await startHarness({ env: { SLIPWAY_RUNNER_ENABLED: 'false' }, webDir: web });
    base = h.slipway.url;
  });
  after(async () => {
    await h.stop();
    await removeDir(h.dataDir);
    await removeDir(web);
  });

  const cookieOf = (res: Response) => /^slipway_session=([^;]*)/.exec(res.headers.get('set-cookie') ?? '')?.[1];

  async function signIn(body: Record<string, string>): Promise<{ res: Response; cookie: string; session: SessionBody }> {
    const res = await fetch(`${base}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(res.status, 200, await res.clone().text());
    return { res, cookie: cookieOf(res)!, session: (await res.json()) as SessionBody };
  }

  const call = (path: string, cookie: string, init: { method?: string; csrf?: string; body?: unknown } = {}) =>
    fetch(`${base}${path}`, {
      method: init.method ?? 'GET',
      headers: { cookie: `slipway_session=${cookie}`, ...(init.csrf ? { 'x-csrf-token': init.csrf } : {}), ...(init.body ? { 'content-type': 'application/json' } : {}) },
      ...(init.body ? { body: JSON.stringify(init.body) } : {}),
    });

  it('the first start prints the admin password beside the token and keeps it in DATA/admin.password', async () => {
    const password = (await readFile(adminPasswordPath(h.dataDir), 'utf8')).trim();
    assert.ok(password.length >= 20);
    assert.ok(h.logs.some((l) => l.includes(password) && l.includes('admin')), h.logs.join('\n'));
  });

  it('a password opens a session: HttpOnly, SameSite=Strict cookie; the cookie reads the API; writes need the CSRF token', async () => {
    const password = (await readFile(adminPasswordPath(h.dataDir), 'utf8')).trim();
    const { res, cookie, session } = await signIn({ user: 'admin', password });
    const setCookie = res.headers.get('set-cookie')!;
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Strict/);
    assert.match(setCookie, /Path=\//);
    assert.doesNotMatch(setCookie, /Secure/); // plain http here
    assert.deepEqual(session.user, { name: 'admin', role: 'admin' });
    assert.match(session.csrf ?? '', /^[A-Za-z0-9_-]{40,}$/);

    const again = await call('/api/session', cookie);
    assert.equal(again.status, 200);
    assert.deepEqual(await again.json(), session);
    assert.equal((await call('/api/projects', cookie)).status, 200);

    const noCsrf = await call('/api/tokens', cookie, { method: 'POST', body: { name: 'from-ui', scope: 'read' } });
    assert.equal(noCsrf.status, 403);
    assert.match(((await noCsrf.json()) as { error: { message: string } }).error.message, /csrf token missing or wrong/);
    const wrongCsrf = await call('/api/tokens', cookie, { method: 'POST', csrf: 'x'.repeat(43), body: { name: 'from-ui', scope: 'read' } });
    assert.equal(wrongCsrf.status, 403);
    const ok = await call('/api/tokens', cookie, { method: 'POST', csrf: session.csrf!, body: { name: 'from-ui', scope: 'read' } });
    assert.equal(ok.status, 201, await ok.clone().text());

    // A bearer token needs no CSRF token (the CLI is unchanged).
    const cli = await fetch(`${base}/api/tokens`, { method: 'POST', headers: { authorization: `Bearer ${h.slipway.adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'from-cli' }) });
    assert.equal(cli.status, 201);

    const audit = await h.api<{ action: string; actor: string; detail: { via?: string } }[]>('/api/audit?action=session.create');
    assert.ok(audit.some((e) => e.actor === 'admin' && e.detail.via === 'password'), JSON.stringify(audit));
  });

  it('signing out needs the CSRF token, ends the session and clears the cookie', async () => {
    const password = (await readFile(adminPasswordPath(h.dataDir), 'utf8')).trim();
    const { cookie, session } = await signIn({ user: 'admin', password });
    assert.equal((await call('/api/session', cookie, { method: 'DELETE' })).status, 403);
    const out = await call('/api/session', cookie, { method: 'DELETE', csrf: session.csrf! });
    assert.equal(out.status, 204);
    assert.match(out.headers.get('set-cookie') ?? '', /^slipway_session=;.*Max-Age=0/);
    const after = await call('/api/session', cookie);
    assert.equal(after.status, 401);
    assert.equal(after.headers.get('www-authenticate'), null);
    // The browser is told to forget a cookie whose session ended.
    assert.match(after.headers.get('set-cookie') ?? '', /^slipway_session=;.*Max-Age=0/);
    assert.equal((await call('/api/projects?project=x', cookie)).status, 200); // anonymous now: public listing only
  });

  it('a token opens a session with that token\'s scope, which ends when the token is revoked', async () => {
    const { token } = await h.api<{ token: string }>('/api/tokens', { method: 'POST', body: JSON.stringify({ name: 'ui-read', scope: 'read' }) });
    const { cookie, session } = await signIn({ token });
    assert.equal(session.user.name, 'admin');
    assert.equal((await call('/api/users', cookie)).status, 403); // users.list needs the admin scope
    const write = await call('/api/tokens', cookie, { method: 'POST', csrf: session.csrf!, body: { name: 'escalate' } });
    assert.equal(write.status, 403);
    assert.match(((await write.json()) as { error: { message: string } }).error.message, /missing scope/);
    const revoked = await fetch(`${base}/api/tokens/ui-read`, { method: 'DELETE', headers: { authorization: `Bearer ${h.slipway.adminToken}` } });
    assert.ok(revoked.ok, `${revoked.status}`);
    assert.equal((await call('/api/session', cookie)).status, 401);
  });

  it('a job or deployment token does not sign in; a cookie is no identity on git or the registry', async () => {
    const bad = await fetch(`${base}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: 'slpj_nothing' }) });
    assert.equal(bad.status, 401);
    assert.equal(bad.headers.get('www-authenticate'), null);
    const password = (await readFile(adminPasswordPath(h.dataDir), 'utf8')).trim();
    const { cookie } = await signIn({ user: 'admin', password });
    const gitRes = await call('/git/nothing.git/info/refs?service=git-upload-pack', cookie);
    assert.equal(gitRes.status, 401);
    assert.match(gitRes.headers.get('www-authenticate') ?? '', /^Basic/);
    const v2 = await call('/v2/', cookie);
    assert.equal(v2.status, 401);
    assert.match(v2.headers.get('www-authenticate') ?? '', /^Basic/);
  });

  it('users add gives an initial password; a user sets their own, not another\'s; a new password ends other sessions', async () => {
    const bob = await h.api<{ name: string; password: string }>('/api/users', { method: 'POST', body: JSON.stringify({ name: 'bob' }) });
    const first = await signIn({ user: 'bob', password: bob.password });
    assert.deepEqual(first.session.user, { name: 'bob', role: 'member' });
    const second = await signIn({ user: 'bob', password: bob.password });

    const other = await call('/api/users/admin/password', second.cookie, { method: 'PUT', csrf: second.session.csrf!, body: { password: 'not-bobs-to-set' } });
    assert.equal(other.status, 403);
    assert.match(((await other.json()) as { error: { message: string } }).error.message, /missing permission users\.password/);

    const set = await call('/api/users/bob/password', second.cookie, { method: 'PUT', csrf: second.session.csrf!, body: { password: 'bobs-new-password' } });
    assert.equal(set.status, 200, await set.clone().text());
    assert.equal((await call('/api/session', second.cookie)).status, 200); // the session that changed it stays
    assert.equal((await call('/api/session', first.cookie)).status, 401); // the other one ended
    const old = await fetch(`${base}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'bob', password: bob.password }) });
    assert.equal(old.status, 401);
    await signIn({ user: 'bob', password: 'bobs-new-password' });

    const generated = await h.api<{ password: string }>('/api/users/bob/password', { method: 'PUT', body: JSON.stringify({ generate: true }) });
    await signIn({ user: 'bob', password: generated.password });
  });

  it('the CLI: users add prints a password, users password --generate a new one; both sign in', async () => {
    const env = { PATH: process.env.PATH, HOME: h.dataDir, SLIPWAY_URL: base, SLIPWAY_TOKEN: h.slipway.adminToken };
    const add = await runCli(['users', 'add', 'carol'], { env });
    assert.equal(add.code, 0, add.stderr);
    const initial = /^password: (\S+)$/m.exec(add.stdout)?.[1];
    assert.ok(initial, add.stdout);
    await signIn({ user: 'carol', password: initial });
    const set = await runCli(['users', 'password', 'carol', '--generate'], { env });
    assert.equal(set.code, 0, set.stderr);
    const generated = /\(shown only now\): (\S+)$/m.exec(set.stdout)?.[1];
    assert.ok(generated, set.stdout);
    await signIn({ user: 'carol', password: generated });
    const empty = await runCli(['users', 'password', 'carol'], { env }); // stdin is empty: too short
    assert.equal(empty.code, 1);
    assert.match(empty.stderr, /at least 10/);
  });

  it('serves the UI: index.html no-cache for every page path, hashed assets immutable, security headers', async () => {
    for (const path of ['/', '/projects/hello/runs/run_1', '/settings?x=1']) {
      const res = await fetch(`${base}${path}`);
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get('cache-control'), 'no-cache', path);
      assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
      assert.match(await res.text(), /app-1a2b\.js/);
      assert.equal(res.headers.get('content-security-policy'), "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(res.headers.get('referrer-policy'), 'same-origin');
    }
    const asset = await fetch(`${base}/assets/app-1a2b.js`);
    assert.equal(asset.status, 200);
    assert.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.match(asset.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.equal((await fetch(`${base}/assets/missing.js`)).status, 404);
    // An UI path never needs credentials, and a stale Authorization header does not matter.
    assert.equal((await fetch(`${base}/`, { headers: { authorization: 'Bearer wrong' } })).status, 200);
  });

  it('no 401 from /api carries a Basic challenge; git and the registry keep theirs', async () => {
    for (const [path, init] of [['/api/users', {}], ['/api/session', {}], ['/api/runs?project=hello', { headers: { authorization: 'Bearer wrong' } }]] as const) {
      const res = await fetch(`${base}${path}`, init);
      assert.equal(res.status, 401, path);
      assert.equal(res.headers.get('www-authenticate'), null, path);
    }
    assert.match((await fetch(`${base}/git/x.git/info/refs?service=git-upload-pack`)).headers.get('www-authenticate') ?? '', /^Basic/);
  });

  it('GET /api/events streams only what the caller may read: another project\'s member sees none of its events', async () => {
    const mk = async (name: string) => (await h.api<{ name: string; token: string }>('/api/users', { method: 'POST', body: JSON.stringify({ name }) })).token;
    const alice = await mk('alice');
    const dave = await mk('dave');
    const as = (token: string, path: string, method: string, body?: unknown) =>
      fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    assert.equal((await as(alice, '/api/projects', 'POST', { name: 'alpha' })).status, 201);
    assert.equal((await as(dave, '/api/projects', 'POST', { name: 'delta' })).status, 201);

    // Objects as a push, its build and a deploy leave them; the bus says they changed.
    const { store, events } = h.slipway;
    const seed = async (name: string) => {
      const project = await store.projects.require(name);
      const sha = 'a'.repeat(40);
      const run = await store.runs.create({ projectId: project.id, workflow: 'ci.yml', name: 'ci', event: 'push', ref: 'refs/heads/main', sha, error: 'seeded', eventPayload: {}, jobs: [] });
      const release = await store.releases.create({ project_id: project.id, run_id: run.id, sha, ref: run.ref, image: `${name}/app`, digest: `sha256:${'b'.repeat(64)}` });
      const deployment = await store.deployments.create({ project_id: project.id, environment: 'dev', release_id: release.id, trigger: 'manual', triggered_by: 'admin' });
      return { run: run.id, release: release.id, deployment: deployment.id };
    };
    const a = await seed('alpha');
    const d = await seed('delta');

    const follow = async (token: string | undefined) => {
      const controller = new AbortController();
      const res = await fetch(`${base}/api/events`, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal: controller.signal });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
      const got: { type: string; project: string; id: string }[] = [];
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      const until = async (done: () => boolean) => {
        while (!done()) {
          const { value, done: ended } = await reader.read();
          if (ended) throw new Error('the stream ended');
          buffer += value;
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (!/^event:/m.test(block) && data) got.push(JSON.parse(data));
          }
        }
      };
      return { got, until, close: () => controller.abort() };
    };
    const aliceStream = await follow(alice);
    const daveStream = await follow(dave);
    const adminStream = await follow(h.slipway.adminToken);
    const anonymous = await follow(undefined);

    events.emit('run-updated', a.run);
    events.emit('job-updated', 'job_x', a.run);
    events.emit('release-created', a.release);
    events.emit('deployment-updated', a.deployment);
    events.emit('run-updated', d.run);
    events.emit('deployment-updated', d.deployment);
    const lastOf = (s: { got: { id: string }[] }) => () => s.got.some((e) => e.id === d.deployment);
    await daveStream.until(lastOf(daveStream));
    await adminStream.until(lastOf(adminStream));
    // Events arrive in order: once delta's last is in, alpha's would have come before it.
    assert.deepEqual(daveStream.got.map((e) => [e.type, e.project, e.id]), [['run-updated', 'delta', d.run], ['deployment-updated', 'delta', d.deployment]]);
    assert.equal(adminStream.got.length, 6);
    await aliceStream.until(() => aliceStream.got.length >= 4);
    assert.deepEqual(aliceStream.got.map((e) => [e.type, e.project, e.id]), [['run-updated', 'alpha', a.run], ['job-updated', 'alpha', 'job_x'], ['release-created', 'alpha', a.release], ['deployment-updated', 'alpha', a.deployment]]);

    // A public project's runs and releases reach anonymous followers; its deployments do not.
    assert.equal((await as(dave, '/api/projects/delta/visibility', 'PUT', { public: true })).status, 200);
    events.emit('deployment-updated', d.deployment);
    events.emit('run-updated', d.run);
    await anonymous.until(() => anonymous.got.length >= 1);
    assert.deepEqual(anonymous.got.map((e) => [e.type, e.project]), [['run-updated', 'delta']]);
    for (const s of [aliceStream, daveStream, adminStream, anonymous]) s.close();
  });

  // Last: the limiter then blocks this address for a while.
  it('wrong passwords get 401, are audited, and then 429 with Retry-After', async () => {
    const wrong = () => fetch(`${base}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'admin', password: 'not-the-password' }) });
    const first = await wrong();
    assert.equal(first.status, 401);
    assert.equal(first.headers.get('www-authenticate'), null);
    assert.match(((await first.json()) as { error: { message: string } }).error.message, /wrong user name or password/);
    const nobody = await fetch(`${base}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'nobody', password: 'whatever-it-is' }) });
    assert.match(((await nobody.json()) as { error: { message: string } }).error.message, /wrong user name or password/);
    const audit = await h.api<{ action: string; target: string | null; detail: { request?: string } }[]>('/api/audit?action=auth.failed');
    assert.ok(audit.some((e) => e.target === 'admin' && e.detail.request === 'POST /api/session'), JSON.stringify(audit));
    let status = 0;
    let retryAfter: string | null = null;
    for (let i = 0; i < 20 && status !== 429; i++) {
      const res = await wrong();
      status = res.status;
      retryAfter = res.headers.get('retry-after');
    }
    assert.equal(status, 429);
    assert.match(retryAfter ?? '', /^\d+$/);
  });
});
