// The EnvironmentProxy contract for the `local` host's proxy: HAProxy in a container on this
// machine (host network, loopback), driven through its admin socket in the data dir; and a
// proxy that outlives the object that started it (it is a container, not this process).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ContainerEngine } from '../../engine/container-engine.ts';
import { LocalShell } from '../../targets/local/local-shell.ts';
import { runEnvironmentProxyContract } from '../environment-proxy.contract.ts';
import { LocalProxies } from './local-proxies.ts';
import { ensureProxyImage } from './proxy-image.ts';

let dir = '';
let proxies: LocalProxies;
const engine = new ContainerEngine({ shell: new LocalShell() });
const instance = `test${process.pid}`;
let environments = 0;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-local-proxies-'));
  proxies = new LocalProxies({ engine, shell: new LocalShell(), dataDir: dir, instance, image: () => ensureProxyImage() });
});

after(async () => {
  for (const c of await engine.list({ 'slipway.instance': instance })) await engine.remove(c.name);
  await rm(dir, { recursive: true, force: true });
});

runEnvironmentProxyContract({
  name: 'local haproxy',
  async create() {
    const env = `env${++environments}`;
    const proxy = await proxies.forEnvironment('contract', { name: env }, () => {});
    return { proxy, url: `http://127.0.0.1:${proxy.publish}`, upstreamPort: (p) => Promise.resolve(p), close: () => engine.remove(proxy.containerName) };
  },
});

void test('local haproxy: another LocalProxies (a restarted server) finds the running proxy, its port and what it serves', async () => {
  const app = http.createServer((_req, res) => res.end('app'));
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  const appPort = (app.address() as AddressInfo).port;
  try {
    const first = await proxies.forEnvironment('restart', { name: 'dev' }, () => {});
    await first.switchTo(appPort);
    const again = new LocalProxies({ engine, shell: new LocalShell(), dataDir: dir, instance, image: () => Promise.reject(new Error('not needed: it runs')) });
    const found = await again.running('restart', 'dev', () => {});
    assert.equal(found?.publish, first.publish);
    assert.equal(await found?.serving(), appPort);
    assert.equal(await (await fetch(`http://127.0.0.1:${first.publish}/`)).text(), 'app');
    assert.equal(await again.running('restart', 'nothing-here', () => {}), undefined);
  } finally {
    app.close();
  }
});
