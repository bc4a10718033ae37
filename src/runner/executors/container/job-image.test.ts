// The default job image, made once per machine (its tag is a hash of its inputs, so every
// test and server shares it): the tools steps expect work inside it, bash is the default shell.
import assert from 'node:assert/strict';
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ContainerExecutor } from './container-executor.ts';
import { ensureJobImage, jobImageName } from '../../../build/job-image/job-image.ts';
import { findJobImageNpm } from '../../../build/job-image/job-image-npm.ts';

test('the job image has bash, git, curl, tar, gzip, xz, busybox, the Node that runs Slipway and npm', async () => {
  // The project's machines have npm (ENVIRONMENT: Node 20 with npm 11); the image carries it.
  const npm = await findJobImageNpm(await realpath(process.execPath));
  assert.ok(npm, 'this machine has an npm to put into the image');
  const image = await ensureJobImage();
  assert.equal(image, await jobImageName(), 'the name is the hash of the inputs, stable across calls');
  const workspace = await realpath(await mkdtemp(join(tmpdir(), 'slipway-job-image-')));
  const executor = new ContainerExecutor({ container: { image, env: {} }, name: `slipway-test-job-image-${process.pid}`, bashWhenAvailable: true });
  try {
    await executor.setup({ jobId: 'job-image', workspace, volumes: [], services: {}, onOutput: () => {} });
    let output = '';
    const outcome = await executor.run({
      script: [
        'echo "shell=${BASH_VERSION:+bash}"',
        'git init -q repo && git -C repo -c user.name=t -c user.email=t@t commit -q --allow-empty -m one && git -C repo log --format=%s',
        'curl --version | head -1 | cut -d" " -f1',
        'echo hi | gzip | xz | xz -d | gzip -d',
        'tar --version | head -1 | cut -d" " -f1-2',
        'busybox true && echo busybox',
        'node -e "console.log(process.version)"',
        'test -s /etc/ssl/certs/ca-certificates.crt && echo certificates',
        'echo "npm $(npm --version) npx $(npx --version)"',
        npm.corepack ? 'echo "corepack $(corepack --version)"' : 'echo "corepack none"',
        // npm's cache and config live in HOME, which a step can write.
        'npm config get cache && npm config get update-notifier',
      ].join('\n'),
      cwd: workspace, env: {}, onOutput: (text) => (output += text),
    });
    assert.equal(outcome.exitCode, 0, output);
    assert.equal(output, [
      'shell=bash', 'one', 'curl', 'hi', 'tar (GNU', 'busybox', process.version, 'certificates',
      `npm ${npm.npm.version} npx ${npm.npm.version}`, `corepack ${npm.corepack?.version ?? 'none'}`, '/root/.npm', 'false', '',
    ].join('\n'));
  } finally {
    await executor.teardown();
    await rm(workspace, { recursive: true, force: true });
  }
});
