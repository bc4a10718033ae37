// Web UI figures (issue 11 "Measure"), in Debian's Chromium against a real server: time to
// first render of the run page of a finished run (target < 300 ms), time until the last
// line of a 200,000-line log is on screen (target < 1 s), and the JavaScript the first page
// loads, gzipped (target < 150 kB). Times are `performance.now()` in the page when the
// element appears: milliseconds since navigation start, with a warm HTTP cache for the
// hashed assets (as a returning user has) and a fresh session's data.
// Jobs run on the host executor (no containers), so the figures are the UI's and the API's.
// Usage: node bench/web.ts [--iterations N]
import { mkdtemp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { startHarness, commitAndPush, git, waitFor, removeDir, repoRoot } from '../test/support/harness.ts';
import type { RunView } from '../test/support/api-views.ts';
import { buildWeb, launchBrowser } from '../test/web/browser.ts';

const { values } = parseArgs({ options: { iterations: { type: 'string', default: '7' } } });
const iterations = Number(values.iterations);
const lines = 200_000;

const workflow = `name: bench
on: push
jobs:
  build:
    runs-on: host
    steps:
      - run: echo building
      - run: printf '\\033[32mok\\033[0m %s\\n' one two three
  test:
    needs: build
    runs-on: host
    strategy: { matrix: { shard: [1, 2, 3] } }
    steps:
      - run: echo "shard \${{ matrix.shard }}"
  log:
    needs: build
    runs-on: host
    steps:
      - run: seq -f 'line %g of the big log' 1 ${lines}
`;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

await buildWeb();
const h = await startHarness({ env: { SLIPWAY_RUNNER_HOST: 'true' } });
const repo = await mkdtemp(join(tmpdir(), 'slipway-bench-web-'));
const browser = await launchBrowser();
try {
  await mkdir(join(repo, '.slipway/workflows'), { recursive: true });
  await writeFile(join(repo, '.slipway/workflows/ci.yml'), workflow);
  await git(repo, 'init', '-q', '-b', 'main');
  const sha = await commitAndPush(repo, h, 'bench', 'bench', 'main');
  const run = await waitFor('the bench run', async () => {
    const r = (await h.api<RunView[]>('/api/runs?project=bench')).find((x) => x.sha === sha);
    return r && r.status === 'success' ? r : undefined;
  }, 120_000);

  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const signIn = await context.request.post(`${h.slipway.url}/api/session`, { data: { token: h.slipway.adminToken } });
  if (!signIn.ok()) throw new Error(`sign-in: ${signIn.status()} ${await signIn.text()}`);
  const page = await context.newPage();
  const timeTo = async (url: string, selector: string) => {
    await page.goto('about:blank');
    await page.goto(url);
    await page.locator(selector).first().waitFor({ timeout: 30_000 });
    return page.evaluate(() => performance.now());
  };
  // The run page is "rendered" when its header, job graph and the open job's steps show.
  const runUrl = `${h.slipway.url}/p/bench/runs/${run.number}/jobs/build`;
  const lastLine = `.line[data-line="${lines + 2}"]`; // checkout line, the step's group header, then the log
  const logUrl = `${h.slipway.url}/p/bench/runs/${run.number}/jobs/log#L${lines + 2}`;
  await timeTo(runUrl, "[data-testid=job-graph] [data-job=log] [data-status=success]"); // warms the asset cache
  const runTimes: number[] = [];
  const logTimes: number[] = [];
  for (let i = 0; i < iterations; i++) {
    runTimes.push(await timeTo(runUrl, '[data-testid=job-graph] [data-job=log] [data-status=success]'));
    await page.locator('[data-job-panel=build] .steps [data-step]').first().waitFor();
    logTimes.push(await timeTo(logUrl, lastLine));
  }

  // The JavaScript index.html loads (entry and its static imports); lazily loaded pages excluded.
  const index = await readFile(join(repoRoot, 'web/dist/index.html'), 'utf8');
  const scripts = [...index.matchAll(/<(?:script[^>]*src|link[^>]*rel="modulepreload"[^>]*href)="\/([^"]+\.js)"/g)].map((m) => m[1]!);
  let gzip = 0;
  let raw = 0;
  for (const s of scripts) {
    const body = await readFile(join(repoRoot, 'web/dist', s));
    raw += body.length;
    gzip += gzipSync(body, { level: 9 }).length;
  }

  const row = (what: string, value: string, target: string) => console.log(`${what.padEnd(44)} ${value.padStart(12)}   target ${target}`);
  console.log(`web UI, Chromium ${browser.version()}, ${iterations} iterations (medians; min–max)`);
  row('run page first render (finished run)', `${median(runTimes).toFixed(0)} ms`, '< 300 ms');
  console.log(`${''.padEnd(44)} ${`${Math.min(...runTimes).toFixed(0)}–${Math.max(...runTimes).toFixed(0)} ms`.padStart(12)}`);
  row(`last line of a ${lines.toLocaleString('en')}-line log on screen`, `${median(logTimes).toFixed(0)} ms`, '< 1 s');
  console.log(`${''.padEnd(44)} ${`${Math.min(...logTimes).toFixed(0)}–${Math.max(...logTimes).toFixed(0)} ms`.padStart(12)}`);
  row('JS of the first page (gzip)', `${(gzip / 1024).toFixed(1)} kB`, '< 150 kB');
  console.log(`${''.padEnd(44)} ${`${(raw / 1024).toFixed(1)} kB raw`.padStart(12)}   (${scripts.join(', ')})`);
} finally {
  await browser.close();
  await h.stop();
  await removeDir(repo);
  await removeDir(h.dataDir);
}
