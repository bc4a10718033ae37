import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { deliveryId, signatureProblem } from './signature.ts';
import { forgeEvent } from './forge-event.ts';
import { repositoryApi, forgeAuthorization } from './forge-kind.ts';

const secret = 'it-is-a-secret-0123';
const body = Buffer.from('{"ref":"refs/heads/main"}');
const hmac = createHmac('sha256', secret).update(body).digest('hex');

test('GitHub: X-Hub-Signature-256 is sha256=<hex HMAC> of the raw body', () => {
  assert.equal(signatureProblem('github', { 'x-hub-signature-256': `sha256=${hmac}` }, body, secret), undefined);
  assert.equal(signatureProblem('github', { 'x-hub-signature-256': `sha256=${hmac.toUpperCase()}` }, body, secret), undefined, 'hex in either case');
  assert.match(signatureProblem('github', { 'x-hub-signature-256': `sha256=${hmac}` }, Buffer.from(`${body} `), secret)!, /does not match/);
  assert.match(signatureProblem('github', { 'x-hub-signature-256': hmac }, body, secret)!, /does not match/, 'the sha256= prefix is part of it');
  assert.equal(signatureProblem('github', {}, body, secret), 'missing X-Hub-Signature-256 header');
});

test('Gitea and Forgejo: the bare hex HMAC, in either header', () => {
  assert.equal(signatureProblem('gitea', { 'x-gitea-signature': hmac }, body, secret), undefined);
  assert.equal(signatureProblem('gitea', { 'x-forgejo-signature': hmac, 'x-gitea-signature': hmac }, body, secret), undefined);
  assert.match(signatureProblem('gitea', { 'x-gitea-signature': hmac }, body, 'another-secret-0123')!, /does not match/);
  assert.match(signatureProblem('gitea', {}, body, secret)!, /^missing X-Gitea-Signature/);
});

test('GitLab: the shared token itself, compared in constant time', () => {
  assert.equal(signatureProblem('gitlab', { 'x-gitlab-token': secret }, body, secret), undefined);
  assert.match(signatureProblem('gitlab', { 'x-gitlab-token': `${secret}x` }, body, secret)!, /does not match/);
  assert.equal(signatureProblem('gitlab', {}, body, secret), 'missing X-Gitlab-Token header');
});

test('delivery ids: GitLab prefers the Idempotency-Key its retries keep', () => {
  assert.equal(deliveryId('gitlab', { 'idempotency-key': 'k', 'x-gitlab-event-uuid': 'u' }).id, 'k');
  assert.equal(deliveryId('gitlab', { 'x-gitlab-event-uuid': 'u' }).id, 'u');
  assert.equal(deliveryId('gitea', { 'x-forgejo-delivery': 'f' }).id, 'f');
});

test('payloads: only what is read, each missing field named', () => {
  const sha = 'a'.repeat(40);
  assert.deepEqual(forgeEvent('github', 'push', Buffer.from(JSON.stringify({ ref: 'refs/tags/v1', after: sha, pusher: { name: 'o' }, extra: 1 }))), { kind: 'push', ref: 'refs/tags/v1', after: sha, pusher: 'o' });
  assert.throws(() => forgeEvent('github', 'push', Buffer.from('{"ref":"main","after":"x","pusher":{}}')), /^SlipwayError: GitHub push payload: ref: expected refs\/heads\/<branch> or refs\/tags\/<tag>; after: expected a 40-hex commit id; pusher.name: /);
  assert.throws(() => forgeEvent('gitea', 'push', Buffer.from('not json')), /webhook body is not JSON/);
  assert.deepEqual(forgeEvent('gitlab', 'Merge Request Hook', Buffer.from('{}')), { kind: 'ignored', reason: 'GitLab event Merge Request Hook starts nothing (Push Hook and Tag Push Hook do)' });
});

test('status API bases per forge, from the clone URL', () => {
  assert.equal(repositoryApi('github', 'https://github.com/o/r.git'), 'https://api.github.com/repos/o/r');
  assert.equal(repositoryApi('github', 'https://ghe.example/o/r.git'), 'https://ghe.example/api/v3/repos/o/r');
  assert.equal(repositoryApi('gitea', 'https://codeberg.org/o/r.git'), 'https://codeberg.org/api/v1/repos/o/r');
  assert.equal(repositoryApi('gitlab', 'https://gitlab.com/group/sub/r.git'), 'https://gitlab.com/api/v4/projects/group%2Fsub%2Fr');
  assert.equal(repositoryApi('gitlab', 'https://h.example/gitlab/g/r.git', 'https://h.example/gitlab/api/v4'), 'https://h.example/gitlab/api/v4/projects/gitlab%2Fg%2Fr');
  assert.equal(forgeAuthorization('gitea', 't', 'api'), 'token t');
  assert.equal(forgeAuthorization('github', 't', 'git'), `Basic ${Buffer.from('x-access-token:t').toString('base64')}`);
});
