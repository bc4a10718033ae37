import { test } from 'node:test';
import assert from 'node:assert/strict';
import { columnsOf } from '../../web/src/pages/graph-layout.ts';

const job = (key: string, needs: string[] = [], jobId = key) => ({ key, jobId, name: key, needs, matrix: null });

test('jobs sit one column right of the deepest job they need; matrix legs share one box', () => {
  const cols = columnsOf([job('build'), job('test (1)', ['build'], 'test'), job('test (2)', ['build'], 'test'), job('lint'), job('deploy', ['test (1)', 'test (2)', 'lint'])]);
  assert.deepEqual(
    cols.map((c) => c.map((g) => [g.jobId, g.legs.length, [...g.needs]])),
    [[['build', 1, []], ['lint', 1, []]], [['test', 2, ['build']]], [['deploy', 1, ['test', 'lint']]]],
  );
});

test('a need that names no job (or a cycle) does not hang or lose the job', () => {
  const cols = columnsOf([job('a', ['b']), job('b', ['a']), job('c', ['gone'])]);
  assert.equal(cols.flat().length, 3);
});
