import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LogModel } from '../../web/src/log/model.ts';

const log = ['##[group]Run test', 'line a', '##[group]inner', 'line b', '##[endgroup]', '##[error]boom', '##[endgroup]', '##[group]Build', 'c', '##[endgroup]'].join('\n') + '\n';

test('steps are the outermost groups; markers become kinds; line numbers match the raw log', () => {
  const m = new LogModel();
  m.append(log.slice(0, 17));
  m.append(log.slice(17));
  m.end();
  assert.equal(m.lines.length, 10);
  assert.deepEqual(m.folds.map((f) => [f.title, f.step, f.depth, f.start, f.end]), [['Run test', 1, 0, 0, 6], ['inner', 0, 1, 2, 4], ['Build', 2, 0, 7, 9]]);
  assert.equal(m.kinds[5], 'error');
  assert.equal(m.lines[5], 'boom');
  assert.deepEqual([...m.visible()], [0, 1, 2, 3, 5, 7, 8]);
});

test('collapsing a fold hides its lines and nested folds; reveal opens the folds around a line', () => {
  const m = new LogModel();
  m.append(log);
  m.toggle(0);
  assert.deepEqual([...m.visible()], [0, 7, 8]);
  m.toggle(1);
  m.reveal(3);
  assert.deepEqual([...m.visible()], [0, 1, 2, 3, 5, 7, 8]);
});

test('200,000 lines append and list their visible lines quickly', () => {
  const m = new LogModel();
  const start = performance.now();
  const chunk = Array.from({ length: 1000 }, (_, i) => `line ${i} \x1b[32mok\x1b[0m`).join('\n') + '\n';
  m.append('##[group]big\n');
  for (let i = 0; i < 200; i++) m.append(chunk);
  m.append('##[endgroup]\n');
  const visible = m.visible();
  assert.equal(visible.length, 200_001);
  assert.ok(performance.now() - start < 2000, `took ${performance.now() - start} ms`);
});
