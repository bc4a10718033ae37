// The registry survives being killed (SIGKILL) in the middle of garbage collection and in
// the middle of uploads (issue 14). Mid-GC, at each crash point of registry/gc.ts: after
// the restart every tag resolves and every blob it names verifies, and the next GC frees
// the rest. Mid-upload (a chunked session and a monolithic POST still streaming): after a
// restart past registry.uploads.maxAge the sessions and the partial write are gone.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createFsDriver } from '../../src/storage/fs/fs-driver.ts';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { removeDir, waitFor } from '../support/harness.ts';
import { runCli } from '../support/cli.ts';
import { checkStorage, ociClient, type OciClient } from '../registry/oci-client.ts';

const settings = { SLIPWAY_RUNNER_ENABLED: 'false', SLIPWAY_REGISTRY_GC_GRACE: '0', SLIPWAY_REGISTRY_GC_INTERVAL: 'off', SLIPWAY_REGISTRY_UPLOADS_MAX_AGE: '1' };

void describe('registry: killed mid-GC and mid-upload', () => {
  let dataDir: string;
  let port: number | undefined;
  let server: ServerProcess | undefined;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'slipway-crash-registry-'));
  });
  after(async () => {
    await server?.kill();
    await removeDir(dataDir);
  });

  const start = async (crashAt?: string): Promise<{ server: ServerProcess; oci: OciClient }> => {
    server = await startServerProcess({ dataDir, port, env: { ...settings, ...(crashAt && { SLIPWAY_CRASH_AT: crashAt }) } });
    port = server.port;
    return { server, oci: ociClient(server.url, { authorization: `Bearer ${server.token}` }) };
  };
  const storage = () => createFsDriver({ root: join(dataDir, 'registry') });
  const gc = async (s: ServerProcess) => fetch(`${s.url}/api/registry/gc`, { method: 'POST', headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' }, body: '{}' });

  for (const point of ['gc-manifest-deleted', 'gc-link-deleted']) {
    void it(`killed at ${point}: everything tagged still resolves and verifies; the next run frees the rest`, async () => {
      const { server: s, oci } = await start(point);
      if (point === 'gc-manifest-deleted') {
        const created = await fetch(`${s.url}/api/projects`, { method: 'POST', headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'crash' }) });
        assert.equal(created.status, 201, await created.text());
      }
      const shared = randomBytes(4096);
      await oci.pushImage('crash/app', `keep-${point}`, [shared, randomBytes(1000)]);
      const a = await oci.pushImage('crash/app', undefined, [randomBytes(1000)], { chunked: true });
      const b = await oci.pushImage('crash/app', undefined, [shared, randomBytes(1000)]);
      await oci.pushIndex('crash/app', `gone-${point}`, [a, b]);
      await oci.pushImage('crash/other', `gone-${point}`, [randomBytes(3000)]);
      for (const [repo, tag] of [['crash/app', `gone-${point}`], ['crash/other', `gone-${point}`]]) {
        assert.equal((await oci.call(`/v2/${repo}/manifests/${tag}`, { method: 'DELETE' })).status, 202);
      }

      await gc(s).catch((err: unknown) => err); // the server dies under the request
      assert.equal(await s.exited, 'SIGKILL', `killed at ${point}`);

      const restarted = await start();
      const left = await checkStorage(storage(), restarted.oci);
      assert.ok(left.unreferenced.length > 0, 'the crash left garbage for the next run');
      // What would go, from the CLI, deleting nothing.
      const cli = (args: string[], token?: string) => runCli([...args, '--server', restarted.server.url, '--data', dataDir], { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...(token && { SLIPWAY_TOKEN: token }) } });
      const dry = await cli(['registry', 'gc', '--dry-run', '--json']);
      assert.equal(dry.code, 0, dry.stderr);
      const report = JSON.parse(dry.stdout) as { dryRun: boolean; blobs: number };
      assert.equal(report.dryRun, true);
      assert.ok(report.blobs >= left.unreferenced.length, 'counts at least the blobs no manifest names (and those of the untagged manifests left)');
      assert.deepEqual((await checkStorage(storage(), restarted.oci)).unreferenced, left.unreferenced);
      const res = await gc(restarted.server);
      assert.equal(res.status, 200, await res.text());
      const done = await checkStorage(storage(), restarted.oci);
      assert.deepEqual(done.unreferenced, []);
      assert.equal((await restarted.oci.call(`/v2/crash/app/manifests/keep-${point}`)).status, 200);
      assert.match(restarted.server.output(), /registry gc: freed \d+ blob\(s\)/);
      await restarted.server.kill('SIGTERM');
    });
  }

  void it('killed mid-upload: past registry.uploads.maxAge, the restart purges the sessions and the partial write', async () => {
    const { server: s, oci } = await start();
    const started = Date.now();
    const open = await oci.call('/v2/crash/app/blobs/uploads/', { method: 'POST' });
    assert.equal(open.status, 202);
    const location = open.headers.get('location')!;
    assert.equal((await oci.call(location, { method: 'PATCH', body: randomBytes(100_000), headers: { 'content-type': 'application/octet-stream' } })).status, 202);
    // A monolithic upload still streaming when the server dies: its bytes are in a temp file.
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        if (sent < 3) {
          sent++;
          controller.enqueue(randomBytes(64 * 1024));
        } else {
          await new Promise(() => undefined); // never ends
        }
      },
    });
    const streaming = oci.call(`/v2/crash/app/blobs/uploads/?digest=sha256:${'0'.repeat(64)}`, { method: 'POST', body, duplex: 'half' } as RequestInit).catch((err: unknown) => err);
    const tmp = join(dataDir, 'registry', 'tmp');
    await waitFor('the partial write on disk', async () => ((await readdir(tmp).catch(() => [])).length > 0 ? true : undefined), 10_000);
    assert.equal((await readdir(join(dataDir, 'registry', 'uploads'))).length, 1);
    await s.kill();
    await streaming;

    // Older than maxAge (1 s) when the server starts again.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + 1100 - Date.now())));
    const restarted = await start();
    assert.match(restarted.server.output(), /registry: purged 1 abandoned upload\(s\) and partial writes/);
    assert.deepEqual(await readdir(join(dataDir, 'registry', 'uploads')), []);
    assert.deepEqual(await readdir(tmp), []);
    assert.equal((await restarted.oci.call(location)).status, 404);
    assert.deepEqual(await storage().list('repositories/crash/app/_uploads/'), []);
    // Only admins collect garbage: a member is told the permission it lacks.
    const member = await fetch(`${restarted.server.url}/api/users`, { method: 'POST', headers: { authorization: `Bearer ${restarted.server.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'mallory' }) });
    assert.equal(member.status, 201, await member.clone().text());
    const { token } = (await member.json()) as { token: string };
    const refused = await runCli(['registry', 'gc', '--server', restarted.server.url], { env: { PATH: process.env.PATH, HOME: process.env.HOME, SLIPWAY_TOKEN: token } });
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /missing permission registry\.gc/);
    // And the registry takes pushes as before.
    await restarted.oci.pushImage('crash/app', 'after', [randomBytes(2000)], { chunked: true });
    assert.deepEqual((await checkStorage(storage(), restarted.oci)).unreferenced, []);
    await restarted.server.kill('SIGTERM');
  });
});
