// Checks that the netns test hosts behave like separate servers seen through the system ssh
// client: own SLIPWAY_HOME and podman storage, published ports reachable on the host, sshd
// that can be stopped, started and re-keyed, and nothing left behind by close().
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { busyboxImage, ensureBusyboxImage } from '../../src/build/base-image.ts';
import { containerToolEnv } from '../../src/core/tool-env.ts';
import { waitFor } from './harness.ts';
import { startTestHosts, type TestHost } from './netns-hosts.ts';

const exec = promisify(execFile);
let dir: string;
let key: string;
let imageArchive: string;
let started: Awaited<ReturnType<typeof startTestHosts>>;
let startMs: number;
let h1: TestHost;
let h2: TestHost;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-netns-hosts-test-'));
  key = join(dir, 'id');
  await exec('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
  await ensureBusyboxImage();
  imageArchive = join(dir, 'busybox.tar');
  await exec('podman', ['save', '-o', imageArchive, busyboxImage], { env: containerToolEnv() });
  const t0 = performance.now();
  started = await startTestHosts({ count: 2, authorizedKey: await readFile(`${key}.pub`, 'utf8') });
  startMs = performance.now() - t0;
  [h1, h2] = started.hosts as [TestHost, TestHost];
});

after(async () => {
  await started?.close();
  await rm(dir, { recursive: true, force: true });
});

async function ssh(host: TestHost, command: string): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const args = ['-i', key, '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'BatchMode=yes', '-o', 'LogLevel=ERROR', '-o', 'ConnectTimeout=5', `root@${host.ip}`, command];
  return exec('ssh', args).then(
    ({ stdout, stderr }) => ({ exitCode: 0, stdout, stderr }),
    (err: { code?: number; stdout?: string; stderr?: string }) => ({ exitCode: err.code ?? 1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' }),
  );
}

async function sshOk(host: TestHost, command: string): Promise<string> {
  const result = await ssh(host, command);
  assert.equal(result.exitCode, 0, `ssh ${host.name} ${command}: ${result.stderr}`);
  return result.stdout.trim();
}

function connectError(ip: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: ip, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code));
  });
}

void test('two hosts start, each with its own address and ssh:// url', (t) => {
  t.diagnostic(`startTestHosts({ count: 2 }) took ${Math.round(startMs)} ms`);
  assert.notEqual(h1.ip, h2.ip);
  assert.equal(h1.url, `ssh://root@${h1.ip}`);
  assert.notEqual(h1.netns, h2.netns);
});

void test('ssh sessions see a SLIPWAY_HOME and podman storage of their own host', async () => {
  const [home1, home2] = await Promise.all([sshOk(h1, 'echo $SLIPWAY_HOME'), sshOk(h2, 'echo $SLIPWAY_HOME')]);
  assert.equal(home1, h1.home);
  assert.equal(home2, h2.home);
  assert.notEqual(home1, home2);
  const graphRoot = `podman info --format '{{.Store.GraphRoot}}'`;
  const [root1, root2] = await Promise.all([sshOk(h1, graphRoot), sshOk(h2, graphRoot)]);
  assert.notEqual(root1, root2);
});

void test('an image loaded on one host is absent on the other', async () => {
  const loaded = await h1.podman(['load', '-q', '-i', imageArchive]);
  assert.equal(loaded.exitCode, 0, loaded.stderr);
  assert.equal((await ssh(h1, `podman image exists ${busyboxImage}`)).exitCode, 0);
  assert.equal((await ssh(h2, `podman image exists ${busyboxImage}`)).exitCode, 1);
});

void test('a port published on 127.0.0.1 answers inside the host, and --network host binds in the host', async () => {
  const serve = (port: number, text: string) => `sh -c 'mkdir -p /www && echo ${text} > /www/index.html && exec httpd -f -p ${port} -h /www'`;
  const id = await sshOk(h1, `podman run -d --publish 127.0.0.1::8080 ${busyboxImage} ${serve(8080, 'published')}`);
  const mapping = await sshOk(h1, `podman port ${id} 8080`);
  const port = /^127\.0\.0\.1:(\d+)$/.exec(mapping)?.[1];
  assert.ok(port, `podman port: ${mapping}`);
  const body = await waitFor('the published port to answer on the host', async () => {
    const result = await ssh(h1, `curl -fsS http://127.0.0.1:${port}/`);
    return result.exitCode === 0 ? result.stdout.trim() : undefined;
  }, 10_000);
  assert.equal(body, 'published');

  await sshOk(h1, `podman run -d --network host ${busyboxImage} ${serve(18080, 'host-network')}`);
  const fromOutside = await waitFor('the host-network container on the host address', async () => {
    const res = await fetch(`http://${h1.ip}:18080/`).catch(() => undefined);
    return res?.ok ? (await res.text()).trim() : undefined;
  }, 10_000);
  assert.equal(fromOutside, 'host-network');
  assert.equal(await connectError(h2.ip, 18080), 'ECONNREFUSED');
});

void test('stopSsh refuses connections and startSsh brings sshd back', async () => {
  await h2.stopSsh();
  assert.equal(await connectError(h2.ip, 22), 'ECONNREFUSED');
  assert.notEqual((await ssh(h2, 'true')).exitCode, 0);
  await h2.startSsh();
  assert.equal(await sshOk(h2, 'echo back'), 'back');
});

void test('regenerateHostKey changes the key sshd serves', async () => {
  const served = async () => {
    const { stdout } = await exec('sh', ['-c', `ssh-keyscan -t ed25519 ${h1.ip} 2>/dev/null | ssh-keygen -lf -`]);
    return stdout.split(' ')[1];
  };
  const before = await h1.hostKeyFingerprint();
  assert.match(before, /^SHA256:/);
  assert.equal(await served(), before);
  await h1.regenerateHostKey();
  const after = await h1.hostKeyFingerprint();
  assert.notEqual(after, before);
  assert.equal(await served(), after);
});

void test('close removes containers, namespaces, links, mounts and files, and can be called again', async () => {
  await started.close();
  await started.close();
  const { stdout: netns } = await exec('ip', ['netns', 'list']);
  const { stdout: addresses } = await exec('ip', ['-4', '-o', 'addr', 'show']);
  const mounts = await readFile('/proc/self/mountinfo', 'utf8');
  for (const host of [h1, h2]) {
    assert.ok(!netns.includes(host.netns), `${host.netns} still listed`);
    assert.ok(!addresses.includes(host.ip.replace(/\.2$/, '.1/')), `root-side address of ${host.name} still present`);
    assert.ok(!existsSync(host.home), `${host.home} still exists`);
    const hostDir = host.home.replace(/\/home$/, '');
    assert.ok(!mounts.includes(hostDir.replace(/\/h\d+$/, '')), 'a mount under the hosts directory remains');
  }
});
