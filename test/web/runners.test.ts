// The Runners page (Settings → Runners, admins) and a job waiting for a runner, in Debian's
// Chromium against a real server: the built-in runner online with its labels and the job it
// runs now linked to its run; a job whose labels no runner offers says so on the run page;
// a non-admin gets no link and a refusal naming runners.read.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { startHarness, commitAndPush, waitFor, removeDir, podman, git, type Harness } from '../support/harness.ts';
import type { RunView } from '../support/api-views.ts';
import { buildWeb, launchBrowser, newPage, signInWithToken } from './browser.ts';

const workflow = `name: labels
on: push
jobs:
  wait:
    runs-on: self-hosted
    steps:
      - run: echo waiting; sleep 300
  gpu:
    runs-on: [self-hosted, gpu]
    steps:
      - run: echo never
`;

describe('the Runners page', () => {
  let h: Harness;
  let browser: Browser;
  let instance = '';
  let memberToken = '';
  const errors: string[] = [];

  before(async () => {
    await buildWeb();
    h = await startHarness();
    instance = (await readFile(join(h.dataDir, 'instance.id'), 'utf8')).trim();
    const dir = await mkdtemp(join(tmpdir(), 'slipway-runners-ui-'));
    await mkdir(join(dir, '.slipway/workflows'), { recursive: true });
    await writeFile(join(dir, '.slipway/workflows/labels.yml'), workflow);
    await git(dir, 'init', '-q', '-b', 'main');
    await commitAndPush(dir, h, 'labels', 'a job on a label nobody has', 'main');
    await removeDir(dir);
    memberToken = (await h.api<{ token: string }>('/api/users', { method: 'POST', body: JSON.stringify({ name: 'mo' }) })).token;
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await h?.stop();
    const all = (await podman('ps', '-a', '--filter', `label=slipway.instance=${instance}`, '--format', '{{.Names}}').catch(() => '')).split('\n').filter(Boolean);
    for (const name of all) await podman('rm', '-f', name).catch(() => {});
    if (h) await removeDir(h.dataDir);
  });

  it('an admin sees the built-in runner online, its labels and the job it runs, linked to the run', { timeout: 240_000 }, async () => {
    const run = await waitFor('the wait job to run', async () => {
      const runs = await h.api<RunView[]>('/api/runs?project=labels');
      const r = runs[0] && (await h.api<RunView>(`/api/runs/${runs[0].id}`));
      return r && r.jobs.find((j) => j.key === 'wait')?.status === 'running' ? r : undefined;
    }, 180_000);
    const page = await newPage(browser, errors);
    await signInWithToken(page, h.slipway.url, h.slipway.adminToken);
    await page.getByRole('link', { name: 'Runners' }).click();
    const row = page.locator('[data-runner^="builtin-"]');
    await row.locator('[data-online=true]').waitFor();
    for (const label of ['ubuntu-22.04', 'self-hosted']) assert.equal(await row.locator('.tag', { hasText: label }).count(), 1, label);
    const { name, concurrency } = (await h.api<{ name: string; concurrency: number }[]>('/api/runners')).find((r) => r.name.startsWith('builtin-'))!;
    assert.match((await row.locator('[data-capacity]').textContent()) ?? '', new RegExp(`^1/${concurrency} jobs at once · `));
    const link = row.getByRole('link', { name: `labels#${run.number}` });
    await link.waitFor();
    await link.click();
    await page.waitForURL(`**/p/labels/runs/${run.number}`);

    await page.goto(`${h.slipway.url}/p/labels/runs/${run.number}/jobs/gpu`);
    const waiting = page.getByTestId('waiting-for-runner');
    await waiting.waitFor({ timeout: 30_000 });
    assert.match((await waiting.textContent()) ?? '', /^waiting for a runner with labels \[self-hosted, gpu\]; online runners offer \[ubuntu-latest, .*slipway\]$/);
    // Paused by an admin on the page, the runner says so, the API agrees, and Resume undoes it.
    await page.getByRole('link', { name: 'Runners' }).click();
    const mine = page.locator(`[data-runner="${name}"]`);
    assert.equal(await mine.locator('button[name=remove]').count(), 0, 'the built-in runner has no credential to remove');
    await mine.locator('button[name=pause]').click();
    await mine.locator('[data-state=paused]').waitFor();
    assert.equal((await h.api<{ name: string; state: string }[]>('/api/runners')).find((r) => r.name === name)?.state, 'paused');
    await mine.locator('button[name=resume]').click();
    await mine.locator('button[name=pause]').waitFor();
    assert.equal((await h.api<{ name: string; state: string }[]>('/api/runners')).find((r) => r.name === name)?.state, 'active');
    await h.api(`/api/runs/${run.id}/cancel`, { method: 'POST' });
    await page.context().close();
  });

  it('a non-admin gets no Runners link, and the page names the missing permission', async () => {
    const page = await newPage(browser, errors);
    await signInWithToken(page, h.slipway.url, memberToken);
    assert.equal(await page.getByRole('link', { name: 'Runners' }).count(), 0);
    await page.goto(`${h.slipway.url}/settings/runners`);
    await page.getByRole('alert').filter({ hasText: 'runners.read' }).waitFor();
    await page.context().close();
  });

  it('no page raised an error in the browser', () => {
    assert.deepEqual(errors, []);
  });
});
