// The EnvironmentProxy contract for HAProxy: the proxy container on a netns test host
// (test/support/netns-hosts.ts), driven over SSH as a deployment does. The upstreams run on
// this machine and reach the host's loopback through SSH port forwards.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { openDatabase, migrate, type Db } from '../../src/store/database.ts';
import { createStore } from '../../src/store/store.ts';
import { ContainerEngine } from '../../src/deploy/engine/container-engine.ts';
import { HaproxyProxy } from '../../src/deploy/proxy/haproxy/haproxy-proxy.ts';
import { ensureProxyImage } from '../../src/deploy/proxy/haproxy/proxy-image.ts';
import { runEnvironmentProxyContract } from '../../src/deploy/proxy/environment-proxy.contract.ts';
import { ensurePlatformKey } from '../../src/deploy/targets/ssh/platform-key.ts';
import { SshConnection } from '../../src/deploy/targets/ssh/ssh-connection.ts';
import { startTestHosts, type TestHost } from '../support/netns-hosts.ts';

let dir: string;
let db: Db;
let hosts: Awaited<ReturnType<typeof startTestHosts>>;
let host: TestHost;
let conn: SshConnection;
let image: string;
let environments = 0;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-haproxy-proxy-'));
  const key = await ensurePlatformKey(dir);
  db = openDatabase({ sqlitePath: join(dir, 'slipway.db') });
  await migrate(db);
  hosts = await startTestHosts({ count: 1, authorizedKey: key.publicKey });
  host = hosts.hosts[0]!;
  conn = await SshConnection.connect({ url: host.url, privateKey: key.privateKey, store: createStore(db) });
  image = await ensureProxyImage();
});

after(async () => {
  conn?.close();
  await hosts?.close();
  await db?.destroy();
  if (dir) await rm(dir, { recursive: true, force: true });
});

runEnvironmentProxyContract({
  name: 'haproxy',
  async create() {
    // An environment (and a port) of its own per test: each starts from a fresh proxy.
    const n = ++environments;
    const engine = new ContainerEngine({ shell: conn });
    const publish = 9100 + n;
    const proxy = await HaproxyProxy.ensure({
      shell: conn,
      engine,
      openUnixSocket: (path) => conn.openUnixSocket(path),
      project: 'contract',
      environment: `env${n}`,
      publish,
      image,
      labels: { 'slipway.test': 'haproxy-contract' },
      log: () => {},
    });
    const tunnels: (() => Promise<void>)[] = [];
    return {
      proxy,
      url: `http://${host.ip}:${publish}`,
      async upstreamPort(port) {
        const tunnel = await conn.forwardToLocal({ host: '127.0.0.1', port });
        tunnels.push(tunnel.close);
        return tunnel.remotePort;
      },
      async close() {
        for (const close of tunnels) await close();
        await engine.remove(proxy.containerName);
      },
    };
  },
});
