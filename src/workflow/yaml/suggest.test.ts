import assert from 'node:assert/strict';
import { test } from 'node:test';
import { editDistance, hint, suggest } from './suggest.ts';

void test('suggestions use edit distance, ignoring case and _ vs -', () => {
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(editDistance('nedds', 'needs'), 1, 'a swap counts once');
  assert.equal(suggest('need', ['needs', 'name']), 'needs');
  assert.equal(suggest('RUNS_ON', ['runs-on']), 'runs-on');
  assert.equal(suggest('timeout', ['timeout-minutes', 'env']), undefined);
  assert.equal(suggest('xyz', ['env']), undefined);
});

void test('one threshold for workflows, actions and deploy.yml: a third of the word, at least 1', () => {
  assert.equal(suggest('drain_timout', ['drain_timeout']), 'drain_timeout');
  assert.equal(suggest('promoteFrom', ['promote_from']), 'promote_from', 'case and _ vs - ignored');
  assert.equal(suggest('ab', ['cd']), undefined);
  assert.equal(hint('nedds', ['needs', 'name']), 'did you mean `needs`?');
  assert.equal(hint('zzz', ['needs', 'name']), 'expected one of: needs, name');
  assert.equal(hint('zzz', [], 'none defined'), 'none defined');
});
