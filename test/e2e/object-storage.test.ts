// One bucket for everything (`storage: {kind: s3, redirect: true}`) against s3rver, the S3
// endpoint this machine has: a job's log is archived into the bucket once the job ends and
// reads the same through the API, SSE and `slipway logs`; its artifact is in the bucket and
// its download answers 307 to a presigned URL; skopeo pushes an image and pulls it back
// through the redirecting registry. No presigned URL and no key reaches the server's log.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { busyboxImage, ensureBusyboxImage } from '../../src/build/base-image.ts';
import { containerToolEnv } from '../../src/core/tool-env.ts';
import { commitAndPush, git, removeDir, startHarness, waitFor, type Harness } from '../support/harness.ts';
import type { RunView } from '../support/api-views.ts';
import { runCli } from '../support/cli.ts';
import { startTestS3, type TestS3 } from '../support/s3rver.ts';

const exec = promisify(execFile);
let s3: TestS3;
let client: S3Client;
let h: Harness;
let work: string;
let run: RunView;

const bucketKeys = async (prefix: string): Promise<string[]> => {
  const out = await client.send(new ListObjectsV2Command({ Bucket: s3.options.bucket, Prefix: prefix }));
  return (out.Contents ?? []).map((o) => o.Key ?? '');
};
const auth = () => ({ authorization: `Bearer ${h.slipway.adminToken}` });
const expectedLines = Array.from({ length: 3000 }, (_, i) => `line ${i + 1}`);

before(async () => {
  s3 = await startTestS3('slipway-all');
  const o = s3.options;
  client = new S3Client({ endpoint: o.endpoint, region: o.region, forcePathStyle: true, credentials: o });
  h = await startHarness({
    env: {
      SLIPWAY_RUNNER_HOST: 'true',
      SLIPWAY_STORAGE_KIND: 's3', SLIPWAY_STORAGE_S3_ENDPOINT: o.endpoint, SLIPWAY_STORAGE_S3_BUCKET: o.bucket, SLIPWAY_STORAGE_S3_REGION: o.region,
      SLIPWAY_STORAGE_S3_ACCESS_KEY_ID: o.accessKeyId, SLIPWAY_STORAGE_S3_SECRET_ACCESS_KEY: o.secretAccessKey, SLIPWAY_STORAGE_S3_FORCE_PATH_STYLE: 'true',
      SLIPWAY_STORAGE_S3_PREFIX: 'slipway/', SLIPWAY_STORAGE_REDIRECT: 'true',
    },
  });
  work = await mkdtemp(join(tmpdir(), 'slipway-object-storage-'));
  await mkdir(join(work, '.slipway/workflows'), { recursive: true });
  await writeFile(join(work, '.slipway/workflows/ci.yml'), `on: push
jobs:
  build:
    runs-on: [self-hosted, host]
    steps:
      - run: |
          echo "::group::many lines"
          for i in $(seq 1 3000); do echo "line $i"; done
          echo "::endgroup::"
          mkdir -p out && echo "artifact body" > out/a.txt
      - uses: actions/upload-artifact@v4
        with:
          name: out
          path: out
`);
  await git(work, 'init', '-q', '-b', 'main');
  await commitAndPush(work, h, 'app', 'ci', 'main');
  run = await waitFor('the run to finish', async () => {
    const [r] = await h.api<RunView[]>('/api/runs?project=app');
    return r && (r.status === 'success' || r.status === 'failure') ? r : undefined;
  }, 120_000);
  assert.equal(run.status, 'success');
});

after(async () => {
  await h?.stop();
  if (h) await removeDir(h.dataDir);
  if (work) await removeDir(work);
  client?.destroy();
  await s3?.close();
});

void describe('one bucket for logs, artifacts and the registry, downloads redirected', () => {
  it("the ended job's log moves into the bucket, and reads the same through the API, SSE and slipway logs", async () => {
    const job = run.jobs[0]!;
    const stream = `job:${job.id}`;
    await waitFor('the log archived', async () => ((await bucketKeys(`slipway/objects/logs/${stream}/`)).length === 1 ? true : undefined), 30_000);
    const rows = await h.slipway.store.db.selectFrom('log_chunks').select('seq').where('stream', '=', stream).execute();
    assert.deepEqual(rows, [], 'no chunk left in the database');

    const text = await (await fetch(`${h.slipway.url}/api/runs/${run.id}/logs`, { headers: auth() })).text();
    const lines = text.split('\n').filter((l) => /^line \d+$/.test(l));
    assert.deepEqual(lines, expectedLines);
    assert.match(text, /##\[group\]many lines/);

    const sse = await (await fetch(`${h.slipway.url}/api/runs/${run.id}/logs?follow`, { headers: auth() })).text();
    const chunks = [...sse.matchAll(/^data: (\{"stream".*)$/gm)].map((m) => JSON.parse(m[1]!) as { seq: number; text: string });
    assert.equal(chunks.map((c) => c.text).join(''), text, 'SSE replays exactly the stored log');
    assert.deepEqual(chunks.map((c) => c.seq), [...chunks.keys()].map((i) => chunks[0]!.seq + i), 'every chunk once, in order');
    assert.match(sse, /event: end\n/);

    const cli = await runCli(['logs', run.id], { env: { PATH: process.env.PATH, HOME: work, SLIPWAY_URL: h.slipway.url, SLIPWAY_TOKEN: h.slipway.adminToken, NO_COLOR: '1' } });
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual(cli.stdout.split('\n').filter((l) => /^line \d+$/.test(l)), expectedLines);
  });

  it('the artifact is in the bucket; its download is a 307 to a presigned URL that serves it, after the access check', async () => {
    assert.equal((await bucketKeys(`slipway/objects/artifacts/${run.id}/`)).length, 1);
    const url = `${h.slipway.url}/api/runs/${run.id}/artifacts/out`;
    assert.equal((await fetch(url, { redirect: 'manual' })).status, 401, 'no redirect without credentials');
    const res = await fetch(url, { headers: auth(), redirect: 'manual' });
    assert.equal(res.status, 307);
    const location = res.headers.get('location')!;
    assert.ok(location.startsWith(`${s3.options.endpoint}/slipway-all/slipway/objects/artifacts/${run.id}/`), location);
    assert.match(location, /X-Amz-Expires=300/);
    const archive = await fetch(location);
    assert.equal(archive.status, 200);
    assert.equal(archive.headers.get('content-type'), 'application/gzip');
    const dir = await mkdtemp(join(work, 'artifact-'));
    await writeFile(join(dir, 'out.tgz'), Buffer.from(await archive.arrayBuffer()));
    await exec('tar', ['-xzf', 'out.tgz'], { cwd: dir });
    assert.equal(await readFile(join(dir, 'a.txt'), 'utf8'), 'artifact body\n');
    // HEAD (a presigned URL is for GET only) is still answered here.
    const head = await fetch(url, { method: 'HEAD', headers: auth() });
    assert.equal(head.status, 200);
  });

  it('skopeo pushes an image and pulls it back through the redirecting registry; blobs sit under registry/', async () => {
    await ensureBusyboxImage();
    const host = new URL(h.slipway.url).host;
    const creds = `x:${h.slipway.adminToken}`;
    await exec('skopeo', ['copy', '--dest-tls-verify=false', '--dest-creds', creds, `containers-storage:${busyboxImage}`, `docker://${host}/app/busybox:v1`], { env: containerToolEnv(), timeout: 180_000 });
    assert.ok((await bucketKeys('slipway/registry/objects/blobs/sha256/')).length >= 3);
    const out = join(work, 'pulled');
    await exec('skopeo', ['copy', '--src-tls-verify=false', '--src-creds', creds, `docker://${host}/app/busybox:v1`, `oci:${out}:v1`], { env: containerToolEnv(), timeout: 180_000 });
    const index = JSON.parse(await readFile(join(out, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    const manifest = JSON.parse(await readFile(join(out, 'blobs', 'sha256', index.manifests[0]!.digest.slice(7)), 'utf8')) as { layers: { digest: string; size: number }[] };
    const layer = manifest.layers[0]!;
    assert.equal((await readFile(join(out, 'blobs', 'sha256', layer.digest.slice(7)))).length, layer.size);

    const blobUrl = `${h.slipway.url}/v2/app/busybox/blobs/${layer.digest}`;
    const basic = { authorization: `Basic ${Buffer.from(creds).toString('base64')}` };
    assert.equal((await fetch(blobUrl, { redirect: 'manual' })).status, 401, 'no redirect before the access check');
    const redirected = await fetch(blobUrl, { headers: basic, redirect: 'manual' });
    assert.equal(redirected.status, 307);
    assert.equal(redirected.headers.get('docker-content-digest'), layer.digest);
    // A Range request is served here (206), so resumed pulls keep working.
    const ranged = await fetch(blobUrl, { headers: { ...basic, range: 'bytes=0-9' }, redirect: 'manual' });
    assert.equal(ranged.status, 206);
    assert.equal((await ranged.arrayBuffer()).byteLength, 10);
  });

  it('no presigned URL and no key reaches the server log', () => {
    assert.ok(h.logs.some((l) => l.startsWith('storage: S3 bucket slipway-all under slipway/')), h.logs.join('\n'));
    const leaks = h.logs.filter((l) => /X-Amz-Signature|X-Amz-Credential/i.test(l) || l.includes(s3.options.secretAccessKey));
    assert.deepEqual(leaks, []);
  });
});
