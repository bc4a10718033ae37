import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { isSlipwayError } from '../../core/errors.ts';
import { parseDeployConfig } from '../config/parse-deploy-config.ts';
import type { DeployConfig } from '../config/deploy-config.ts';
import { deployToHost, labels } from './engine.ts';
import type { HostDeployRequest } from './engine.ts';
import { builtInProxy } from '../proxy/builtin/builtin-proxy.ts';
import { ProxyServer } from '../proxy/builtin/proxy-server.ts';
import { appPort, buildApp, cleanUp, testEngine, uniqueName } from '../test-support.ts';

const project = uniqueName('t');
const images = { v1: '', v2: '', broken: '' };
const proxy = new ProxyServer();
let proxyPort = 0;

function config(strategy = 'blue-green', deadline = '10s'): DeployConfig {
  const { config, diagnostics } = parseDeployConfig('deploy.yml', `service: app
image: app
port: ${appPort}
healthcheck: { path: /up, interval: 100ms, timeout: 1s, deadline: ${deadline} }
drain_timeout: 2s
env: { clear: { GREETING: hello } }
environments:
  dev: { branch: develop, hosts: [local], strategy: ${strategy} }
`);
  assert.deepEqual(diagnostics, []);
  return config!;
}

function request(image: string, sha: string, cfg = config()): HostDeployRequest {
  return {
    project,
    environment: cfg.environments[0]!,
    config: cfg,
    releaseId: `rel_${sha}`,
    sha: sha.padEnd(40, '0'),
    image,
    insecureRegistry: true,
    engine: testEngine(),
    proxy: builtInProxy(proxy),
    log: () => {},
  };
}

async function viaProxy(path = '/up'): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${proxyPort}${path}`);
  return { status: res.status, body: await res.text() };
}

async function containers(): Promise<string[]> {
  return (await testEngine().list({ [labels.project]: project })).map((c) => c.name);
}

before(async () => {
  const tag = project;
  [images.v1, images.v2, images.broken] = await Promise.all([
    buildApp('deploy-app', `${tag}-v1`, { up: 'v1\n' }),
    buildApp('deploy-app', `${tag}-v2`, { up: 'v2\n' }),
    buildApp('deploy-app', `${tag}-broken`, { 'index.html': 'no /up here\n' }),
  ]);
  proxyPort = await proxy.listen(0, '127.0.0.1');
});
after(async () => {
  await proxy.close();
  await cleanUp({ [labels.project]: project }, Object.values(images).filter(Boolean));
});

void test('blue-green: v1, then v2 with no failed request; v1 is gone', async () => {
  const lines: string[] = [];
  const first = await deployToHost({ ...request(images.v1, 'aaaaaaa'), log: (l) => lines.push(l) });
  assert.match(first.container, new RegExp(`^slipway-${project}-dev-aaaaaaa00000-[0-9a-f]{6}$`));
  assert.deepEqual(await viaProxy(), { status: 200, body: 'v1\n' });
  assert.ok(lines.some((l) => l.startsWith('$ sh -c ') && l.includes(' run --env-file ') && l.includes(' --detach ')), lines.join('\n'));
  assert.ok(lines.some((l) => l.startsWith('healthy after ')));

  // Requests keep flowing while v2 rolls out; every one must succeed, v1 then v2.
  const bodies: string[] = [];
  let deploying = true;
  const traffic = (async () => {
    while (deploying) {
      const res = await viaProxy();
      assert.equal(res.status, 200, `request ${bodies.length} failed: ${res.body}`);
      bodies.push(res.body.trim());
    }
  })();
  const second = await deployToHost(request(images.v2, 'bbbbbbb')).finally(() => (deploying = false));
  await traffic;
  assert.ok(bodies.includes('v1') && bodies.includes('v2'), bodies.join(','));
  assert.deepEqual(bodies, [...bodies].sort(), `v1 answers only before v2 answers: ${bodies.join(',')}`);

  assert.deepEqual(await viaProxy(), { status: 200, body: 'v2\n' });
  assert.deepEqual(await containers(), [second.container]);
  assert.equal(await testEngine().inspect(first.container), undefined);
  const container = await testEngine().inspect(second.container);
  assert.equal(container?.labels[labels.release], 'rel_bbbbbbb');
  assert.equal(container?.labels[labels.environment], 'dev');
  assert.equal(container?.state, 'running');
  assert.equal(container?.ports[`${appPort}/tcp`]?.[0]?.hostPort, second.hostPort);
});

void test('a failing health check removes the new container and leaves the old one serving', async () => {
  const before = await containers();
  assert.equal(before.length, 1);
  await assert.rejects(deployToHost(request(images.broken, 'ccccccc', config('blue-green', '1s'))), (err) => {
    assert.ok(isSlipwayError(err, 'HEALTHCHECK_FAILED'), String(err));
    assert.match(err.message, /not healthy after \d+ attempts in 1000ms; last: HTTP 404/);
    assert.match(err.message, /last output:\n.*404/s);
    return true;
  });
  assert.deepEqual(await viaProxy(), { status: 200, body: 'v2\n' });
  assert.deepEqual(await containers(), before);
});

void test('recreate: the old container goes first, then the new one serves', async () => {
  const lines: string[] = [];
  const deployed = await deployToHost({ ...request(images.v1, 'ddddddd', config('recreate')), stopOldFirst: true, log: (l) => lines.push(l) });
  assert.deepEqual(await viaProxy(), { status: 200, body: 'v1\n' });
  assert.deepEqual(await containers(), [deployed.container]);
  const stopped = lines.findIndex((l) => l.startsWith('stopping '));
  const started = lines.findIndex((l) => l.startsWith('started '));
  assert.ok(stopped >= 0 && stopped < started, lines.join('\n'));
});
