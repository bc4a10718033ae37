// Protected branches enforced by git itself: the real git client pushes over real HTTP to
// GitHosting with branch protection, roles from a fixed mapping (as roleOn is injected) and
// the real glob grammar. The tests of the first suite build on each other's pushes, in order.
// It lives under test/ because it joins src/git with src/workflow's glob, a later folder.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { encodePktLine, flushPkt } from '../../src/git/pkt-line.ts';
import { openDatabase, migrate } from '../../src/store/database.ts';
import { createStore, type Store } from '../../src/store/store.ts';
import { matchesPatterns } from '../../src/workflow/glob.ts';
import { zeroSha } from '../../src/core/types.ts';
import type { ProjectRole } from '../../src/git/push-policy.ts';
import { git, gitOk, startHosting, testUser, type HostingFixture } from '../../src/git/test-support.ts';

const roles: Record<string, ProjectRole> = { alice: 'maintainer', dave: 'developer', vic: 'viewer', root: 'admin' };

async function commit(work: string, file: string, content: string): Promise<string> {
  await writeFile(join(work, file), content);
  await gitOk(work, ['add', '--', file]);
  await gitOk(work, ['commit', '-q', '-m', `${file}: ${content.trim()}`]);
  return gitOk(work, ['rev-parse', 'HEAD']);
}

export async function protectedHosting(): Promise<{ fx: HostingFixture; store: Store; close(): Promise<void> }> {
  const db = openDatabase({ sqlitePath: ':memory:' });
  await migrate(db);
  const store = createStore(db);
  const fx = await startHosting({
    protection: { rules: store.protectedBranches, roleOn: async (user) => roles[user.name], matches: (branch, pattern) => matchesPatterns(branch, [pattern]) },
    userOf: (name) => testUser(name ?? 'anonymous'),
  });
  return { fx, store, close: async () => { await fx.close(); await db.destroy(); } };
}

/** Protected hosting and a working copy whose first commit alice (a maintainer) pushed to `repo`'s main. */
async function pushedMain(repo: string) {
  const hosting = await protectedHosting();
  const url = (user: string) => `${hosting.fx.base.replace('http://', `http://${user}:x@`)}/${repo}.git`;
  const work = join(hosting.fx.tmp, 'work');
  await mkdir(work);
  await gitOk(work, ['init', '-q']);
  await commit(work, 'a.txt', 'one\n');
  await gitOk(work, ['push', '-q', url('alice'), 'main']);
  return { ...hosting, work, url };
}

void describe('protected branches, enforced in the push', () => {
  let fx: HostingFixture;
  let close: () => Promise<void>;
  let work: string;
  let url: (user: string) => string;
  const remoteMain = () => gitOk(work, ['ls-remote', url('alice'), 'refs/heads/main']);

  before(async () => ({ fx, close, work, url } = await pushedMain('hello')));
  after(() => close());

  void it('protects the default branch with no rule stored: a developer push is refused with the reason, and starts nothing', async () => {
    fx.events.length = 0;
    const before = await remoteMain();
    await commit(work, 'a.txt', 'two\n');
    const push = await git(work, ['push', url('dave'), 'main']);
    assert.notEqual(push.code, 0);
    assert.match(push.stderr, /remote: refs\/heads\/main is protected in project hello: only maintainers may push \(you are developer\) \(rule "main"\)/);
    assert.match(push.stderr, /\[remote rejected\] main -> main \(pre-receive hook declined\)/);
    assert.equal(await remoteMain(), before);
    assert.deepEqual(fx.events, []);
    const viewer = await git(work, ['push', url('vic'), 'main']);
    assert.match(viewer.stderr, /only maintainers may push \(you are viewer\)/);
    const stranger = await git(work, ['push', url('mallory'), 'main']);
    assert.match(stranger.stderr, /only maintainers may push \(you have no role in this project\)/);
  });

  void it('lets a maintainer push the default branch, and announces it', async () => {
    fx.events.length = 0;
    const sha = await gitOk(work, ['rev-parse', 'HEAD']);
    await gitOk(work, ['push', '-q', url('alice'), 'main']);
    assert.equal(await remoteMain(), `${sha}\trefs/heads/main`);
    assert.deepEqual(fx.events.map((e) => [e.ref, e.after, e.pusher]), [['refs/heads/main', sha, 'alice']]);
  });

  void it('refuses a force-push to a protected branch, even from a maintainer or an admin', async () => {
    fx.events.length = 0;
    const before = await remoteMain();
    await gitOk(work, ['reset', '-q', '--hard', 'HEAD~1']);
    await commit(work, 'b.txt', 'rewritten\n');
    for (const user of ['alice', 'root']) {
      const push = await git(work, ['push', '--force', url(user), 'main']);
      assert.notEqual(push.code, 0);
      assert.match(push.stderr, /remote: refs\/heads\/main is protected in project hello: force-push is not allowed \(rule "main"\)/);
    }
    assert.equal(await remoteMain(), before);
    assert.deepEqual(fx.events, []);
    await gitOk(work, ['reset', '-q', '--hard', before.split('\t')[0]!]);
  });

  void it('refuses deleting a protected branch', async () => {
    const push = await git(work, ['push', url('alice'), ':main']);
    assert.notEqual(push.code, 0);
    assert.match(push.stderr, /remote: refs\/heads\/main is protected in project hello: deletion is not allowed \(rule "main"\)/);
    assert.match(await remoteMain(), /refs\/heads\/main$/);
    assert.deepEqual(fx.events, []);
  });

  void it('lets a developer push, force-push and delete an unprotected branch', async () => {
    fx.events.length = 0;
    await gitOk(work, ['checkout', '-q', '-b', 'feature']);
    const first = await commit(work, 'f.txt', 'f1\n');
    await gitOk(work, ['push', '-q', url('dave'), 'feature']);
    await gitOk(work, ['commit', '-q', '--amend', '-m', 'amended']);
    const amended = await gitOk(work, ['rev-parse', 'HEAD']);
    await gitOk(work, ['push', '-q', '--force', url('dave'), 'feature']);
    await gitOk(work, ['push', '-q', url('dave'), ':feature']);
    assert.deepEqual(fx.events.map((e) => [e.ref, e.before, e.after]), [
      ['refs/heads/feature', zeroSha, first],
      ['refs/heads/feature', first, amended],
      ['refs/heads/feature', amended, zeroSha],
    ]);
    await gitOk(work, ['checkout', '-q', 'main']);
  });

  void it('refuses a whole push when one of its refs is refused', async () => {
    fx.events.length = 0;
    await gitOk(work, ['branch', '-f', 'side', 'main']);
    await commit(work, 'a.txt', 'three\n');
    const push = await git(work, ['push', url('dave'), 'main', 'side']);
    assert.notEqual(push.code, 0);
    assert.match(push.stderr, /only maintainers may push \(you are developer\)/);
    assert.doesNotMatch(await gitOk(work, ['ls-remote', url('alice')]), /refs\/heads\/side/);
    assert.deepEqual(fx.events, []);
  });
});

void describe('protection rules with patterns', () => {
  let fx: HostingFixture;
  let store: Store;
  let close: () => Promise<void>;
  let work: string;
  let url: (user: string) => string;

  before(async () => ({ fx, store, close, work, url } = await pushedMain('shop')));
  after(() => close());

  void it('applies a release/* rule that lets developers push but not force-push or delete', async () => {
    const branches = fx.hosting.branches!;
    await branches.protect('shop', { pattern: 'release/*', pushRoles: ['developer'], allowForcePush: false }, 'alice');
    const { rules, customized } = await branches.rules('shop');
    assert.equal(customized, true);
    assert.deepEqual(rules.map((r) => [r.pattern, r.pushRoles, r.allowForcePush]), [['main', ['maintainer'], false], ['release/*', ['maintainer', 'developer'], false]]);

    await gitOk(work, ['checkout', '-q', '-b', 'release/1']);
    await commit(work, 'r.txt', 'r1\n');
    await gitOk(work, ['push', '-q', url('dave'), 'release/1']);
    await gitOk(work, ['commit', '-q', '--amend', '-m', 'rewritten']);
    const force = await git(work, ['push', '--force', url('dave'), 'release/1']);
    assert.match(force.stderr, /remote: refs\/heads\/release\/1 is protected in project shop: force-push is not allowed \(rule "release\/\*"\)/);
    const del = await git(work, ['push', url('dave'), ':release/1']);
    assert.match(del.stderr, /deletion is not allowed \(rule "release\/\*"\)/);
    const viewer = await git(work, ['push', url('vic'), 'HEAD:refs/heads/release/2']);
    assert.match(viewer.stderr, /refs\/heads\/release\/2 is protected in project shop: only maintainers and developers may push \(you are viewer\) \(rule "release\/\*"\)/);
    // `*` stops at a slash, as in on.push.branches: release/2/hotfix is not protected.
    await gitOk(work, ['push', '-q', url('dave'), 'HEAD:refs/heads/release/2/hotfix']);
    await gitOk(work, ['push', '-q', url('dave'), ':release/2/hotfix']);
  });

  void it('lets a rule allow force-pushes while still refusing deletion', async () => {
    await fx.hosting.branches!.protect('shop', { pattern: 'hotfix-*', pushRoles: ['developer'], allowForcePush: true }, 'alice');
    await gitOk(work, ['push', '-q', url('dave'), 'HEAD:refs/heads/hotfix-1']);
    await gitOk(work, ['commit', '-q', '--amend', '-m', 'again']);
    await gitOk(work, ['push', '-q', '--force', url('dave'), 'HEAD:refs/heads/hotfix-1']);
    const del = await git(work, ['push', url('dave'), ':hotfix-1']);
    assert.match(del.stderr, /refs\/heads\/hotfix-1 is protected in project shop: deletion is not allowed \(rule "hotfix-\*"\)/);
  });

  void it('unprotecting the default branch sticks, and then developers push it', async () => {
    assert.equal(await fx.hosting.branches!.unprotect('shop', 'main', 'alice'), true);
    assert.equal(await fx.hosting.branches!.unprotect('shop', 'main', 'alice'), false);
    assert.deepEqual((await store.protectedBranches.list('shop'))!.map((r) => r.pattern), ['hotfix-*', 'release/*']);
    await gitOk(work, ['push', '-q', '--force', url('dave'), 'HEAD:refs/heads/main']);
  });

  void it('protects a fresh project\'s default branch from its first push on', async () => {
    const other = join(fx.tmp, 'fresh');
    await mkdir(other);
    await gitOk(other, ['init', '-q']);
    await commit(other, 'a.txt', 'a\n');
    const push = await git(other, ['push', url('dave').replace('shop.git', 'fresh.git'), 'main']);
    assert.match(push.stderr, /refs\/heads\/main is protected in project fresh: only maintainers may push \(you are developer\)/);
  });
});

/** A hand-made receive-pack request (gitprotocol-pack(5) §Reference Update Request) as `user`. */
function receivePackBody(commands: string[]): Buffer {
  return Buffer.concat([...commands.map((c, i) => encodePktLine(i === 0 ? `${c}\0report-status side-band-64k\n` : `${c}\n`)), flushPkt]);
}
function emptyPack(): Buffer {
  const header = Buffer.from([0x50, 0x41, 0x43, 0x4b, 0, 0, 0, 2, 0, 0, 0, 0]);
  return Buffer.concat([header, createHash('sha1').update(header).digest()]);
}
const basic = (user: string) => `Basic ${Buffer.from(`${user}:x`).toString('base64')}`;

void describe('pushes git does not make itself', () => {
  let fx: HostingFixture;
  let close: () => Promise<void>;
  let sha: string;
  before(async () => {
    ({ fx, close } = await protectedHosting());
    const work = join(fx.tmp, 'work');
    await mkdir(work);
    await gitOk(work, ['init', '-q']);
    sha = await commit(work, 'a.txt', 'a\n');
    await gitOk(work, ['push', '-q', `${fx.base.replace('http://', 'http://alice:x@')}/raw.git`, 'main']);
  });
  after(() => close());

  void it('reads the commands of a gzip-encoded request and refuses the deletion of a protected branch', async () => {
    fx.events.length = 0;
    const res = await fetch(`${fx.base}/raw.git/git-receive-pack`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-git-receive-pack-request', 'content-encoding': 'gzip', authorization: basic('alice') },
      body: gzipSync(receivePackBody([`${sha} ${zeroSha} refs/heads/main`])),
    });
    assert.equal(res.status, 200);
    const body = await res.text();
    assert.match(body, /refs\/heads\/main is protected in project raw: deletion is not allowed \(rule "main"\)/);
    assert.match(body, /ng refs\/heads\/main pre-receive hook declined/);
    assert.deepEqual(fx.events, []);
  });

  void it('judges a force-push by the branch as it is, whatever old value the request claims', async () => {
    const work = join(fx.tmp, 'orphan');
    await mkdir(work);
    await gitOk(work, ['init', '-q', '-b', 'side']);
    const unrelated = await commit(work, 'o.txt', 'o\n');
    await gitOk(work, ['push', '-q', `${fx.base.replace('http://', 'http://alice:x@')}/raw.git`, 'side']);
    fx.events.length = 0;
    const res = await fetch(`${fx.base}/raw.git/git-receive-pack`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-git-receive-pack-request', authorization: basic('alice') },
      // The commit is in the repository already, so the pack is empty (gitformat-pack(5): header, 0 objects, checksum).
      body: Buffer.concat([receivePackBody([`${zeroSha} ${unrelated} refs/heads/main`]), emptyPack()]),
    });
    assert.match(await res.text(), /refs\/heads\/main is protected in project raw: force-push is not allowed \(rule "main"\)/);
    assert.equal(await gitOk(fx.tmp, ['ls-remote', `${fx.base.replace('http://', 'http://alice:x@')}/raw.git`, 'refs/heads/main']), `${sha}\trefs/heads/main`);
    assert.deepEqual(fx.events, []);
  });

  void it('survives a client that goes away in the middle of the command list', async () => {
    const full = receivePackBody([`${sha} ${zeroSha} refs/heads/main`]);
    await new Promise<void>((resolve) => {
      const req = request(`${fx.base}/raw.git/git-receive-pack`, { method: 'POST', headers: { 'content-type': 'application/x-git-receive-pack-request', authorization: basic('alice'), 'transfer-encoding': 'chunked' } });
      req.on('error', () => resolve());
      req.on('response', (r) => r.resume().on('end', resolve));
      req.write(full.subarray(0, 20), () => setImmediate(() => req.destroy()));
    });
    const deadline = Date.now() + 10_000;
    while (fx.inFlight() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(fx.inFlight(), 0, 'handle() settled');
    assert.equal(await gitOk(fx.tmp, ['ls-remote', `${fx.base.replace('http://', 'http://alice:x@')}/raw.git`, 'refs/heads/main']), `${sha}\trefs/heads/main`);
  });
});

void describe('hooks planted in a repository', () => {
  let fx: HostingFixture;
  let close: () => Promise<void>;
  before(async () => ({ fx, close } = await protectedHosting()));
  after(() => close());

  void it('never run: neither files in hooks/ nor a core.hooksPath in the repository config', async () => {
    const work = join(fx.tmp, 'work');
    const url = `${fx.base.replace('http://', 'http://alice:x@')}/planted.git`;
    await mkdir(work);
    await gitOk(work, ['init', '-q']);
    await commit(work, 'a.txt', 'a\n');
    await gitOk(work, ['push', '-q', url, 'main']);

    const repo = fx.hosting.repoPath('planted');
    const marker = join(fx.tmp, 'hook-ran');
    const planted = join(fx.tmp, 'planted-hooks');
    await mkdir(planted);
    for (const dir of [join(repo, 'hooks'), planted]) {
      for (const hook of ['pre-receive', 'update', 'post-receive', 'post-update', 'reference-transaction']) {
        await writeFile(join(dir, hook), `#!/bin/sh\necho ${hook} >> '${marker}'\nexit 1\n`);
        await chmod(join(dir, hook), 0o755);
      }
    }
    await gitOk(repo, ['config', 'core.hooksPath', planted]);

    fx.events.length = 0;
    const sha = await commit(work, 'a.txt', 'b\n');
    await gitOk(work, ['push', '-q', url, 'main']);
    assert.equal(existsSync(marker), false, 'no planted hook ran');
    assert.deepEqual(fx.events.map((e) => e.after), [sha]);
  });
});
