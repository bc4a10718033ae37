import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deployYamlLimits, workflowYamlLimits } from './limits.ts';
import type { YamlProblem } from './node.ts';
import { parseYamlTree } from './tree.ts';

const problems = (text: string, limits = workflowYamlLimits): string[] =>
  parseYamlTree(text, limits).problems.map((p: YamlProblem) => `${p.line}:${p.column}: ${p.message}`);

/** The 447-byte "billion laughs" of issue 10: nine levels, each nine aliases of the one before. */
function aliasBomb(): string {
  let text = 'on: push\na0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
  for (let i = 1; i <= 8; i++) text += `a${i}: &a${i} [${Array.from({ length: 9 }, () => `*a${i - 1}`).join(',')}]\n`;
  return text;
}

/** Milliseconds `fn` takes. */
function timed(fn: () => void): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

void test('a billion laughs is refused at the alias that crosses the limit, in well under 100 ms', () => {
  const text = aliasBomb();
  let found: string[] = [];
  const ms = timed(() => {
    found = problems(text);
  });
  assert.ok(ms < 100, `took ${ms} ms`);
  assert.deepEqual(found, ['6:10: alias *a3 expands to 7381 nodes; the document exceeds the limit of 10000 nodes reached through aliases']);
});

void test('aliases within the limits resolve to their anchor, at the alias position', () => {
  const { root, problems: found } = parseYamlTree('a: &x { b: [1, 2] }\nc: *x\n');
  assert.deepEqual(found, []);
  assert.ok(root?.kind === 'map');
  const c = root.pairs[1]!.value;
  assert.equal(c.kind, 'map');
  assert.deepEqual([c.line, c.column], [2, 4]);
  assert.deepEqual(root.pairs[0]!.value.kind === 'map' && root.pairs[0]!.value.pairs, c.kind === 'map' && c.pairs);
});

void test('an alias inside the node it names, or to no anchor, is an error', () => {
  assert.deepEqual(problems('a: &x [1, *x]\n'), ['1:11: alias *x refers to the node that contains it']);
  assert.deepEqual(problems('a: *nope\n'), ['1:4: unknown alias *nope']);
});

void test('deploy.yml limits refuse aliases', () => {
  assert.deepEqual(problems('a: &x 1\nb: *x\n', deployYamlLimits), ['2:4: aliases (`*x`) are not allowed in this file']);
});

void test('size is checked before parsing', () => {
  const text = `a: "${'x'.repeat(workflowYamlLimits.maxBytes)}"\n`;
  assert.deepEqual(problems(text), [`1:1: the file is ${text.length} bytes; it exceeds the limit of 1048576 bytes`]);
});

void test('node count includes what aliases expand to', () => {
  const limits = { ...workflowYamlLimits, maxNodes: 50 };
  const list = `[${Array.from({ length: 20 }, (_, i) => i).join(',')}]`;
  assert.deepEqual(problems(`a: ${list}\n`, limits), []);
  assert.deepEqual(problems(`a: &l ${list}\nb: *l\nc: *l\n`, limits), ['3:4: the document exceeds the limit of 50 nodes (counting what aliases expand to)']);
});

void test('deep nesting is refused before the parser recurses, fast', () => {
  const cases: [string, string][] = [
    ['- '.repeat(50_000) + 'x\n', '1:199'],
    [`a: &x !t ${'['.repeat(500_000)}`, '1:110'],
    [`--- ${'['.repeat(500_000)}`, '1:105'],
    [Array.from({ length: 1400 }, (_, i) => `${' '.repeat(i)}a:`).join('\n'), '100:101'],
    ['['.repeat(500_000), '1:101'],
    ['a:\n  b: ' + '{c: '.repeat(200_000), '2:406'],
    ['a: '.repeat(200_000), '1:299'],
  ];
  for (const [text, at] of cases) {
    let found: string[] = [];
    const ms = timed(() => {
      found = problems(text);
    });
    assert.ok(ms < 100, `took ${ms} ms`);
    assert.deepEqual(found, [`${at}: nesting exceeds the limit of 100 levels (counted through aliases)`]);
  }
});

void test('brackets and indicators inside quotes, comments and block scalars do not count as nesting', () => {
  const deepText = '['.repeat(150) + ' - - '.repeat(150) + ': '.repeat(150);
  const text = [
    `a: "${deepText}"`,
    `b: '${deepText.replaceAll("'", "''")}'`,
    `c: x # ${deepText}`,
    'd: |',
    `  ${deepText}`,
    '  more: [[[',
    'e: [ "]]]", \'[[[\' ]',
    '',
  ].join('\n');
  assert.deepEqual(problems(text), []);
});

void test('nesting through aliases counts the levels the anchor holds', () => {
  const limits = { ...workflowYamlLimits, maxDepth: 5 };
  assert.deepEqual(problems('a: &x [[[1]]]\n', limits), []);
  assert.deepEqual(problems('a: &x [[[1]]]\nb: [[*x]]\n', limits), ['2:6: nesting exceeds the limit of 5 levels (counted through aliases)']);
});

void test('duplicate keys are found in linear time, at the second key', () => {
  assert.deepEqual(problems('a: 1\nb: 2\na: 3\n'), ['3:1: Map keys must be unique']);
  let text = '';
  // 20,000 keys: the library's pairwise check takes about 5 s here, a Set well under 1 s.
  for (let i = 0; i < 20_000; i++) text += `k${i}: 1\n`;
  const ms = timed(() => assert.deepEqual(problems(text), []));
  assert.ok(ms < 2000, `took ${ms} ms`);
});
