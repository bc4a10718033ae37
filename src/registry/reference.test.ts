import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSlipwayError } from '../core/errors.ts';
import { formatReference, isImageReference, parseReference, registryHost } from './reference.ts';

const digest = `sha256:${'a'.repeat(64)}`;

void describe('parseReference', () => {
  void it('splits registry, repository, tag and digest', () => {
    assert.deepEqual(parseReference('hello'), { repository: 'hello' });
    assert.deepEqual(parseReference('project/app:v1'), { repository: 'project/app', tag: 'v1' });
    assert.deepEqual(parseReference('127.0.0.1:8080/project/app:v1'), { registry: '127.0.0.1:8080', repository: 'project/app', tag: 'v1' });
    assert.deepEqual(parseReference(`localhost/app@${digest}`), { registry: 'localhost', repository: 'app', digest });
    assert.deepEqual(parseReference(`reg.example:5000/a/b:t@${digest}`), { registry: 'reg.example:5000', repository: 'a/b', tag: 't', digest });
  });

  void it('round-trips through formatReference', () => {
    for (const ref of ['hello', 'a/b:c', `localhost:5000/a/b:c@${digest}`]) assert.equal(formatReference(parseReference(ref)), ref);
  });

  void it('rejects what breaks the grammar with NAME_INVALID', () => {
    for (const bad of ['Upper/app', 'app:', 'app:-x', 'app@sha256:short', '', 'a//b', `app@md5:${'a'.repeat(32)}`]) {
      assert.throws(() => parseReference(bad), (err) => isSlipwayError(err, 'NAME_INVALID'), bad);
    }
  });
});

void describe('isImageReference', () => {
  void it('accepts what parseReference accepts, and nothing else', () => {
    for (const ok of ['hello', 'team/hello', `registry.example.com:5000/team/hello:1.2@${digest}`, '[::1]:5000/a']) assert.equal(isImageReference(ok), true, ok);
    for (const bad of ['Hello', 'team/hello:', 'a@sha256:short', 'bad_host:x/a', '']) assert.equal(isImageReference(bad), false, bad);
  });

  void it('parseReference says which part is wrong', () => {
    assert.throws(() => parseReference('hello:-x'), /invalid image reference "hello:-x": bad tag/);
    assert.throws(() => parseReference('reg.example:port/a'), /bad registry host/);
  });
});

void describe('registryHost', () => {
  void it('follows the reference grammar', () => {
    assert.equal(registryHost('127.0.0.1:8080/hello/hello:abc'), '127.0.0.1:8080');
    assert.equal(registryHost('localhost/x'), 'localhost');
    assert.equal(registryHost('ghcr.io/o/r@sha256:00'), 'ghcr.io');
    assert.equal(registryHost('library/busybox'), 'docker.io');
    assert.equal(registryHost('busybox'), 'docker.io');
  });
});
