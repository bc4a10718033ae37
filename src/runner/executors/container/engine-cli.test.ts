// ensureImage with `credentials:`: a pull from a registry that demands HTTP Basic auth
// (Slipway's own registry behind a small auth gate on 127.0.0.1) works with the right
// username and password and fails without them. Needs podman.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { busyboxImage, ensureBusyboxImage } from '../../../build/base-image.ts';
import { runTool, runToolOrThrow } from '../../../build/run-tool.ts';
import { startTestRegistry, type TestRegistry } from '../../../../test/registry/test-registry.ts';
import { ensureImage } from './engine-cli.ts';

const user = { username: 'puller', password: 'pa55-w0rd' };
const expected = `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;
let registry: TestRegistry;
let gate: ReturnType<typeof createServer>;
let dir = '';
let image = '';
const seen: string[] = [];

before(async () => {
  await ensureBusyboxImage(busyboxImage);
  registry = await startTestRegistry();
  // Every request needs the right Basic credentials; the rest is the registry itself.
  gate = createServer((req, res) => {
    seen.push(req.headers.authorization ?? '');
    if (req.headers.authorization !== expected) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="test"', 'content-type': 'application/json' }).end('{"errors":[{"code":"UNAUTHORIZED"}]}');
      return;
    }
    const upstream = request(`${registry.baseUrl}${req.url}`, { method: req.method, headers: { ...req.headers, host: registry.host } }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => gate.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${(gate.address() as AddressInfo).port}`;
  dir = await mkdtemp(join(tmpdir(), 'slipway-pull-creds-'));
  const conf = join(dir, 'registries.conf');
  await writeFile(conf, `[[registry]]\nlocation = "${host}"\ninsecure = true\n`);
  process.env.CONTAINERS_REGISTRIES_CONF = conf;
  image = `${host}/private/busybox:creds`;
  await runToolOrThrow('podman', ['push', '--tls-verify=false', '--creds', `${user.username}:${user.password}`, busyboxImage, image]);
});

after(async () => {
  await runTool('podman', ['rmi', '--force', image]);
  gate.closeAllConnections();
  await new Promise<void>((resolve) => gate.close(() => resolve()));
  await registry.close();
  await rm(dir, { recursive: true, force: true });
});

test('a pull logs in with the credentials given, only for that pull', async () => {
  await assert.rejects(ensureImage('podman', image), /unauthorized|401|authentication required/i);
  await assert.rejects(ensureImage('podman', image, undefined, { ...user, password: 'wrong' }), /unauthorized|401|authentication required/i);
  let output = '';
  await ensureImage('podman', image, (t) => (output += t), user);
  assert.equal((await runTool('podman', ['image', 'exists', image])).exitCode, 0);
  assert.ok(seen.includes(expected), 'the registry saw the credentials');
  assert.doesNotMatch(output, new RegExp(user.password), 'the password is never printed');
});
