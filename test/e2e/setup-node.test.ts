// The usual second step of a Node workflow moved from GitHub, `actions/setup-node@v4` with
// `node-version` and `cache: npm`, runs built in: the job's own Node answers it (the job
// image's Node 24, the machine's on the host executor), npm's cache is saved after the
// first run and restored in the next, and `npm ci` / `npm test` pass. A Node the job does
// not have (`node-version: 12`) fails the step with what to do, and nothing after it runs.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { commitAndPush, jobLog, pushRun, removeDir, runLog, startHarness, type Harness } from '../support/harness.ts';
import { nodeProjectCopy } from '../support/node-project.ts';

const steps = (setupWith: string) => `    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        id: node
        with: ${setupWith}
      - run: echo "setup-node node-version=\${{ steps.node.outputs.node-version }} cache-hit=\${{ steps.node.outputs.cache-hit }}"
      - run: npm ci
      - run: npm test
`;

const workflow = `name: ci
on: push
jobs:
  container:
    runs-on: ubuntu-latest
${steps('{ node-version: 24, cache: npm }')}  host:
    runs-on: [self-hosted, host]
${steps("{ node-version: '>=18', cache: npm, cache-dependency-path: 'package*.json' }")}  old:
    runs-on: ubuntu-latest
${steps('{ node-version: 12 }')}`;

void describe('actions/setup-node@v4 built in: the job\'s Node, npm\'s cache, and a clear failure for a Node not there', () => {
  let h: Harness;
  let app = '';

  before(async () => {
    h = await startHarness({ env: { SLIPWAY_RUNNER_HOST: 'true' } });
    app = await nodeProjectCopy('slipway-setup-node-', workflow);
  });
  after(async () => {
    await h?.stop();
    if (app) await removeDir(app);
  });

  it('node 24 and >=18 pass with npm ci and npm test, node 12 fails naming what to do; the second run restores npm\'s cache', { timeout: 280_000 }, async () => {
    for (const round of [1, 2]) {
      const sha = await commitAndPush(app, h, 'hello-node', `round ${round}`, 'main');
      const run = await pushRun(h, 'hello-node', sha, 130_000);
      const all = await runLog(h, run.id);
      assert.deepEqual(run.jobs.map((j) => [j.key, j.status]).sort(), [['container', 'success'], ['host', 'success'], ['old', 'failure']], all);
      for (const job of run.jobs) {
        const log = await jobLog(h, run.id, job.id);
        if (job.key === 'old') {
          assert.match(log, /actions\/setup-node: node-version "12" wants a Node this job does not have: "12" is not satisfied by v24\.\d+\.\d+\. The job's node is v24\.\d+\.\d+, and Slipway never downloads one\. Run the job where that Node is: map its runs-on label to an image that has it/, log);
          assert.doesNotMatch(log, /setup-node node-version=/, 'the steps after it did not run');
          continue;
        }
        const node = job.key === 'container' ? process.version.replace(/\./g, '\\.') : 'v\\d+\\.\\d+\\.\\d+';
        assert.match(log, new RegExp(`Using Node ${node} already on this runner \\(no download: ${node} satisfies "${job.key === 'container' ? '24' : '>=18'}"\\)`), `${job.key}\n${log}`);
        assert.match(log, new RegExp(`setup-node node-version=${node} cache-hit=${round === 2}`), `${job.key}, round ${round}\n${log}`);
        if (round === 1) {
          assert.match(log, /npm cache is not found/, `${job.key}\n${log}`);
          assert.match(log, new RegExp(`Cache saved with the key: node-cache-Linux-${process.arch}-npm-[0-9a-f]{64}`), `${job.key}: the post step saved ~/.npm\n${log}`);
        } else {
          assert.match(log, new RegExp(`Cache restored from key: node-cache-Linux-${process.arch}-npm-[0-9a-f]{64}`), `${job.key}\n${log}`);
          assert.doesNotMatch(log, /Cache saved/, `${job.key}: an exact hit is not saved again\n${log}`);
        }
        assert.match(log, /added 1 package/, `${job.key}: npm ci\n${log}`);
        assert.match(log, /[#ℹ] pass 1\b/, `${job.key}: npm test\n${log}`);
      }
    }
  });
});
