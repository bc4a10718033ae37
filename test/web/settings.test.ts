// Settings in a real browser against a real server: a maintainer edits an environment's
// protection and secrets through the same API the CLI uses, sees the API's refusal next to
// the form, and the API then shows the change; developers and viewers get no forms.
// The project holds only deploy.yml (no workflow), so no run or container starts.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { startHarness, workingCopy, commitAndPush, removeDir, type Harness } from '../support/harness.ts';
import { buildWeb, launchBrowser, newPage, signInWithToken } from './browser.ts';

const deployYml = `service: hello
image: hello
port: 8080
environments:
  dev: { branch: main, hosts: [local], publish: 18081 }
  production: { promote_from: dev, hosts: [local], publish: 18082 }
`;

interface EnvView {
  name: string;
  source: { kind: string; updatedBy?: string };
  rules: { approval?: { required?: number; not_author?: boolean; approvers?: string[] }; promote_from?: string; hosts?: string[] };
}

describe('project settings in the web UI', () => {
  let h: Harness;
  let browser: Browser;
  let repo: string;
  const errors: string[] = [];
  const tokens: Record<string, string> = {};
  const put = (body: unknown) => ({ method: 'PUT', body: JSON.stringify(body) });
  const page = async (who: string) => {
    const p = await newPage(browser, errors);
    await signInWithToken(p, h.slipway.url, tokens[who]!);
    await p.goto(`${h.slipway.url}/p/hello/settings`);
    await p.locator('[data-env=production]').waitFor();
    return p;
  };

  before(async () => {
    await buildWeb();
    h = await startHarness();
    repo = await workingCopy('slipway-settings-', { '.slipway/deploy.yml': deployYml });
    await commitAndPush(repo, h, 'hello', 'environments only', 'main');
    for (const [name, role] of [['mia', 'maintainer'], ['dev', 'developer'], ['vic', 'viewer']] as const) {
      tokens[name] = (await h.api<{ token: string }>('/api/users', { method: 'POST', body: JSON.stringify({ name }) })).token;
      await h.api(`/api/projects/hello/members/${name}`, put({ role }));
    }
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await h?.stop();
    await removeDir(repo);
    await removeDir(h?.dataDir ?? '');
  });

  it('a maintainer sets an approval rule on production, sees a refusal next to the form, sets a secret and removes the server rule', async () => {
    const mia = await page('mia');
    const prod = mia.locator('[data-env=production]');
    assert.match((await prod.getByTestId('rules-source').textContent()) ?? '', /deploy\.yml on the default branch main/);
    const form = prod.getByRole('form', { name: 'protection of production' });

    // A value the API refuses: its message shows beside the form, nothing is stored.
    await form.getByLabel('approvals required').fill('two');
    await form.getByRole('button', { name: 'Save protection' }).click();
    const refusal = (await form.getByRole('alert').textContent()) ?? '';
    assert.match(refusal, /approval\.required/);
    assert.equal((await h.api<EnvView>('/api/projects/hello/environments/production')).source.kind, 'default-branch');

    await form.getByLabel('approvals required').fill('2');
    await form.getByLabel('approvers').fill('mia, max');
    await form.getByLabel('not the one who asked for it').check();
    await form.getByRole('button', { name: 'Save protection' }).click();
    await prod.getByTestId('rules-source').filter({ hasText: 'set on the server by mia' }).waitFor();
    const set = await h.api<EnvView>('/api/projects/hello/environments/production');
    assert.equal(set.source.kind, 'server');
    assert.deepEqual(set.rules.approval, { required: 2, not_author: true, approvers: ['mia', 'max'] });
    assert.equal(set.rules.promote_from, 'dev', 'keys the form did not change are kept');
    assert.deepEqual(set.rules.hosts, ['local']);

    // An environment secret: write-only, listed by name.
    await prod.getByLabel('secret name for production').fill('DB_PASSWORD');
    await prod.getByLabel('secret value for production').fill('hunter2');
    await prod.getByRole('button', { name: 'Set', exact: true }).click();
    await prod.locator('[data-secret=DB_PASSWORD]').waitFor();
    assert.deepEqual((await h.api<{ name: string }[]>('/api/projects/hello/environments/production/secrets')).map((s) => s.name), ['DB_PASSWORD']);
    assert.equal(await mia.getByText('hunter2').count(), 0);

    await prod.getByRole('button', { name: 'Remove server protection' }).click();
    const confirm = mia.getByRole('dialog');
    assert.match((await confirm.textContent()) ?? '', /deploy\.yml on the default branch protects it again/);
    await confirm.getByRole('button', { name: 'Yes, remove server protection' }).click();
    await prod.getByTestId('rules-source').filter({ hasText: 'deploy.yml on the default branch main' }).waitFor();
    const after = await h.api<EnvView>('/api/projects/hello/environments/production');
    assert.equal(after.source.kind, 'default-branch');
    assert.equal(after.rules.approval, undefined);
    await mia.context().close();
  });

  it('a developer sees environment secret names but no form; a viewer sees neither', async () => {
    for (const who of ['dev', 'vic']) {
      const p = await page(who);
      const prod = p.locator('[data-env=production]');
      assert.equal(await prod.locator('form').count(), 0, `${who} gets no form`);
      assert.equal(await prod.getByRole('button').count(), 0, `${who} gets no button`);
      assert.equal(await prod.locator('.env-secrets').count(), who === 'dev' ? 1 : 0);
      if (who === 'dev') await prod.locator('[data-secret=DB_PASSWORD]').waitFor();
      await p.context().close();
    }
  });

  it('no page raised an error in the browser (but the one refusal asked for)', () => {
    const refused = 'Failed to load resource: the server responded with a status of 400 (Bad Request)';
    assert.deepEqual(errors, [refused]);
  });
});
