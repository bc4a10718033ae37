// The web UI in a real browser (Debian's Chromium through playwright-core) against a real
// server: real git pushes, real runs in containers, real deployments on the local target.
// Every step is what a user does: sign in, watch, click; then the served app, the API or
// the CLI says whether it happened.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startHarness, helloWorkingCopy, commitAndPush, waitFor, freePort, removeDir, podman, git, repoRoot, type Harness } from '../support/harness.ts';
import { finished, type DeploymentView, type RunView } from '../support/api-views.ts';
import { runCli } from '../support/cli.ts';
import { buildWeb, launchBrowser, newPage, signInWithToken } from './browser.ts';

const slowWorkflow = `name: slow
on:
  push:
    branches: [slow]
jobs:
  wait:
    runs-on: self-hosted
    steps:
      - run: echo waiting; sleep 300
`;

const gatedWorkflow = `name: gated
on:
  push:
    branches: [gated]
jobs:
  ship:
    runs-on: self-hosted
    environment: production
    steps:
      - run: echo shipped
`;

/** SLIPWAY_SCREENSHOTS=1 writes the README's pictures (docs/images/NAME.png) as the test passes by. */
async function screenshot(page: Page, name: string): Promise<void> {
  if (!process.env.SLIPWAY_SCREENSHOTS) return;
  await page.waitForTimeout(300); // fonts and the last frame
  await page.screenshot({ path: join(repoRoot, 'docs/images', `${name}.png`) });
}

describe('the web UI', () => {
  let h: Harness;
  let browser: Browser;
  let repo: string;
  let devPort: number;
  let prodPort: number;
  let instance = '';
  const errors: string[] = [];
  const tokens: Record<string, string> = {};
  const shas: string[] = [];

  const served = async (port: number) => (await (await fetch(`http://127.0.0.1:${port}/up`)).text()).trim();
  const runOf = (sha: string, done = true) =>
    waitFor(`run of ${sha.slice(0, 7)}`, async () => {
      const r = (await h.api<RunView[]>('/api/runs?project=hello')).find((x) => x.sha === sha);
      return r && (!done || finished(r.status)) ? r : undefined;
    }, 180_000);
  const deployedToDev = (sha: string) =>
    waitFor(`dev deployment of ${sha.slice(0, 7)}`, async () => {
      const d = (await h.api<DeploymentView[]>('/api/deployments?project=hello&env=dev')).find((x) => x.release?.sha === sha);
      return d && finished(d.status) ? d : undefined;
    }, 120_000);
  const signedInPage = async (who: string) => {
    const page = await newPage(browser, errors);
    await signInWithToken(page, h.slipway.url, who === 'admin' ? h.slipway.adminToken : tokens[who]!);
    return page;
  };
  const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  before(async () => {
    await buildWeb();
    h = await startHarness();
    instance = (await readFile(join(h.dataDir, 'instance.id'), 'utf8')).trim();
    devPort = await freePort();
    prodPort = await freePort();
    repo = await helloWorkingCopy(devPort);
    // production: promoted from dev, behind one approval by someone who did not ask for it.
    const deployFile = join(repo, '.slipway/deploy.yml');
    await writeFile(deployFile, (await readFile(deployFile, 'utf8')).replace(/( {2}dev: .*\n)/, `$1  production: { promote_from: dev, hosts: [local], publish: ${prodPort}, approval: { required: 1, not_author: true } }\n`));
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await h?.stop();
    const all = (await podman('ps', '-a', '--filter', `label=slipway.instance=${instance}`, '--format', '{{.Names}}').catch(() => '')).split('\n').filter(Boolean);
    for (const name of all) await podman('rm', '-f', name).catch(() => {});
    await removeDir(repo);
    await removeDir(h?.dataDir ?? '');
  });

  it('signs in with the password printed at first start, refuses a wrong token, signs out', async () => {
    const page = await newPage(browser, errors);
    await page.goto(h.slipway.url);
    await page.getByRole('button', { name: 'Sign in with a token' }).click();
    await page.getByLabel('Token').fill('slp_wrong');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('alert').waitFor();
    await page.getByRole('button', { name: 'Sign in with a password' }).click();
    await page.getByLabel('User').fill('admin');
    await page.getByLabel('Password').fill((await readFile(join(h.dataDir, 'admin.password'), 'utf8')).trim());
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByTestId('user').waitFor();
    assert.equal(await page.getByTestId('user').textContent(), 'admin');
    await page.getByRole('heading', { name: 'Projects' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.context().close();
  });

  it('shows the pushed demo run going green, live, without reloading', { timeout: 240_000 }, async () => {
    const page = await signedInPage('admin');
    await page.evaluate(() => ((globalThis as unknown as { stillHere: boolean }).stillHere = true));
    const sha = await commitAndPush(repo, h, 'hello', 'first version');
    shas.push(sha);
    // The project appears on the open projects page; its run opens from there.
    await page.locator('[data-project=hello] a', { hasText: '#1' }).click({ timeout: 60_000 });
    await page.locator('[data-testid=job-graph] [data-job=image]').waitFor();
    await page.locator('.run-head [data-status=success]').waitFor({ timeout: 200_000 });
    assert.deepEqual(await page.locator('[data-testid=job-graph] [data-job] .status').allTextContents(), ['success', 'success']);
    assert.equal(await page.evaluate(() => (globalThis as unknown as { stillHere?: boolean }).stillHere), true, 'the page was never reloaded');
    await page.getByRole('link', { name: 'Projects' }).click();
    await page.locator('[data-project=hello] [data-env=dev] [data-status=success]').waitFor({ timeout: 60_000 });
    await screenshot(page, 'projects');
    await page.context().close();
    assert.equal((await deployedToDev(sha)).status, 'success');
    assert.equal(await served(devPort), sha);
  });

  it('opens a failing step at its error line', { timeout: 240_000 }, async () => {
    const index = join(repo, 'www/index.html');
    const good = await readFile(index, 'utf8');
    await writeFile(index, '<h1>Goodbye</h1>\n');
    const sha = await commitAndPush(repo, h, 'hello', 'breaks the test');
    await writeFile(index, good);
    const run = await runOf(sha);
    assert.equal(run.status, 'failure');
    const page = await signedInPage('admin');
    await page.goto(`${h.slipway.url}/p/hello/runs/${run.number}`);
    await page.locator('[data-job-panel=test]').waitFor();
    await page.locator('.steps [data-step] .status', { hasText: 'failure' }).first().waitFor();
    // The log opens at the first error, marked; the test's own message is just above it.
    const marked = page.locator('.line.marked');
    await marked.waitFor();
    assert.match((await marked.textContent()) ?? '', /Process completed with exit code 1/);
    await page.locator('.line', { hasText: 'FAIL: index page lacks the greeting' }).waitFor();
    // A link to a line: the URL names run, job and line.
    const line = await marked.getAttribute('data-line');
    await page.goto(`${h.slipway.url}/p/hello/runs/${run.number}/jobs/test#L${line}`);
    await page.locator(`.line.marked[data-line="${line}"]`).waitFor();
    await screenshot(page, 'run');
    await page.context().close();
  });

  it('cancels a running run', { timeout: 240_000 }, async () => {
    const slow = await mkdtemp(join(tmpdir(), 'slipway-slow-'));
    await mkdir(join(slow, '.slipway/workflows'), { recursive: true });
    await writeFile(join(slow, '.slipway/workflows/slow.yml'), slowWorkflow);
    await git(slow, 'init', '-q', '-b', 'slow');
    const sha = await commitAndPush(slow, h, 'hello', 'a slow one', 'slow');
    await removeDir(slow);
    const run = await runOf(sha, false);
    const page = await signedInPage('admin');
    await page.goto(`${h.slipway.url}/p/hello/runs/${run.number}`);
    await page.locator('.line', { hasText: 'waiting' }).first().waitFor({ timeout: 120_000 });
    await page.getByRole('button', { name: 'Cancel run' }).click();
    await page.locator('.run-head [data-status=cancelled]').waitFor({ timeout: 60_000 });
    assert.equal((await runOf(sha)).status, 'cancelled');
    await page.context().close();
  });

  it('a second maintainer approves a gated production deployment; the first, who asked for it, gets no button', { timeout: 240_000 }, async () => {
    for (const name of ['mia', 'max', 'vic']) {
      tokens[name] = (await h.api<{ token: string }>('/api/users', json({ name }))).token;
      await h.api(`/api/projects/hello/members/${name}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ role: name === 'vic' ? 'viewer' : 'maintainer' }) });
    }
    const mia = await signedInPage('mia');
    await mia.goto(`${h.slipway.url}/p/hello/deployments?env=production`);
    await mia.getByRole('button', { name: 'Promote from dev' }).click();
    const confirm = mia.getByRole('dialog');
    assert.match((await confirm.textContent()) ?? '', new RegExp(`This deploys release rel_\\w+ \\(commit ${shas[0]!.slice(0, 7)}\\), which serves in dev now, to production\\. It waits for approval first\\.`));
    await confirm.getByRole('button', { name: 'Yes, promote from dev' }).click();
    const gate = mia.getByTestId('gate');
    await gate.waitFor();
    await mia.getByTestId('approve-refusal').waitFor();
    assert.match((await mia.getByTestId('approve-refusal').textContent()) ?? '', /you requested this deployment/);
    assert.equal(await gate.getByRole('button', { name: 'Approve' }).count(), 0);

    const max = await signedInPage('max');
    await max.goto(`${h.slipway.url}/p/hello/deployments?env=production`);
    await max.getByTestId('gate').getByRole('button', { name: 'Approve' }).waitFor();
    await screenshot(max, 'deployments');
    await max.getByTestId('gate').getByRole('button', { name: 'Approve' }).click();
    // mia's page follows live: the gate opens and the deployment finishes.
    await mia.locator('[data-testid=deployment] h2 [data-status=success]').waitFor({ timeout: 120_000 });
    assert.equal(await served(prodPort), shas[0]);
    await mia.context().close();
    await max.context().close();
  });

  it('a job waiting at the production gate: its pusher sees why not, a maintainer approves from the run page, and it runs', { timeout: 240_000 }, async () => {
    const gated = await mkdtemp(join(tmpdir(), 'slipway-gated-'));
    await mkdir(join(gated, '.slipway/workflows'), { recursive: true });
    await writeFile(join(gated, '.slipway/workflows/gated.yml'), gatedWorkflow);
    await git(gated, 'init', '-q', '-b', 'gated');
    const sha = await commitAndPush(gated, h, 'hello', 'a gated job', 'gated');
    await removeDir(gated);
    const run = await waitFor('the job at the gate', async () => {
      const r = await runOf(sha, false);
      return r.jobs.find((j) => j.key === 'ship')?.status === 'waiting' ? r : undefined;
    }, 120_000);
    const url = `${h.slipway.url}/p/hello/runs/${run.number}/jobs/ship`;
    const admin = await signedInPage('admin');
    await admin.goto(url);
    await admin.getByTestId('approve-refusal').waitFor();
    assert.match((await admin.getByTestId('approve-refusal').textContent()) ?? '', /you pushed commit/);
    assert.equal(await admin.getByTestId('gate').getByRole('button', { name: 'Approve' }).count(), 0);
    const mia = await signedInPage('mia');
    await mia.goto(url);
    const gate = mia.getByTestId('gate');
    await gate.getByRole('button', { name: 'Approve' }).waitFor();
    assert.match((await gate.textContent()) ?? '', /0 of 1 approvals/);
    await gate.getByRole('button', { name: 'Approve' }).click();
    await mia.locator('[data-job-panel=ship] h2 [data-status=success]').waitFor({ timeout: 120_000 });
    await admin.locator('.line', { hasText: 'shipped' }).first().waitFor({ timeout: 60_000 });
    assert.equal((await runOf(sha)).status, 'success');
    await admin.context().close();
    await mia.context().close();
  });

  it('rolls back from the browser to an older release, and the old commit is served', { timeout: 240_000 }, async () => {
    await writeFile(join(repo, 'www/index.html'), '<h1>Hello from Slipway</h1><p>version 2</p>\n');
    const second = await commitAndPush(repo, h, 'hello', 'second version');
    shas.push(second);
    assert.equal((await deployedToDev(second)).status, 'success');
    assert.equal(await served(devPort), second);
    const page = await signedInPage('admin');
    await page.goto(`${h.slipway.url}/p/hello/deployments?env=dev`);
    const first = (await h.api<DeploymentView[]>('/api/deployments?project=hello&env=dev')).find((d) => d.release?.sha === shas[0] && d.status === 'success')!;
    await page.locator(`[data-deployment="${first.number}"]`).getByRole('button', { name: 'Roll back to this release' }).click();
    const confirm = page.getByRole('dialog');
    assert.match((await confirm.textContent()) ?? '', new RegExp(`This deploys release ${first.release!.id} \\(commit ${shas[0]!.slice(0, 7)}\\) to dev again, replacing release rel_\\w+ \\(commit ${second.slice(0, 7)}\\) that serves there now\\.`));
    await confirm.getByRole('button', { name: 'Yes, roll back to this release' }).click();
    await waitFor('the old commit served', async () => ((await served(devPort)) === shas[0] ? true : undefined), 120_000);
    await page.context().close();
  });

  it('a viewer sees no buttons, and forging the request gets 403 naming the permission', async () => {
    const page = await signedInPage('vic');
    const run = (await h.api<RunView[]>('/api/runs?project=hello')).find((r) => r.sha === shas[0])!;
    await page.goto(`${h.slipway.url}/p/hello/runs/${run.number}`);
    await page.locator('.run-head [data-status=success]').waitFor();
    await page.locator('[data-job-panel]').waitFor();
    assert.equal(await page.locator('main button', { hasText: /Re-run|Cancel/ }).count(), 0);
    await page.goto(`${h.slipway.url}/p/hello/deployments`);
    await page.locator('[data-deployment]').first().waitFor();
    assert.equal(await page.locator('main button', { hasText: /Roll back|Promote|Approve/ }).count(), 0);
    const forged = await page.evaluate(async (id) => {
      const session = (await (await fetch('/api/session')).json()) as { csrf: string };
      const res = await fetch(`/api/runs/${id}/rerun`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrf }, body: '{"jobs":"all"}' });
      return { status: res.status, body: await res.text() };
    }, run.id);
    assert.equal(forged.status, 403, forged.body);
    assert.match(forged.body, /missing permission runs\.control/);
    await page.context().close();
  });

  it('the metrics page shows the figures `slipway metrics --json` prints', async () => {
    const cli = await runCli(['metrics', 'hello', '--env', 'dev', '--days', '30', '--json'], { env: { PATH: process.env.PATH, HOME: h.dataDir, SLIPWAY_DATA: h.dataDir, SLIPWAY_URL: h.slipway.url, SLIPWAY_TOKEN: h.slipway.adminToken } });
    assert.equal(cli.code, 0, cli.stderr);
    const m = JSON.parse(cli.stdout) as { deployment_frequency: { total: number; per_week: number }; change_failure_rate: number | null };
    assert.ok(m.deployment_frequency.total >= 2, cli.stdout); // at least the first and the second version
    const page = await signedInPage('admin');
    await page.goto(`${h.slipway.url}/p/hello/metrics?env=dev&days=30`);
    const figures = page.getByTestId('metrics');
    await figures.waitFor();
    const frequency = (await figures.locator('[data-metric=deployment_frequency]').textContent()) ?? '';
    assert.match(frequency, new RegExp(`^${m.deployment_frequency.per_week.toFixed(2)} per week.*\\(${m.deployment_frequency.total} in 30 days\\)`));
    const cfr = (await figures.locator('[data-metric=change_failure_rate] b').textContent()) ?? '';
    assert.equal(cfr, m.change_failure_rate === null ? '—' : `${(m.change_failure_rate * 100).toFixed(1)} %`);
    await page.locator('.chart canvas').waitFor();
    await screenshot(page, 'metrics');
    await page.context().close();
  });

  it('no page raised an error in the browser', () => {
    assert.deepEqual(errors, []);
  });
});
