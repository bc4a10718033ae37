// GitHub's container and runner syntax end to end (issue 12, "What to build" 3): a push to
// a real server runs a matrix whose legs pick their runner by `runs-on: ${{ matrix.os }}`,
// and a job in its own `container:` that shares a named volume with a service started by
// its `entrypoint` and `command`; the volume is the job's own and is gone after it.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, commitAndPush, removeDir, podman, pushRun, removeJobContainers, workingCopy, type Harness } from '../support/harness.ts';
import type { RunView } from '../support/api-views.ts';
import { busyboxImage, ensureBusyboxImage } from '../../src/build/base-image.ts';
import { jobVolumeName } from '../../src/runner/executors/container/job-volumes.ts';

const workflow = `name: github-syntax
on: push
jobs:
  legs:
    strategy:
      matrix:
        os: [ubuntu-latest, linux]
    runs-on: \${{ matrix.os }}
    steps:
      - run: echo "leg on \${{ matrix.os }}"
  shared:
    runs-on: ubuntu-latest
    container:
      image: ${busyboxImage}
      volumes: [site:/site]
    services:
      web:
        image: ${busyboxImage}
        volumes: ['site:/srv:ro']
        entrypoint: httpd
        command: -f -p 80 -h /srv
    steps:
      - name: write into the job's volume, read it back through the service
        run: |
          echo from-the-job > /site/page
          # The service is running; httpd may take a moment more to listen.
          for i in $(seq 50); do got=$(wget -q -O - http://web/page) && break; sleep 0.1; done
          test "$got" = from-the-job
`;

describe('GitHub container and runner syntax, end to end', () => {
  let h: Harness;
  let repo: string;
  let run: RunView;

  before(async () => {
    await ensureBusyboxImage();
    h = await startHarness();
    repo = await workingCopy('slipway-github-syntax-', { '.slipway/workflows/ci.yml': workflow });
    const sha = await commitAndPush(repo, h, 'syntax', 'github syntax', 'main');
    run = await pushRun(h, 'syntax', sha);
  });

  after(async () => {
    await h?.stop();
    await removeJobContainers(run?.jobs ?? []);
    await removeDir(repo);
    if (h) await removeDir(h.dataDir);
  });

  it('each matrix leg runs on the runner its own label picks', () => {
    const legs = run.jobs.filter((j) => j.key.startsWith('legs')).map((j) => [j.key, j.status]).sort();
    assert.deepEqual(legs, [['legs (linux)', 'success'], ['legs (ubuntu-latest)', 'success']]);
  });

  it('the job container and its service share the job\'s named volume, which is removed after the job', async () => {
    const job = run.jobs.find((j) => j.key === 'shared');
    assert.equal(job?.status, 'success', JSON.stringify(run.jobs));
    const exists = await podman('volume', 'exists', jobVolumeName(job!.id, 'site')).then(() => true, () => false);
    assert.equal(exists, false, 'the job\'s volume is gone');
  });
});
