// GitHosting against the real git client over real HTTP. The tests in the first suite build on
// each other's pushes, in order.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { isSlipwayError } from '../core/errors.ts';
import { zeroSha } from '../core/types.ts';
import { encodePktLine, flushPkt } from './pkt-line.ts';
import { git, gitOk, startHosting, type HostingFixture } from './test-support.ts';

async function commitFile(work: string, path: string, content: string | Buffer, message: string): Promise<string> {
  await mkdir(join(work, path, '..'), { recursive: true });
  await writeFile(join(work, path), content);
  await gitOk(work, ['add', '--', path]);
  await gitOk(work, ['commit', '-q', '-m', message]);
  return gitOk(work, ['rev-parse', 'HEAD']);
}

/** POST a hand-made receive-pack request (gitprotocol-pack(5) §Reference Update Request). */
async function rawReceivePack(url: string, commands: string[], gzip: boolean): Promise<{ status: number; body: string }> {
  const lines = commands.map((c, i) => encodePktLine(i === 0 ? `${c}\0report-status\n` : `${c}\n`));
  const body = Buffer.concat([...lines, flushPkt]);
  const headers: Record<string, string> = { 'content-type': 'application/x-git-receive-pack-request' };
  if (gzip) headers['content-encoding'] = 'gzip';
  const res = await fetch(`${url}/git-receive-pack`, { method: 'POST', headers, body: gzip ? gzipSync(body) : body });
  return { status: res.status, body: await res.text() };
}

void describe('GitHosting over Smart HTTP', () => {
  let fx: HostingFixture;
  let work: string;
  let url: string;
  const shas: Record<string, string> = {};

  before(async () => {
    fx = await startHosting();
    work = join(fx.tmp, 'work');
    url = `${fx.base}/demo.git`;
    await mkdir(work);
    await gitOk(work, ['init', '-q']);
  });
  after(() => fx.close());

  void it('creates the repo on first push and reports each new branch', async () => {
    shas.first = await commitFile(work, 'README.md', '# demo\n', 'first');
    await gitOk(work, ['checkout', '-q', '-b', 'feature']);
    shas.feature = await commitFile(work, '.slipway/workflows/ci.yml', 'on: push\n', 'add ci');
    await gitOk(work, ['checkout', '-q', 'main']);
    assert.equal(fx.hosting.exists('demo'), false);

    await gitOk(work, ['push', '-q', url, 'main', 'feature']);

    assert.equal(fx.hosting.exists('demo'), true);
    const byRef = new Map(fx.events.map((e) => [e.ref, e]));
    assert.equal(fx.events.length, 2);
    assert.deepEqual(byRef.get('refs/heads/main'), { project: 'demo', ref: 'refs/heads/main', before: zeroSha, after: shas.first, pusher: 'alice' });
    assert.deepEqual(byRef.get('refs/heads/feature'), { project: 'demo', ref: 'refs/heads/feature', before: zeroSha, after: shas.feature, pusher: 'alice' });
  });

  void it('reports the previous sha as before on the next push', async () => {
    fx.events.length = 0;
    shas.second = await commitFile(work, 'src/app.txt', 'v2\n', 'second');
    await gitOk(work, ['push', '-q', url, 'main']);
    assert.deepEqual(fx.events.map((e) => [e.ref, e.before, e.after]), [['refs/heads/main', shas.first, shas.second]]);
  });

  void it('reports a pushed annotated tag', async () => {
    fx.events.length = 0;
    await gitOk(work, ['tag', '-a', 'v1.0.0', '-m', 'release']);
    const tagObject = await gitOk(work, ['rev-parse', 'refs/tags/v1.0.0']);
    await gitOk(work, ['push', '-q', url, 'v1.0.0']);
    assert.deepEqual(fx.events.map((e) => [e.ref, e.before, e.after]), [['refs/tags/v1.0.0', zeroSha, tagObject]]);
  });

  void it('reports a deleted branch with after all zeros', async () => {
    fx.events.length = 0;
    await gitOk(work, ['push', '-q', url, ':feature']);
    assert.deepEqual(fx.events.map((e) => [e.ref, e.before, e.after]), [['refs/heads/feature', shas.feature, zeroSha]]);
    const remote = await gitOk(work, ['ls-remote', url]);
    assert.doesNotMatch(remote, /refs\/heads\/feature/);
  });

  void it('clones back what was pushed', async () => {
    const clone = join(fx.tmp, 'clone');
    await gitOk(fx.tmp, ['clone', '-q', url, clone]);
    assert.equal(await gitOk(clone, ['rev-parse', 'HEAD']), shas.second);
    assert.equal(await gitOk(clone, ['symbolic-ref', 'HEAD']), 'refs/heads/main');
  });

  void it('reads files, listings, diffs and commit metadata at a commit', async () => {
    const h = fx.hosting;
    assert.equal(await h.readFile('demo', shas.feature!, '.slipway/workflows/ci.yml'), 'on: push\n');
    assert.equal(await h.readFile('demo', shas.feature!, '/README.md'), '# demo\n');
    assert.equal(await h.readFile('demo', shas.first!, '.slipway/workflows/ci.yml'), undefined);
    assert.equal(await h.readFile('demo', shas.feature!, '.slipway'), undefined, 'a directory is not a file');
    assert.deepEqual(await h.listFiles('demo', shas.feature!, '.slipway/workflows'), ['.slipway/workflows/ci.yml']);
    assert.deepEqual(await h.listFiles('demo', shas.second!, ''), ['README.md'], 'subdirectories are left out');
    assert.deepEqual(await h.listFiles('demo', shas.second!, '.slipway/workflows'), []);
    assert.deepEqual(await h.changedFiles('demo', shas.first!, shas.second!), ['src/app.txt']);
    assert.deepEqual((await h.changedFiles('demo', zeroSha, shas.feature!)).sort(), ['.slipway/workflows/ci.yml', 'README.md']);
    assert.deepEqual(await h.changedFiles('demo', shas.second!, zeroSha), []);
    assert.deepEqual(await h.commitInfo('demo', shas.second!), { sha: shas.second, message: 'second', authorName: 't', authorEmail: 't@e' });
    await assert.rejects(h.commitInfo('demo', 'f'.repeat(40)), (err) => isSlipwayError(err, 'NOT_FOUND'));
    await assert.rejects(h.readFile('demo', shas.second!, '../etc/passwd'), (err) => isSlipwayError(err, 'BAD_REQUEST'));
    await assert.rejects(h.readFile('nope', shas.second!, 'README.md'), (err) => isSlipwayError(err, 'PROJECT_UNKNOWN'));
  });

  void it('reports nothing for a ref update git rejected', async () => {
    fx.events.length = 0;
    const stale = await rawReceivePack(url, [`${shas.first} ${zeroSha} refs/heads/main`], false);
    assert.equal(stale.status, 200);
    assert.match(stale.body, /ng refs\/heads\/main/);
    assert.deepEqual(fx.events, []);
    assert.equal(await gitOk(work, ['ls-remote', url, 'refs/heads/main']), `${shas.second}\trefs/heads/main`);
  });

  void it('reads the commands of a gzip-encoded receive-pack request', async () => {
    await gitOk(work, ['push', '-q', url, 'main:refs/heads/tmp']);
    fx.events.length = 0;
    const res = await rawReceivePack(url, [`${shas.second} ${zeroSha} refs/heads/tmp`], true);
    assert.equal(res.status, 200);
    assert.match(res.body, /ok refs\/heads\/tmp/);
    assert.deepEqual(fx.events.map((e) => [e.ref, e.before, e.after]), [['refs/heads/tmp', shas.second, zeroSha]]);
  });

  void it('streams a large push (chunked request) and clones it back intact', async () => {
    fx.events.length = 0;
    fx.receivePackHeaders.length = 0;
    const blob = randomBytes(4 * 1024 * 1024);
    const big = await commitFile(work, 'assets/big.bin', blob, 'big file');
    await gitOk(work, ['push', '-q', url, 'main']);
    assert.ok(fx.receivePackHeaders.some((h) => h['transfer-encoding'] === 'chunked'), 'git streamed the pack in chunks');
    assert.deepEqual(fx.events.map((e) => [e.ref, e.before, e.after]), [['refs/heads/main', shas.second, big]]);
    const clone = join(fx.tmp, 'clone-big');
    await gitOk(fx.tmp, ['clone', '-q', url, clone]);
    const digest = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
    assert.equal(digest(await readFile(join(clone, 'assets/big.bin'))), digest(blob));
  });
});

void describe('GitHosting refusals and first pushes', () => {
  let fx: HostingFixture;
  before(async () => (fx = await startHosting()));
  after(() => fx.close());

  void it('answers 404 for a fetch from an unknown project, and git fails', async () => {
    const res = await fetch(`${fx.base}/ghost.git/info/refs?service=git-upload-pack`);
    assert.equal(res.status, 404);
    const clone = await git(fx.tmp, ['clone', '-q', `${fx.base}/ghost.git`, 'ghost']);
    assert.notEqual(clone.code, 0);
    assert.equal(fx.hosting.exists('ghost'), false);
  });

  void it('answers 400 for an invalid project name, and git fails', async () => {
    const res = await fetch(`${fx.base}/Bad_Name.git/info/refs?service=git-upload-pack`);
    assert.equal(res.status, 400);
    const clone = await git(fx.tmp, ['clone', '-q', `${fx.base}/Bad_Name.git`, 'bad']);
    assert.notEqual(clone.code, 0);
    assert.throws(() => fx.hosting.repoPath('../etc'), (err) => isSlipwayError(err, 'INVALID_NAME'));
  });

  void it('points HEAD at the pushed branch when the first push has no main', async () => {
    const work = join(fx.tmp, 'trunk');
    await mkdir(work);
    await gitOk(work, ['init', '-q', '-b', 'trunk']);
    const sha = await commitFile(work, 'a.txt', 'a\n', 'a');
    await gitOk(work, ['push', '-q', `${fx.base}/trunk.git`, 'trunk']);
    const clone = join(fx.tmp, 'trunk-clone');
    await gitOk(fx.tmp, ['clone', '-q', `${fx.base}/trunk.git`, clone]);
    assert.equal(await gitOk(clone, ['symbolic-ref', 'HEAD']), 'refs/heads/trunk');
    assert.equal(await gitOk(clone, ['rev-parse', 'HEAD']), sha);
  });

  void it('creates no repository for a read of the push advertisement; the push then creates it', async () => {
    const res = await fetch(`${fx.base}/probe.git/info/refs?service=git-receive-pack`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/x-git-receive-pack-advertisement');
    assert.match(await res.text(), /capabilities\^\{\}/);
    assert.equal(fx.hosting.exists('probe'), false);
    const work = join(fx.tmp, 'probe');
    await mkdir(work);
    await gitOk(work, ['init', '-q']);
    const sha = await commitFile(work, 'a.txt', 'a\n', 'a');
    await gitOk(work, ['push', '-q', `${fx.base}/probe.git`, 'main']);
    assert.equal(fx.hosting.exists('probe'), true);
    assert.deepEqual(fx.events.filter((e) => e.project === 'probe').map((e) => e.after), [sha]);
  });

  void it('does not create a repo on push when creation is not allowed', async () => {
    fx.options.allowCreate = false;
    const work = join(fx.tmp, 'w');
    await mkdir(work);
    await gitOk(work, ['init', '-q']);
    await commitFile(work, 'a.txt', 'a\n', 'a');
    const push = await git(work, ['push', '-q', `${fx.base}/fresh.git`, 'main']);
    assert.notEqual(push.code, 0);
    assert.equal(fx.hosting.exists('fresh'), false);
    assert.deepEqual(fx.events.filter((e) => e.project === 'fresh'), []);
  });
});

/** Poll until `check` holds, failing after `ms`. */
async function eventually(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

void describe('GitHosting when the client goes away', () => {
  let fx: HostingFixture;
  before(async () => (fx = await startHosting()));
  after(() => fx.close());

  void it('stops a fetch that the client abandons mid-pack', async () => {
    const work = join(fx.tmp, 'w');
    await mkdir(work);
    await gitOk(work, ['init', '-q']);
    const head = await commitFile(work, 'big.bin', randomBytes(12 * 1024 * 1024), 'big');
    await gitOk(work, ['push', '-q', `${fx.base}/big.git`, 'main']);

    // A protocol v0 fetch by hand (gitprotocol-pack(5) §Packfile Negotiation) whose reader
    // stops after the first chunk, so git blocks on a full pipe until the socket is destroyed.
    const body = Buffer.concat([encodePktLine(`want ${head}\n`), flushPkt, encodePktLine('done\n')]);
    const firstChunk = await new Promise<Buffer>((resolve, reject) => {
      const req = request(`${fx.base}/big.git/git-upload-pack`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-git-upload-pack-request' },
      });
      req.on('error', () => undefined);
      req.on('response', (res) => {
        res.once('data', (chunk: Buffer) => {
          res.pause();
          resolve(chunk);
          setTimeout(() => req.destroy(), 50);
        });
        res.on('error', reject);
      });
      req.end(body);
    });
    assert.ok(firstChunk.length > 0);
    await eventually(() => fx.inFlight() === 0, 10_000, 'handle() to settle after the disconnect');
  });
});
