// A job container reaches the server the runner talks to (on the host's loopback) through
// the forwarder on its own network's gateway, and only that server: another container
// cannot use the forwarder, and the job's network goes with the job. Real podman.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { busyboxImage, ensureBusyboxImage } from '../../../build/base-image.ts';
import { runTool } from '../../../build/run-tool.ts';
import { bareJob } from '../contract-support.ts';
import { ContainerExecutor } from './container-executor.ts';
import { inSubnet, loopbackTwin, needsForward } from './server-forward.ts';

let server: Server;
let serverUrl = '';
let workspace = '';

before(async () => {
  await ensureBusyboxImage(busyboxImage);
  server = createServer((req, res) => res.end(`slipway saw ${req.url} from ${req.socket.remoteAddress}`));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  serverUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  workspace = await realpath(await mkdtemp(join(tmpdir(), 'slipway-forward-')));
});
after(async () => {
  server.close();
  await rm(workspace, { recursive: true, force: true });
});

test('addresses in and out of a subnet; which URLs need a forwarder', () => {
  assert.equal(inSubnet('10.89.3.7', '10.89.3.0/24'), true);
  assert.equal(inSubnet('::ffff:10.89.3.7', '10.89.3.0/24'), true);
  assert.equal(inSubnet('10.89.4.7', '10.89.3.0/24'), false);
  assert.equal(inSubnet('10.88.0.5', '10.89.0.0/24'), false);
  assert.equal(inSubnet('127.0.0.1', '10.89.0.0/24'), false);
  assert.equal(inSubnet('fe80::1', '10.89.0.0/24'), false);
  assert.equal(needsForward(new URL('http://127.0.0.1:8080')), true);
  assert.equal(needsForward(new URL('http://localhost:8080')), true);
  assert.equal(needsForward(new URL('http://[::1]:8080')), true);
  assert.equal(needsForward(new URL('https://ci.example.com')), false);
  assert.equal(loopbackTwin('10.89.3.7'), '127.89.3.7');
  assert.equal(loopbackTwin('::ffff:10.89.3.7'), '127.89.3.7');
  assert.equal(loopbackTwin('10.0.0.1'), '127.0.0.2', 'never the admin\'s own 127.0.0.1');
});

test('a job container reaches the loopback server through its gateway; other containers cannot', { timeout: 60_000 }, async () => {
  const name = `slipway-test-${randomBytes(4).toString('hex')}`;
  const executor = new ContainerExecutor({ container: { image: busyboxImage, env: {} }, name });
  const outsider = `${name}-outsider`;
  try {
    const env = await executor.setup({ ...bareJob(workspace), jobId: name, serverUrl });
    const network = `slipway-${name}`;
    assert.ok(env.serverUrl, 'the executor names the URL steps use');
    const url = new URL(env.serverUrl);
    assert.equal(needsForward(url), false, `${env.serverUrl} is not the host's loopback`);
    assert.equal(env.network, network, 'the job has a network of its own');

    let output = '';
    const outcome = await executor.run({ script: `wget -qO- ${env.serverUrl}/api/x`, cwd: workspace, env: {}, onOutput: (t) => (output += t) });
    assert.equal(outcome.exitCode, 0, output);
    // From the container's loopback twin: the server tells this job apart from the admin's CLI.
    assert.match(output, /^slipway saw \/api\/x from 127\.\d+\.\d+\.\d+$/);
    assert.doesNotMatch(output, /from 127\.0\.0\.1$/);

    // A container outside the job's network (podman's default one) is turned away.
    const tried = await runTool('podman', ['run', '--rm', '--name', outsider, busyboxImage, 'timeout', '5', 'wget', '-qO-', `${env.serverUrl}/api/x`]);
    assert.notEqual(tried.exitCode, 0, tried.output);
    assert.doesNotMatch(tried.output, /slipway saw/);
  } finally {
    await executor.teardown();
    await runTool('podman', ['rm', '--force', '--ignore', outsider]);
  }
  assert.equal((await runTool('podman', ['network', 'exists', `slipway-${name}`])).exitCode, 1, 'the job network is gone');
});
