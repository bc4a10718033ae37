// A job's own token (issue 9, "scoped job tokens"): inside a real job, on a real server,
// the token clones its own project, pushes its own project's image, and is refused (403
// naming the scope) for another project's repository and images, a cross-repository blob
// mount, every other API route and approving; once the job has ended it is refused (401).
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { commitAndPush, git, removeDir, startHarness, waitFor, workingCopy, type Harness } from '../support/harness.ts';
import { busyboxImage, ensureBusyboxImage } from '../../src/build/base-image.ts';
import { gitAuthEnv } from '../../src/git/client.ts';

const exec = promisify(execFile);

// Each probe writes the HTTP status and body to out/, which the test reads back as an artifact.
const workflow = `name: token
on: push
env:
  T: \${{ secrets.GITHUB_TOKEN }}
  S: \${{ github.server_url }}
jobs:
  probe:
    # In the default job container: it reaches the server through the forwarder on its
    # network's gateway, which github.server_url names.
    runs-on: ubuntu-latest
    steps:
      - uses: slipway/build-image
        with:
          image: app
      - name: probes
        run: |
          set -u
          test "\${{ github.token }}" = "$T"
          test "$GITHUB_SERVER_URL" = "$S"
          case "$S" in http://127.*|http://localhost*) echo "server_url is the host's loopback: $S"; exit 1;; esac
          mkdir -p out
          probe() { name=$1; shift; curl -s -o "out/$name.body" -w '%{http_code}' "$@" > "out/$name.code"; }
          probe own-fetch -u "job:$T" "$S/git/tok.git/info/refs?service=git-upload-pack"
          probe own-push -u "job:$T" "$S/git/tok.git/info/refs?service=git-receive-pack"
          probe other-fetch -u "job:$T" "$S/git/other.git/info/refs?service=git-upload-pack"
          probe own-image -u "job:$T" "$S/v2/tok/app/tags/list"
          probe other-image -u "job:$T" "$S/v2/other/app/tags/list"
          probe other-upload -u "job:$T" -X POST "$S/v2/other/app/blobs/uploads/"
          probe mount -u "job:$T" -X POST "$S/v2/tok/app/blobs/uploads/?mount=sha256:0000000000000000000000000000000000000000000000000000000000000000&from=other/app"
          probe projects -H "authorization: Bearer $T" "$S/api/projects"
          probe users -H "authorization: Bearer $T" "$S/api/users"
          probe tokens -H "authorization: Bearer $T" -H 'content-type: application/json' -d '{"name":"x"}' "$S/api/tokens"
          probe approve -H "authorization: Bearer $T" -H 'content-type: application/json' -d '{"decision":"approve"}' "$S/api/deployments/dep_x/approvals"
          printf 'a blob the job pushes' > blob
          d="sha256:$(sha256sum blob | cut -d' ' -f1)"
          loc=$(curl -s -u "job:$T" -X POST -D - -o /dev/null "$S/v2/tok/app/blobs/uploads/" | tr -d '\r' | sed -n 's/^[Ll]ocation: //p')
          case "$loc" in http*) ;; *) loc="$S$loc";; esac
          case "$loc" in *[?]*) sep='&';; *) sep='?';; esac
          probe own-blob-push -u "job:$T" -X PUT -H 'content-type: application/octet-stream' --data-binary @blob "$loc\${sep}digest=$d"
          probe own-blob-pull -u "job:$T" "$S/v2/tok/app/blobs/$d"
          git -c http.extraHeader="Authorization: Basic $(printf 'job:%s' "$T" | base64 -w0)" clone -q "$S/git/tok.git" own
          cat own/marker.txt > out/clone.txt
          printf '%s' "$T" > out/token
      - uses: actions/upload-artifact@v4
        with:
          name: probes
          path: out
`;

interface RunView { id: string; status: string }

let h: Harness;
let repo: string;
let otherRepo: string;
let outDir: string;
before(async () => {
  await ensureBusyboxImage(busyboxImage);
  h = await startHarness();
  repo = await workingCopy('slipway-tok-', {
    '.slipway/workflows/ci.yml': workflow,
    'marker.txt': 'own project\n',
    'Containerfile': `FROM ${busyboxImage}\nCOPY marker.txt /marker.txt\n`,
  });
  otherRepo = await mkdtemp(join(tmpdir(), 'slipway-other-'));
  outDir = await mkdtemp(join(tmpdir(), 'slipway-tok-out-'));
  await writeFile(join(otherRepo, 'secret.txt'), 'not yours\n');
  await git(otherRepo, 'init', '-q', '-b', 'main');
});
after(async () => {
  await h?.stop();
  for (const d of [repo, otherRepo, outDir, h?.dataDir ?? '']) await removeDir(d);
});

const read = (name: string) => readFile(join(outDir, name), 'utf8');

test("a job's token reaches its own project only, and dies with the job", { timeout: 180_000 }, async () => {
  await commitAndPush(otherRepo, h, 'other', 'other project', 'main');
  await commitAndPush(repo, h, 'tok', 'first', 'main');
  const run = await waitFor('the token run', async () => {
    const r = await h.api<RunView>('/api/runs/tok%231').catch(() => undefined);
    return r && ['success', 'failure', 'cancelled'].includes(r.status) ? r : undefined;
  }, 150_000);
  const logs = await fetch(`${h.slipway.url}/api/runs/${run.id}/logs`, { headers: { authorization: `Bearer ${h.slipway.adminToken}` } }).then((r) => r.text());
  assert.equal(run.status, 'success', logs);

  const archive = await fetch(`${h.slipway.url}/api/runs/${run.id}/artifacts/probes`, { headers: { authorization: `Bearer ${h.slipway.adminToken}` } });
  assert.equal(archive.status, 200);
  await writeFile(join(outDir, 'probes.tgz'), Buffer.from(await archive.arrayBuffer()));
  await exec('tar', ['-xzf', 'probes.tgz'], { cwd: outDir });

  // Allowed: its own repository (fetch, clone) and its own images (the build pushed one).
  assert.equal(await read('own-fetch.code'), '200');
  assert.equal(await read('clone.txt'), 'own project\n');
  assert.equal(await read('own-image.code'), '200');
  assert.match(await read('own-image.body'), /"tok\/app"/);
  // Pushed and pulled from inside the job container, through the registry API.
  assert.equal(await read('own-blob-push.code'), '201', await read('own-blob-push.body'));
  assert.equal(await read('own-blob-pull.code'), '200');
  assert.equal(await read('own-blob-pull.body'), 'a blob the job pushes');
  // Refused, each naming the scope: pushing code, another project's code and images, a
  // mount that would read another project's blob, the API beyond its run, approving.
  for (const probe of ['own-push', 'other-fetch', 'other-image', 'other-upload', 'mount', 'projects', 'users', 'tokens', 'approve']) {
    assert.equal(await read(`${probe}.code`), '403', `${probe}: ${await read(`${probe}.body`)}`);
    assert.match(await read(`${probe}.body`), /job token of project tok .*missing scope/, probe);
  }
  assert.match(await read('other-fetch.body'), /may not fetch the repository of project other/);
  assert.match(await read('approve.body'), /may not POST \/api\/deployments\/:id\/approvals/);
  // The token was masked wherever the job's log would have shown it.
  const token = await read('token');
  assert.match(token, /^slpj_/);
  assert.ok(!logs.includes(token));

  // After the job: 401, saying why.
  const late = await fetch(`${h.slipway.url}/git/tok.git/info/refs?service=git-upload-pack`, { headers: { authorization: `Basic ${Buffer.from(`job:${token}`).toString('base64')}` } });
  assert.equal(late.status, 401);
  assert.match(await late.text(), /job token of project tok is no longer valid: its job has ended/);
  const clone = await exec('git', ['clone', '-q', `${h.slipway.url}/git/tok.git`, join(outDir, 'late')], { env: gitAuthEnv(token) }).then(() => 'cloned', (err: Error) => err.message);
  assert.match(clone, /401|Authentication failed|could not read/);
});
