// A Node project's first workflow, moved unchanged from GitHub Actions: `actions/checkout`,
// `npm ci`, `npm test`, `npx` of a dependency's command. In the default job image
// (`ubuntu-latest`) its npm is the machine's, copied in; on the host executor
// (`[self-hosted, host]`) it is whatever the machine's PATH has. The dependency is a
// `file:` one, so nothing is fetched from a registry and the test needs no network.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { commitAndPush, jobLog, pushRun, removeDir, runLog, startHarness, type Harness } from '../support/harness.ts';
import { nodeProjectCopy } from '../support/node-project.ts';

const steps = `    steps:
      - uses: actions/checkout@v4
      - run: echo "node $(node --version), npm $(npm --version)"
      - run: npm ci
      - run: npm test
      - run: npx greet "from npx"
`;

const workflow = `name: ci
on: push
jobs:
  container:
    runs-on: ubuntu-latest
${steps}  host:
    runs-on: [self-hosted, host]
${steps}`;

void describe('a Node project moved from GitHub: npm ci, npm test and npx work', () => {
  let h: Harness;
  let app = '';

  before(async () => {
    h = await startHarness({ env: { SLIPWAY_RUNNER_HOST: 'true' } });
    app = await nodeProjectCopy('slipway-node-project-', workflow);
  });
  after(async () => {
    await h?.stop();
    if (app) await removeDir(app);
  });

  it('both jobs succeed, and the log of each shows npm and the tests at work', { timeout: 240_000 }, async () => {
    const sha = await commitAndPush(app, h, 'hello-node', 'a Node project', 'main');
    const run = await pushRun(h, 'hello-node', sha, 200_000);
    assert.equal(run.status, 'success', await runLog(h, run.id));
    assert.deepEqual(run.jobs.map((j) => [j.key, j.status]).sort(), [['container', 'success'], ['host', 'success']]);
    for (const job of run.jobs) {
      const log = await jobLog(h, run.id, job.id);
      const node = job.key === 'container' ? process.version.replace(/\./g, '\\.') : 'v\\d+\\.\\d+\\.\\d+';
      assert.match(log, new RegExp(`node ${node}, npm \\d+\\.\\d+\\.\\d+`), `${job.key}: node and npm on PATH (the job image's node is Slipway's)\n${log}`);
      assert.match(log, /added 1 package/, `${job.key}: npm ci installed the file: dependency\n${log}`);
      assert.match(log, /greets through the file: dependency/, `${job.key}: npm test ran node --test\n${log}`);
      assert.match(log, /[#ℹ] pass 1\b/, `${job.key}: the test passed\n${log}`);
      assert.match(log, /hello from npx/, `${job.key}: npx ran the dependency's command\n${log}`);
    }
  });
});
