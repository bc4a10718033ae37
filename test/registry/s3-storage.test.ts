// End to end with the registry on S3: a Slipway server whose `registry.storage` is an
// S3-compatible bucket (s3rver from npm, the S3 endpoint this machine has; AWS or MinIO at
// scale cannot run here), skopeo pushing an image and copying it back out, across a restart.
// The blobs are in the bucket, none in the data dir, and the keys never reach the log.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { busyboxImage, ensureBusyboxImage } from '../../src/build/base-image.ts';
import { containerToolEnv } from '../../src/core/tool-env.ts';
import { gitClientEnv } from '../../src/git/config-env.ts';
import { startSlipway, type Slipway } from '../../src/server/slipway.ts';
import { registryS3Env, startTestS3, type TestS3 } from '../support/s3rver.ts';

const exec = promisify(execFile);

async function tool(cmd: string, args: string[], env: NodeJS.ProcessEnv = containerToolEnv(), cwd?: string): Promise<string> {
  try {
    return (await exec(cmd, args, { env, cwd, timeout: 180_000, maxBuffer: 16 << 20 })).stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${e.stderr ?? e.message}`, { cause: err });
  }
}

let s3: TestS3;
let client: S3Client;
let dataDir: string;
let work: string;
let slipway: Slipway;
const logs: string[] = [];
let env: NodeJS.ProcessEnv;

const start = () => startSlipway({ dataDir, port: 0, env, log: (m) => logs.push(m) });
const host = () => new URL(slipway.url).host;
const creds = () => `x:${slipway.adminToken}`;
const bucketKeys = async (): Promise<string[]> => {
  const out = await client.send(new ListObjectsV2Command({ Bucket: s3.options.bucket }));
  return (out.Contents ?? []).map((o) => o.Key ?? '');
};

before(async () => {
  s3 = await startTestS3('slipway-e2e');
  const o = s3.options;
  client = new S3Client({ endpoint: o.endpoint, region: o.region, forcePathStyle: true, credentials: o });
  env = { SLIPWAY_RUNNER_ENABLED: 'false', ...registryS3Env(s3), SLIPWAY_REGISTRY_S3_PREFIX: 'slipway/' };
  dataDir = await mkdtemp(join(tmpdir(), 'slipway-s3-e2e-'));
  work = await mkdtemp(join(tmpdir(), 'slipway-s3-work-'));
  slipway = await start();
  await ensureBusyboxImage();
  // The first push creates the project the image repository belongs to.
  const repo = join(work, 'repo');
  const git = (...args: string[]) => tool('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], gitClientEnv(`Bearer ${slipway.adminToken}`), repo);
  await exec('mkdir', ['-p', repo]);
  await git('init', '-q', '-b', 'main');
  await writeFile(join(repo, 'README'), 'app\n');
  await git('add', '-A');
  await git('commit', '-q', '-m', 'first');
  await git('push', '-q', `${slipway.url}/git/app.git`, 'HEAD:refs/heads/main');
});

after(async () => {
  await slipway?.close();
  client?.destroy();
  await s3?.close();
  for (const d of [dataDir, work]) if (d) await rm(d, { recursive: true, force: true });
});

void describe('registry on S3 (s3rver) with skopeo', () => {
  let digest = '';

  void it('skopeo pushes an image; its blobs and manifest land in the bucket under the prefix, none in the data dir', async () => {
    await tool('skopeo', ['copy', '--dest-tls-verify=false', '--dest-creds', creds(), `containers-storage:${busyboxImage}`, `docker://${host()}/app/busybox:v1`]);
    const keys = await bucketKeys();
    assert.ok(keys.length > 0 && keys.every((k) => k.startsWith('slipway/objects/')), `bucket keys: ${keys.join(', ')}`);
    const blobs = keys.filter((k) => /\/blobs\/sha256\//.test(k));
    assert.ok(blobs.length >= 3, `config, layer and manifest blobs: ${blobs.join(', ')}`);
    const local = join(dataDir, 'registry');
    assert.deepEqual(existsSync(local) ? await readdir(local, { recursive: true }) : [], [], 'nothing of the registry in the data dir');
    digest = JSON.parse(await tool('skopeo', ['inspect', '--tls-verify=false', '--creds', creds(), `docker://${host()}/app/busybox:v1`])).Digest as string;
    assert.match(digest, /^sha256:[a-f0-9]{64}$/);
  });

  void it('after a restart, skopeo copies the image back out by digest, every layer verified', async () => {
    await slipway.close();
    slipway = await start();
    const out = join(work, 'pulled');
    await tool('skopeo', ['copy', '--src-tls-verify=false', '--src-creds', creds(), `docker://${host()}/app/busybox@${digest}`, `oci:${out}:v1`]);
    const index = JSON.parse(await readFile(join(out, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    const manifest = JSON.parse(await readFile(join(out, 'blobs', 'sha256', index.manifests[0]!.digest.slice(7)), 'utf8')) as { layers: { digest: string; size: number }[] };
    for (const layer of manifest.layers) {
      const bytes = await readFile(join(out, 'blobs', 'sha256', layer.digest.slice(7)));
      assert.equal(bytes.length, layer.size);
    }
    // skopeo checks each blob's digest as it copies; a second push of the same image moves no layer.
    await tool('skopeo', ['copy', '--dest-tls-verify=false', '--dest-creds', creds(), `oci:${out}:v1`, `docker://${host()}/app/busybox:v2`]);
    const tagged = JSON.parse(await tool('skopeo', ['inspect', '--tls-verify=false', '--creds', creds(), `docker://${host()}/app/busybox:v2`])) as { Digest: string };
    assert.equal(tagged.Digest, digest);
  });

  void it('the log says where the registry lives and never prints the keys', () => {
    assert.ok(logs.some((l) => l === `registry: storage S3 bucket slipway-e2e under slipway/ at ${s3.options.endpoint}`), logs.join('\n'));
    assert.ok(!logs.some((l) => l.includes(s3.options.secretAccessKey)), 'the secret key appears in the log');
  });
});
