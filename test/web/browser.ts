// Debian's Chromium driven by playwright-core, as the machine needs it (ENVIRONMENT.md):
// headless, no sandbox (root), no background networking (only loopback exists here), and a
// fresh profile per launch (Playwright makes a temporary user-data-dir). The web UI is
// built first when its sources changed, as `npm start` does.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { repoRoot } from '../support/harness.ts';

export async function buildWeb(): Promise<void> {
  await promisify(execFile)('sh', ['scripts/build-web.sh'], { cwd: repoRoot });
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** A page in its own browser context (own cookies), failing the test on any page error. */
export async function newPage(browser: Browser, errors: string[]): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  // Refusals the tests provoke are not errors; nor is ERR_NETWORK_CHANGED: Chromium cancels
  // requests in flight when the host's interfaces change, as podman's job and deploy networks
  // come and go beside the test (the live-update stream reconnects; a failed page load
  // would still fail the test's own assertions).
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    if (/Failed to load resource: (the server responded with a status of (401|403|409)|net::ERR_NETWORK_CHANGED)/.test(m.text())) return;
    errors.push(m.text());
  });
  return page;
}

/** Signs in through the sign-in page with a token. */
export async function signInWithToken(page: Page, url: string, token: string): Promise<void> {
  await page.goto(url);
  await page.getByRole('button', { name: 'Sign in with a token' }).click();
  await page.getByLabel('Token').fill(token);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByTestId('user').waitFor();
}
