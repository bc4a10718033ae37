// A 200,000-line log in the browser: it opens at a linked last line, scrolls, and search
// finds a line deep inside it, because the viewer renders only the rows in view. The job
// runs on the host executor (no container needed to print numbers).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { startHarness, commitAndPush, git, waitFor, removeDir, type Harness } from '../support/harness.ts';
import type { RunView } from '../support/api-views.ts';
import { buildWeb, launchBrowser, newPage, signInWithToken } from './browser.ts';

const lines = 200_000;
let h: Harness;
let browser: Browser;
let repo: string;

before(async () => {
  await buildWeb();
  h = await startHarness({ env: { SLIPWAY_RUNNER_HOST: 'true' } });
  browser = await launchBrowser();
  repo = await mkdtemp(join(tmpdir(), 'slipway-big-log-'));
  await mkdir(join(repo, '.slipway/workflows'), { recursive: true });
  await writeFile(join(repo, '.slipway/workflows/ci.yml'), `name: big\non: push\njobs:\n  big:\n    runs-on: host\n    steps:\n      - run: seq -f 'line %g of the big log' 1 ${lines}\n`);
  await git(repo, 'init', '-q', '-b', 'main');
});

after(async () => {
  await browser?.close();
  await h?.stop();
  await removeDir(repo);
  await removeDir(h?.dataDir ?? '');
});

test('a 200,000-line log opens at its last line, scrolls and is searched without freezing', { timeout: 180_000 }, async () => {
  const sha = await commitAndPush(repo, h, 'big', 'big log', 'main');
  const run = await waitFor('the big run', async () => {
    const r = (await h.api<RunView[]>('/api/runs?project=big')).find((x) => x.sha === sha);
    return r && r.status === 'success' ? r : undefined;
  }, 120_000);
  const errors: string[] = [];
  const page = await newPage(browser, errors);
  await signInWithToken(page, h.slipway.url, h.slipway.adminToken);
  // Line 1 checks out, line 2 opens the step's group, then the step's output.
  const last = lines + 2;
  await page.goto(`${h.slipway.url}/p/big/runs/${run.number}/jobs/big#L${last}`);
  const marked = page.locator(`.line.marked[data-line="${last}"]`);
  await marked.waitFor({ timeout: 20_000 });
  assert.equal(await marked.locator('.txt').textContent(), `line ${lines} of the big log`);
  // Only what is in view is in the page, not 200,000 rows.
  assert.ok((await page.locator('.line').count()) < 300);
  // Scrolling to the top answers within a frame or two.
  // (A string: this file is type-checked for Node, without the DOM's types.)
  const took = await page.evaluate<number>(`(async () => {
    const box = document.querySelector('.log-box');
    const start = performance.now();
    box.scrollTop = 0;
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    return performance.now() - start;
  })()`);
  await page.locator('.line[data-line="3"]').waitFor();
  assert.ok(took < 500, `scrolling to the top took ${took} ms`);
  await page.getByLabel('Search the log').fill('line 123456 of');
  await page.getByLabel('Search the log').press('Enter');
  await page.locator('.line.marked', { hasText: 'line 123456 of the big log' }).waitFor();
  assert.deepEqual(errors, []);
});
