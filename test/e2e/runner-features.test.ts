// One real server, two pushes of a small generated repository: annotations and step
// summaries through the API, a composite action with outputs, a docker:// step, an
// artifact uploaded by one job and downloaded by the next, a cache hit on the second run,
// and a service container reached by name from a `container:` job and through
// localhost:<port> from a host job. Real git, real podman.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { commitAndPush, podman, removeDir, startHarness, waitFor, workingCopy, type Harness } from '../support/harness.ts';
import { busyboxImage, ensureBusyboxImage } from '../../src/build/base-image.ts';
import { webService } from '../support/workflow-snippets.ts';

const workflow = `name: features
on: push
jobs:
  build:
    runs-on: self-hosted
    outputs:
      hit: \${{ steps.cache.outputs.cache-hit }}
      line: \${{ steps.greet.outputs.line }}
    services:
      web: &web
${webService}
    steps:
      - name: annotate
        run: |
          echo "::error file=app.js,line=3,col=5,title=Oops::bad%0Athing"
          echo "::add-mask::hunter2"
          echo "the password is hunter2"
          echo "### Build summary" >> "$GITHUB_STEP_SUMMARY"
          echo "::group::details"
          echo "::warning::careful"
          echo "::endgroup::"
      - id: greet
        uses: ./.github/actions/greet
        with:
          who: world
      - run: test "\${{ steps.greet.outputs.line }}" = "Hello world"
      # Jobs run in a container on the job's network: services answer by name (the host's
      # loopback, where their ports are published, is out of a job's reach).
      - name: service by name from the job container
        run: test "$(wget -q -O - http://web/hostname)" = websvc && test -n "\${{ job.services.web.ports['80'] }}"
      - uses: docker://${busyboxImage}
        with:
          args: sh -c "echo ::notice::from-docker; pwd > where.txt"
      - run: test "$(cat where.txt)" = /github/workspace
      - id: cache
        uses: actions/cache@v4
        with:
          path: deps
          key: deps-\${{ hashFiles('lock.txt') }}
      - if: steps.cache.outputs.cache-hit != 'true'
        run: mkdir -p deps && echo built > deps/out.txt
      - run: mkdir -p dist && echo "artifact body" > dist/out.txt
      - uses: actions/upload-artifact@v4
        with:
          name: dist
          path: dist
  consume:
    needs: build
    if: github.run_number == 1
    runs-on: self-hosted
    container:
      image: ${busyboxImage}
    services:
      web: *web
    steps:
      - run: test "$(wget -q -O - http://web/hostname)" = websvc
      - uses: actions/download-artifact@v4
        with:
          name: dist
          path: got
      - run: test "$(cat got/out.txt)" = "artifact body"
      - run: echo "## consumed" >> "$GITHUB_STEP_SUMMARY"
`;

const greet = `name: greet
inputs:
  who: { required: true }
  greeting: { default: Hello }
outputs:
  line:
    value: \${{ steps.say.outputs.line }}
runs:
  using: composite
  steps:
    - id: say
      shell: sh
      run: echo "line=\${{ inputs.greeting }} \${{ inputs.who }}" >> "$GITHUB_OUTPUT"
    - shell: sh
      run: test -f "$GITHUB_ACTION_PATH/action.yml"
`;

interface RunView { id: string; status: string; jobs: { key: string; status: string; outputs: Record<string, string> }[] }

let h: Harness;
let repo: string;
before(async () => {
  await ensureBusyboxImage(busyboxImage);
  h = await startHarness();
  repo = await workingCopy('slipway-features-', { '.slipway/workflows/ci.yml': workflow, '.github/actions/greet/action.yml': greet, 'lock.txt': 'v1\n' });
});
after(async () => {
  await h?.stop();
  await removeDir(repo);
  await removeDir(h?.dataDir ?? '');
  // Nothing the jobs started may outlive them.
  assert.equal(await podman('ps', '-a', '--filter', 'label=slipway.service', '--format', '{{.Names}}'), '');
});

async function finishedRun(number: number): Promise<RunView> {
  return waitFor(`run ${number}`, async () => {
    const run = await h.api<RunView>(`/api/runs/features%23${number}`).catch(() => undefined);
    return run && ['success', 'failure', 'cancelled'].includes(run.status) ? run : undefined;
  }, 60_000);
}

test('runner features end to end', { timeout: 120_000 }, async () => {
  await h.api('/api/projects', { method: 'POST', body: JSON.stringify({ name: 'features' }) });
  await commitAndPush(repo, h, 'features', 'first', 'main');
  const first = await finishedRun(1);
  const logs = await fetch(`${h.slipway.url}/api/runs/${first.id}/logs`, { headers: { authorization: `Bearer ${h.slipway.adminToken}` } }).then((r) => r.text());
  assert.equal(first.status, 'success', logs);
  assert.match(logs, /the password is \*\*\*/);
  assert.doesNotMatch(logs, /hunter2/);
  assert.match(logs, /##\[group\]details\n##\[warning\]careful\n##\[endgroup\]/);
  assert.deepEqual(first.jobs.map((j) => [j.key, j.status]), [['build', 'success'], ['consume', 'success']]);
  assert.equal(first.jobs[0]!.outputs.line, 'Hello world');
  assert.equal(first.jobs[0]!.outputs.hit, '');

  const annotations = await h.api<{ job: string; step: number; level: string; message: string; title: string; file: string; line: number; column: number }[]>(`/api/runs/${first.id}/annotations`);
  assert.deepEqual(annotations.map((a) => [a.job, a.step, a.level, a.message]), [
    ['build', 1, 'error', 'bad\nthing'], ['build', 1, 'warning', 'careful'], ['build', 5, 'notice', 'from-docker'],
  ]);
  assert.deepEqual([annotations[0]!.file, annotations[0]!.line, annotations[0]!.column, annotations[0]!.title], ['app.js', 3, 5, 'Oops']);
  const summary = await h.api<{ markdown: string; steps: { job: string; step: number }[] }>(`/api/runs/${first.id}/summary`);
  assert.equal(summary.markdown, '### Build summary\n\n## consumed\n');
  assert.deepEqual(summary.steps.map((s) => [s.job, s.step]), [['build', 1], ['consume', 4]]);
  const artifacts = await h.api<{ name: string; size: number }[]>(`/api/runs/${first.id}/artifacts`);
  assert.deepEqual(artifacts.map((a) => a.name), ['dist']);
  const download = await fetch(`${h.slipway.url}/api/runs/${first.id}/artifacts/dist`, { headers: { authorization: `Bearer ${h.slipway.adminToken}` } });
  assert.equal(download.headers.get('content-type'), 'application/gzip');
  assert.equal((await download.arrayBuffer()).byteLength, artifacts[0]!.size);

  await commitAndPush(repo, h, 'features', 'second', 'main');
  const second = await finishedRun(2);
  assert.equal(second.status, 'success');
  assert.equal(second.jobs[0]!.outputs.hit, 'true');
  assert.equal(second.jobs[1]!.status, 'skipped');
});
